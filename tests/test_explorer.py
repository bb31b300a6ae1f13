"""The served explorer: its JSON endpoints on a built store, and the page driven in headless Chromium.

The Chromium test follows the issue's walk-through on a served store (the shipped build plus the seeds and
the press corpus from ../shared when present, the project's text fixtures otherwise): search "MTC novo",
expand to London CRC, filter to critical findings in 2018, open a finding and find its source link and quote,
with zero console errors. It writes screenshots of the steps to docs/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from explorer_server import app_for, serving
from starlette.testclient import TestClient

from probkg.api import build, load
from probkg.errors import InputError
from probkg.graph.base import Store
from probkg.graph.store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "docs" / "screenshots"
TEXT_FIXTURES = REPO / "tests" / "resources" / "text"
ORG = "https://w3id.org/probation-kg/id/org/"
CRITICAL = "https://w3id.org/probation-kg/def#Critical"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The shipped build plus the shared seeds and press corpus (or the text fixtures without ../shared)."""
    s = OxigraphStore(tmp_path_factory.mktemp("explorer") / "store")
    build(s)
    shared = REPO.parent / "shared"
    extra = [shared / "seeds", shared / "corpus" / "press"]
    if all(p.is_dir() for p in extra):
        load(s, extra)
    else:
        load(s, [TEXT_FIXTURES])
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(store: Store) -> TestClient:
    return TestClient(app_for(store))


def test_page_and_vendored_renderer_are_served_without_network(client: TestClient) -> None:
    page = client.get("/explore")
    assert page.status_code == 200
    assert "cytoscape.min.js" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page.text
    lib = client.get("/explore/static/vendor/cytoscape.min.js")
    assert lib.status_code == 200
    assert len(lib.content) > 100_000
    assert client.get("/explore/static/vendor/cytoscape.LICENSE.txt").status_code == 200


def test_facets_order_ratings_by_the_scale(client: TestClient) -> None:
    facets = client.get("/explore/api/facets").json()
    orders = [r["order"] for r in facets["ratings"]]
    assert orders == sorted(orders)
    assert facets["ratings"][0]["label"] == "Inadequate"
    assert {"CRC", "NPS division"} <= set(facets["providerKinds"])
    assert any(o["label"] == "MTCnovo" for o in facets["owners"])
    assert {p["label"] for p in facets["polarities"]} >= {"critical", "positive"}


def test_search_finds_alternative_names(client: TestClient) -> None:
    nodes = client.get("/explore/api/search", params={"q": "MTC novo"}).json()["nodes"]
    assert nodes[0]["id"] == ORG + "mtcnovo"
    assert nodes[0]["kind"] == "Owner"


def test_expand_owner_gives_providers_over_dated_ownership_links(client: TestClient) -> None:
    res = client.get("/explore/api/expand", params={"iri": ORG + "mtcnovo"}).json()
    ids = {n["id"] for n in res["nodes"]}
    assert ORG + "london-crc" in ids
    owns = [e for e in res["edges"] if e["rel"] == "owns" and e["target"] == ORG + "london-crc"]
    assert owns
    assert owns[0]["from"].startswith("2015")
    assert owns[0]["source"] == ORG + "mtcnovo"


def test_expand_filters_to_critical_findings_in_2018(client: TestClient) -> None:
    everything = client.get("/explore/api/expand", params={"iri": ORG + "london-crc", "limit": 2000}).json()
    res = client.get(
        "/explore/api/expand",
        params={"iri": ORG + "london-crc", "polarity": CRITICAL, "from": "2018", "to": "2018", "limit": 2000},
    ).json()
    findings = [n for n in res["nodes"] if n["kind"] == "Finding"]
    assert findings
    assert all(n["polarity"] == "critical" for n in findings)
    assert all(n["date"].startswith("2018") for n in findings)
    assert not any(n["kind"] == "Rating" for n in res["nodes"])
    assert res["total"] < everything["total"]
    # human labels, never hashes
    for n in findings:
        assert n["id"].rsplit("/", 1)[-1] not in n["label"]
        assert "London" in n["label"]


def test_expand_caps_and_counts_what_it_left_out(client: TestClient) -> None:
    res = client.get("/explore/api/expand", params={"iri": ORG + "london-crc", "limit": 5}).json()
    assert res["shown"] == 5
    assert len(res["nodes"]) == 5
    assert res["total"] > 5


def test_finding_details_link_the_source_web_page_and_quote(client: TestClient) -> None:
    res = client.get(
        "/explore/api/expand",
        params={"iri": ORG + "london-crc", "polarity": CRITICAL, "from": "2018", "to": "2018"},
    ).json()
    finding = next(n for n in res["nodes"] if n["kind"] == "Finding")
    d = client.get("/explore/api/node", params={"iri": finding["id"]}).json()
    ev = [e for e in d["evidence"] if e["quote"]]
    assert ev
    assert ev[0]["url"].startswith("https://www.justiceinspectorates.gov.uk/") or ev[0]["url"].startswith(
        "https://www.example.org/"
    )
    assert ev[0]["end"] > ev[0]["start"]
    assert d["inspection"]["id"].startswith("https://w3id.org/probation-kg/id/inspection/")
    assert d["provider"]["id"] == ORG + "london-crc"


def test_timeline_gives_ownership_periods_and_inspections(client: TestClient) -> None:
    t = client.get("/explore/api/timeline", params={"provider": ORG + "london-crc"}).json()
    assert any(o["owner"] == ORG + "mtcnovo" and o["from"] for o in t["ownerships"])
    dates = [i["date"] for i in t["inspections"]]
    assert dates == sorted(dates)
    assert dates


