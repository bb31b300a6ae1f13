"""The offline HTML export: the explorer's own page code with a subset inlined, working with no network."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from probkg.api import build, load
from probkg.exports.formats import dumps
from probkg.graph.base import Store
from probkg.graph.store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "docs" / "screenshots"
ORG = "https://w3id.org/probation-kg/id/org/"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    s = OxigraphStore(tmp_path_factory.mktemp("export") / "store")
    build(s)
    load(s, [REPO / "tests" / "resources" / "text"])
    yield s
    s.close()


@pytest.fixture(scope="module")
def page(store: Store) -> str:
    return dumps(store, "html")


def _data(text: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    m = re.search(r'<script id="probkg-data" type="application/json">(.*?)</script>', text, re.S)
    assert m
    return json.loads(m.group(1)), text[: m.start(1)] + text[m.end(1) :]


def test_export_is_one_file_that_loads_nothing(page: str) -> None:
    data, rest = _data(page)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)\s*=\s*\"(?!data:)", rest, re.I)
    assert "cytoscape" in rest  # the renderer is inlined
    assert "probkg explorer" in rest  # the same page as /explore
    assert "__BASE__" not in rest
    assert data["nodes"]


def test_export_embeds_nodes_details_and_dated_ownerships(page: str) -> None:
    data, _ = _data(page)
    ids = {n["id"] for n in data["nodes"]}
    assert {ORG + "london-crc", ORG + "mtcnovo"} <= ids
    owns = [e for e in data["edges"] if e["rel"] == "owns" and e["target"] == ORG + "london-crc"]
    assert owns
    assert owns[0]["from"]
    findings = [n for n in data["nodes"] if n["kind"] == "Finding"]
    assert findings
    for n in findings:
        assert n["id"].rsplit("/", 1)[-1] not in n["label"]
    quoted = [data["details"][n["id"]] for n in findings if data["details"][n["id"]].get("evidence")]
    assert any(e["url"] and e["url"].startswith("http") for d in quoted for e in d["evidence"])
    assert set(data["facets"]) >= {"owners", "themes", "polarities", "ratings", "providerKinds"}


def test_export_of_an_rdflib_dataset(store: Store) -> None:
    from rdflib import Dataset

    ds = Dataset()
    for s, p, o, g in store.quads():
        ds.graph(g).add((s, p, o))
    data, _ = _data(dumps(ds, "html"))
    assert ORG + "london-crc" in {n["id"] for n in data["nodes"]}


def test_export_refuses_a_bad_node_cap(store: Store) -> None:
    import io

    from probkg.errors import InputError
    from probkg.exports.explorer import export_html

    with pytest.raises(InputError, match="max_nodes"):
        export_html(store, io.StringIO(), max_nodes=0)


@pytest.mark.slow
def test_offline_page_in_headless_chromium_with_the_network_cut(page: str, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    path = tmp_path / "explorer.html"
    path.write_text(page, encoding="utf-8")
    problems: list[str] = []
    outside: list[str] = []
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.route(
            re.compile(r"^(?!file:|data:).*"),
            lambda route: (outside.append(route.request.url), route.abort()),
        )
        tab.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        tab.on("pageerror", lambda e: problems.append(str(e)))
        tab.goto(path.as_uri())
        tab.wait_for_selector("body[data-ready='1']")
        assert tab.evaluate("probkgCy.nodes().length") > 20
        tab.fill("#q", "MTC novo")
        tab.press("#q", "Enter")
        tab.locator("#results button", has_text="MTCnovo").first.click()
        tab.wait_for_selector("#panel-title:has-text('MTCnovo')")
        tab.fill("#q", "charities")
        tab.press("#q", "Enter")
        tab.locator("#results button", has_text="Finding").first.click()
        tab.wait_for_selector("#panel-quote")
        href = tab.get_attribute("#panel a.source-link", "href")
        assert href is not None
        assert href.startswith("https://www.example.org/")
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / "export-offline.png"))
        browser.close()
    assert outside == []
    assert problems == []