def test_timeline_and_ownerships_do_not_depend_on_the_stores_row_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an export made twice must be the same to the byte: rdflib gives rows in a new order after each
    # parse, and many CRCs changed hands on the same day (ties on the start date)
    from probkg.exports import explorer

    ex = explorer.Explorer(store)
    before = (ex.timeline([]), ex.describe([ORG + "london-crc"]))
    assert len({o["from"] for o in before[0]["ownerships"]}) < len(before[0]["ownerships"])  # ties exist
    select = explorer.Explorer._select
    monkeypatch.setattr(explorer.Explorer, "_select", lambda self, text: select(self, text)[::-1])
    assert (ex.timeline([]), ex.describe([ORG + "london-crc"])) == before


def test_named_query_result_is_a_start_set(client: TestClient) -> None:
    names = {q["name"] for q in client.get("/explore/api/queries").json()}
    assert "providers-of-owner" in names
    res = client.get("/explore/api/query", params={"name": "providers-of-owner", "owner": "MTCnovo"}).json()
    assert ORG + "london-crc" in {n["id"] for n in res["nodes"]}


def test_a_hub_is_read_a_page_at_a_time_and_more_brings_the_rest(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from probkg.exports import explorer

    whole = explorer.Explorer(store).expand(ORG + "london-crc", limit=2000)
    assert whole["next"] is None  # an ordinary neighbourhood is read in one go
    monkeypatch.setattr(explorer, "HUB", 3)
    monkeypatch.setattr(explorer, "HUB_PAGE", 4)
    ex = explorer.Explorer(store)
    seen: list[str] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        res = ex.expand(ORG + "london-crc", limit=5, offset=offset)
        assert res["shown"] <= 5
        assert res["next"] is None or res["next"] > offset
        seen += [n["id"] for n in res["nodes"]]
        offset = res["next"]
        pages += 1
    assert pages > 1
    assert set(seen) == {n["id"] for n in whole["nodes"]}
    with pytest.raises(InputError, match="offset"):
        ex.expand(ORG + "london-crc", offset=-1)


@pytest.mark.parametrize(
    ("path", "params", "word"),
    [
        ("expand", {}, "iri"),
        ("expand", {"iri": "not an iri"}, "iri"),
        ("expand", {"iri": ORG + "london-crc", "from": "last year"}, "from"),
        ("expand", {"iri": ORG + "london-crc", "providerKind": "Bank"}, "providerKind"),
        ("expand", {"iri": ORG + "london-crc", "limit": "0"}, "limit"),
        ("expand", {"iri": ORG + "london-crc", "offset": "-1"}, "offset"),
        ("node", {"iri": ORG + "no-such-thing"}, "no node"),
        ("search", {}, "q"),
        ("query", {"name": "no-such-query"}, "no-such-query"),
    ],
)
def test_bad_parameters_answer_400_with_one_line(
    client: TestClient, path: str, params: dict[str, str], word: str
) -> None:
    res = client.get(f"/explore/api/{path}", params=params)
    assert res.status_code == 400
    message = res.json()["error"]
    assert word in message
    assert "\n" not in message


@pytest.mark.slow
def test_walkthrough_in_headless_chromium(store: Store) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with serving(store) as base, playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto(base + "/explore")
        page.wait_for_selector("body[data-ready='1']")

        # 1. search by an alternative name, reached by keyboard
        page.fill("#q", "MTC novo")
        page.press("#q", "Enter")
        first = page.locator("#results button").first
        first.wait_for()
        assert "MTCnovo" in first.inner_text()
        page.keyboard.press("Enter")  # the first result has the focus
        page.wait_for_selector("#panel-title:has-text('MTCnovo')")
        page.screenshot(path=str(SHOTS / "explorer-1-search.png"))

        # 2. expand the owner, then go to London CRC and expand it
        page.click("#act-expand")
        crc = page.locator("#neighbours button", has_text="London Community Rehabilitation Company")
        crc.wait_for()
        crc.click()
        page.wait_for_selector("#panel-title:has-text('London Community Rehabilitation Company')")
        assert "owned by MTCnovo: 2015" in page.inner_text("#panel")
        page.click("#act-expand")
        page.wait_for_selector("#act-collapse")
        page.wait_for_function("document.getElementById('status').textContent.includes('neighbours shown')")
        page.screenshot(path=str(SHOTS / "explorer-2-expanded.png"))

        # 3. filter to critical findings in 2018
        page.select_option("#f-polarity", label="critical")
        page.fill("#f-from", "2018")
        page.fill("#f-to", "2018")
        page.click("#f-apply")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('Filters applied')")
        shown = page.evaluate(
            "() => probkgCy.nodes('[kind = \"Finding\"]').filter(n => n.visible())"
            ".map(n => [n.data('polarity'), n.data('date')])"
        )
        assert shown
        assert all(p == "critical" and d.startswith("2018") for p, d in shown)
        page.screenshot(path=str(SHOTS / "explorer-3-filtered.png"))

        # 4. open a finding from the keyboard-reachable neighbour list: quote and source link
        page.locator("#neighbours li", has_text="Finding").first.locator("button").click()
        page.wait_for_selector("#panel-quote")
        quote = page.inner_text("#panel-quote")
        assert len(quote) > 10
        href = page.get_attribute("#panel a.source-link", "href")
        assert href is not None
        assert href.startswith("https://")
        assert "w3id.org" not in href
        assert "characters" in page.inner_text("#panel")
        page.screenshot(path=str(SHOTS / "explorer-4-finding.png"))
        browser.close()
    assert problems == []
