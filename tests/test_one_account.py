"""One account per document and per judgement (issue 7).

Through the CLI on an embedded (Oxigraph) store, as a user would: the seed texts loaded after
``probkg build`` leave the curated criticism count as it is, except for extracted judgements that
overlap no curated sentence; other renditions of a document (an excerpt with a ``SOURCE:`` line, an
HTML page, a truncated copy) enrich the document instead of conflicting with it; and the store holds
the same quads whatever order the sources are loaded in. Skipped when ``../shared`` is absent.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, URIRef

from probkg.cli import cli
from probkg.graph.base import CATALOG_GRAPH
from probkg.loading import load_unit
from probkg.queries import catalogue

pytestmark = pytest.mark.shared

ID = "https://w3id.org/probation-kg/id/"
PREFIXES = (
    "PREFIX prob: <https://w3id.org/probation-kg/def#> PREFIX oa: <http://www.w3.org/ns/oa#> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dct: <http://purl.org/dc/terms/> "
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
)
LONDON_URL = "https://www.justiceinspectorates.gov.uk/hmiprobation/media/press-releases/2018/03/londoncrc/"
CURATED_CRITICISMS = 46  # critical findings on the London CRC in the two curated files
MAX_ADDITIONS = 3


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _json(*args: str) -> dict:
    out = _run(*args)
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def _select(store: str, sparql: str) -> list[tuple]:
    from probkg.graph.store import open_store

    s = open_store(store)
    try:
        return [tuple(row) for row in s.query(PREFIXES + sparql)]  # type: ignore[arg-type]
    finally:
        s.close()


def _example_params(example: str) -> list[str]:
    out: list[str] = []
    for key, quoted, bare in re.findall(r'--param (\w+)=(?:"([^"]*)"|(\S+))', example):
        out += ["--param", f"{key}={quoted or bare}"]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store after ``probkg build`` (copied by each test that changes it)."""
    store = tmp_path_factory.mktemp("built") / "store"
    out = _run("build", "--store", str(store), "-q")
    assert out.exit_code == 0, out.output
    return store


def _fresh(built: Path, tmp_path: Path) -> str:
    target = tmp_path / "store"
    shutil.copytree(built, target)
    return str(target)


@pytest.fixture(scope="module")
def seeded(built: Path, shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    store = str(tmp_path_factory.mktemp("seeded") / "store")
    shutil.copytree(built, store)
    out = _run("load", "--store", store, "-q", str(shared_dir / "seeds"))
    assert out.exit_code == 0, out.output
    return store


# ------------------------------------------------------------------------------------------------ counts


def test_seeds_leave_the_curated_criticism_count(seeded: str) -> None:
    rows = _json(
        "query",
        "--store",
        seeded,
        "-q",
        "--format",
        "json",
        "criticised-by-owner",
        "--param",
        "owner=MTCnovo",
    )["results"]["bindings"]
    london = next(b for b in rows if b["provider"]["value"] == ID + "org/london-crc")
    criticisms = int(london["criticisms"]["value"])
    assert int(london["inspections"]["value"]) == 2
    # what lies above the curated count are extracted critical findings about the London CRC
    extracted = _select(
        seeded,
        "SELECT DISTINCT ?f WHERE { GRAPH ?g { ?f a prob:Finding ; prob:polarity prob:Critical ; "
        f"prob:aboutProvider <{ID}org/london-crc> }} FILTER STRSTARTS(STR(?g), '{ID}graph/doc/') }}",
    )
    assert criticisms == CURATED_CRITICISMS + len(extracted)
    assert len(extracted) <= MAX_ADDITIONS


def test_no_extracted_finding_repeats_a_curated_span(seeded: str) -> None:
    # every finding the text loader wrote for a seed text lies outside every curated finding's evidence
    rows = _select(
        seeded,
        "SELECT ?f ?s ?e ?cs ?ce WHERE { "
        "GRAPH ?g { ?f a prob:Finding ; prob:hasEvidence ?ev } "
        f"FILTER STRSTARTS(STR(?g), '{ID}graph/doc/') "
        "?ev oa:hasSource ?doc ; prob:sha256 ?sha ; oa:hasSelector ?p . ?p oa:start ?s ; oa:end ?e . "
        "GRAPH ?c { ?cf a prob:Finding ; prob:hasEvidence ?cev } "
        f"FILTER STRSTARTS(STR(?c), '{ID}graph/curated/') "
        "?cev oa:hasSource ?doc ; prob:sha256 ?sha ; oa:hasSelector ?cp . ?cp oa:start ?cs ; oa:end ?ce . "
        "FILTER (?s < ?ce && ?cs < ?e) }",
    )
    assert rows == []
    # and extracted evidence was attached to curated findings instead
    attached = _select(
        seeded,
        "SELECT (COUNT(DISTINCT ?ev) AS ?n) WHERE { "
        f"GRAPH ?g {{ ?cf prob:hasEvidence ?ev }} FILTER STRSTARTS(STR(?g), '{ID}graph/doc/') "
        f"GRAPH ?c {{ ?cf a prob:Finding }} FILTER STRSTARTS(STR(?c), '{ID}graph/curated/') }}",
    )
    assert int(attached[0][0]) > 50


@pytest.mark.parametrize("name", sorted(q.name for q in catalogue()))
def test_no_named_query_answers_a_curated_finding_twice(seeded: str, name: str) -> None:
    query = next(q for q in catalogue() if q.name == name)
    bindings = _json(
        "query", "--store", seeded, "-q", "--format", "json", name, *_example_params(query.example)
    )["results"]["bindings"]
    rows = [tuple(sorted((k, v["value"]) for k, v in b.items())) for b in bindings]
    assert [r for r, n in Counter(rows).items() if n > 1] == []
    # a finding is listed once per provider it is about (and, in the evidence query, per evidence)
    keyed = Counter(
        (b["finding"]["value"], b.get("provider", {}).get("value"), b.get("evidence", {}).get("value"))
        for b in bindings
        if "finding" in b
    )
    assert [k for k, n in keyed.items() if n > 1] == []


def test_findings_of_the_curated_inspections_are_the_curated_ones_plus_listed_additions(seeded: str) -> None:
    for inspection, curated in (
        ("2016-12-north-london", "russellwebster"),
        ("2018-03-london-crc", "hmiprob"),
    ):
        bindings = _json(
            "query",
            "--store",
            seeded,
            "-q",
            "--format",
            "json",
            "findings-of-inspection",
            "--param",
            f"inspection={ID}inspection/{inspection}",
        )["results"]["bindings"]
        findings = {b["finding"]["value"] for b in bindings}
        of_curated = {f for f in findings if f.startswith(f"{ID}finding/{curated}")}
        in_curated_graph = {
            str(r[0])
            for r in _select(
                seeded,
                "SELECT ?f WHERE { GRAPH ?c { ?f a prob:Finding ; "
                f"prob:inInspection <{ID}inspection/{inspection}> }} "
                f"FILTER STRSTARTS(STR(?c), '{ID}graph/curated/') }}",
            )
        }
        assert in_curated_graph <= of_curated
        assert len(findings - in_curated_graph) <= MAX_ADDITIONS


# ------------------------------------------------------------------------------------------------ renditions


def _documents(store: str) -> set[str]:
    return {str(r[0]) for r in _select(store, "SELECT DISTINCT ?d WHERE { ?d a prob:SourceDocument }")}


def _conforms(store: str) -> None:
    report = _json("validate", "--store", store, "-q", "--format", "json")
    assert report["violations"] == 0, report["results"][:3]
    assert report["conforms"] is True


def test_an_excerpt_of_the_london_release_enriches_the_curated_document(
    built: Path, shared_dir: Path, tmp_path: Path
) -> None:
    store = _fresh(built, tmp_path)
    before = _documents(store)
    excerpt = tmp_path / "london-excerpt.txt"
    raw = (shared_dir / "seeds" / "001_6798b32c9a677735.txt").read_bytes()[:2500]
    excerpt.write_bytes(f"SOURCE: {LONDON_URL}\n".encode() + raw)
    out = _run("load", "--store", store, "-q", str(excerpt))
    assert out.exit_code == 0, out.output
    _conforms(store)
    assert _documents(store) == before
    doc = f"<{ID}doc/hmiprobation-2018-03-londoncrc>"
    issued = {str(r[0]) for r in _select(store, f"SELECT ?d WHERE {{ {doc} dct:issued ?d }}")}
    assert issued == {"2018-03-08"}
    # the excerpt's checksum is recorded beside the curated one, and its run used the curated document
    shas = {str(r[0]) for r in _select(store, f"SELECT ?s WHERE {{ {doc} prob:sha256 ?s }}")}
    assert len(shas) == 2
    runs = _select(store, f"SELECT ?run WHERE {{ ?run a prob:ExtractionRun ; prov:used {doc} }}")
    assert len(runs) == 1


def _html_rendition(text: str, url_suffix: str = "/") -> str:
    head, body = text.split("\n\n", 1)
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    paras = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in body.split("\n\n") if p.strip())
    title = html.escape(meta["TITLE"])
    return (
        f'<!doctype html><html><head><title>{title}</title><link rel="canonical" '
        f'href="{meta["SOURCE"]}{url_suffix}"></head><body><nav>Home</nav><main><h1>{title}</h1>{paras}'
        "</main><footer>Contact us</footer></body></html>"
    )


def test_html_and_truncated_renditions_of_a_release_enrich_the_original(
    built: Path, shared_dir: Path, tmp_path: Path
) -> None:
    store = _fresh(built, tmp_path)
    original = shared_dir / "corpus" / "press" / "08_essex_crc_2018.txt"
    text = original.read_text(encoding="utf-8")
    page = tmp_path / "essex.html"
    page.write_text(_html_rendition(text), encoding="utf-8")
    head, body = text.split("\n\n", 1)
    truncated = tmp_path / "essex-truncated.txt"
    truncated.write_text(head + "\n\n" + body[: len(body) * 3 // 5], encoding="utf-8")

    doc = f"<{ID}doc/hmiprobation-2018-10-essexcrc>"
    count = f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ ?f a prob:Finding ; prov:wasDerivedFrom {doc} }}"
    assert _run("load", "--store", store, "-q", str(original)).exit_code == 0
    documents = _documents(store)
    findings = int(_select(store, count)[0][0])
    out = _run("load", "--store", store, "-q", str(page), str(truncated))
    assert out.exit_code == 0, out.output
    _conforms(store)
    assert _documents(store) == documents  # no second document node
    # the truncated copy repeats sentences of the original: the same findings, not new ones. The HTML
    # page adds at most two: its heading, and its last paragraph, which the page closes with a tag
    # where the plain-text excerpt stops mid-word (a cut-off sentence is not read as a judgement)
    assert int(_select(store, count)[0][0]) <= findings + 2
    graphs = {
        str(r[0])
        for r in _select(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?run prov:used {doc} }} }}")
    }
    assert len(graphs) == 3  # one graph per rendition, so none replaces another


# ------------------------------------------------------------------------------------------------ load order


def _units(shared_dir: Path, tmp: Path) -> list:
    from probkg.api import ontology_unit
    from probkg.loaders.curated import load_curated, shipped_curated_files
    from probkg.loaders.text import load_text

    seeds = shared_dir / "seeds"
    excerpt = tmp / "london-excerpt.txt"
    excerpt.write_bytes(
        f"SOURCE: {LONDON_URL}\n".encode() + (seeds / "001_6798b32c9a677735.txt").read_bytes()[:2500]
    )
    press = shared_dir / "corpus" / "press" / "08_essex_crc_2018.txt"
    page = tmp / "essex.html"
    page.write_text(_html_rendition(press.read_text(encoding="utf-8")), encoding="utf-8")
    units = [ontology_unit()]
    for path in shipped_curated_files():
        units += load_curated(path, seeds)
    texts = [
        *sorted(seeds.glob("*.txt")),
        excerpt,
        press,
        page,
        shared_dir / "corpus" / "genre" / "03_southend_standard_essex_crc_2018.txt",
    ]
    return units + [load_text(p) for p in texts]


def _content(store) -> Counter:
    """The store's quads with blank nodes blanked and run start times left out (catalogue excluded)."""
    started = URIRef("http://www.w3.org/ns/prov#startedAtTime")
    out: Counter = Counter()
    for s, p, o, g in store.quads():
        if g == CATALOG_GRAPH or p == started:
            continue
        out[tuple("_" if isinstance(t, BNode) else t for t in (s, p, o, g))] += 1
    return out


@pytest.fixture(scope="module")
def units(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list:
    return _units(shared_dir, tmp_path_factory.mktemp("units"))


@pytest.fixture(scope="module")
def reference(units: list) -> Counter:
    from probkg.graph.store import MemoryStore

    store = MemoryStore()
    for unit in units:
        load_unit(store, unit, validate=False, allow_core=True)
    return _content(store)


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_load_order_gives_the_same_quads(units: list, reference: Counter, data: st.DataObject) -> None:
    from probkg.graph.store import MemoryStore

    order = list(data.draw(st.permutations(range(len(units))), label="order"))
    for again in data.draw(st.lists(st.sampled_from(range(len(units))), max_size=3), label="again"):
        order.insert(data.draw(st.integers(0, len(order)), label="at"), again)
    store = MemoryStore()
    for i in order:
        load_unit(store, units[i], validate=False, allow_core=True)
    assert _content(store) == reference


# --------------------------------------------------------------------------------------------- other sources


def _blog_quoting_the_release(shared_dir: Path, path: Path) -> int:
    """A made-up blog post (written at test time, never shipped) that quotes three critical judgements
    of the curated London CRC release word for word; returns how many it quotes."""
    from probkg.loaders.curated import curated_findings, load_source_facts, source_documents

    text = (shared_dir / "seeds" / "001_6798b32c9a677735.txt").read_text(encoding="utf-8")
    document = next(d for d in source_documents().values() if d.slug == "hmiprobation-2018-03-londoncrc")
    facts = load_source_facts(document.path).triples
    critical = URIRef("https://w3id.org/probation-kg/def#Critical")
    polarity = URIRef("https://w3id.org/probation-kg/def#polarity")
    quotes = [
        text[a:b]
        for cf in curated_findings(document)
        if facts.value(cf.iri, polarity) == critical
        for a, b in cf.spans
        if b - a > 60
    ][:3]
    body = " ".join(f"The report on the London CRC said: “{q.rstrip('.')}.”" for q in quotes)
    path.write_text(
        "SOURCE: https://blog.example.org/2018/03/london-crc-inspection\n"
        "TITLE: What the inspectors said about the London CRC\n\n"
        "HM Inspectorate of Probation published its inspection of the London CRC on 8 March 2018. "
        + body
        + "\n",
        encoding="utf-8",
    )
    return len(quotes)


def test_a_blog_quoting_the_release_is_linked_and_counted_once(
    seeded: str, shared_dir: Path, tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    shutil.copytree(seeded, store)
    blog = tmp_path / "blog.txt"
    quoted = _blog_quoting_the_release(shared_dir, blog)
    assert quoted == 3

    def criticisms(*extra: str) -> int:
        rows = _json(
            "query",
            "--store",
            store,
            "-q",
            "--format",
            "json",
            "criticised-by-owner",
            "--param",
            "owner=MTCnovo",
            *extra,
        )["results"]["bindings"]
        return int(
            next(b for b in rows if b["provider"]["value"] == ID + "org/london-crc")["criticisms"]["value"]
        )

    before = criticisms()
    assert _run("load", "--store", store, "-q", str(blog)).exit_code == 0
    _conforms(store)
    links = _select(store, "SELECT ?a ?b WHERE { ?a prob:sameJudgementAs ?b }")
    assert len({a for a, _ in links}) >= 2  # the blog's findings point at the release's curated findings
    assert all(str(b).startswith(ID + "finding/hmiprobation-2018-03-londoncrc/") for _, b in links)
    linked = {str(a) for a, _ in links}
    # the blog stays a source of its own: its findings exist, but a judgement it repeats counts once
    assert criticisms() == before + (len(_blog_findings(store)) - len(linked))
    assert criticisms("--param", "per=source") == before + len(_blog_findings(store))


def _blog_findings(store: str) -> set[str]:
    return {
        str(r[0])
        for r in _select(
            store,
            f"SELECT ?f WHERE {{ ?f a prob:Finding ; prob:polarity prob:Critical ; "
            f"prob:aboutProvider <{ID}org/london-crc> ; prov:wasDerivedFrom ?d . "
            "?d foaf:page <https://blog.example.org/2018/03/london-crc-inspection> }",
        )
    }


def test_dates_of_different_precision_are_reconciled(built: Path, shared_dir: Path, tmp_path: Path) -> None:
    store = _fresh(built, tmp_path)
    original = shared_dir / "corpus" / "press" / "08_essex_crc_2018.txt"
    head, body = original.read_text(encoding="utf-8").split("\n\n", 1)
    dated = tmp_path / "essex-dated.txt"  # the same page, saved with the day of publication stated
    dated.write_text(f"{head}\n\nThe report was published on 10 October 2018.\n\n{body}", encoding="utf-8")
    out = _run("load", "--store", store, "-q", str(original), str(dated))
    assert out.exit_code == 0, out.output
    _conforms(store)
    doc = f"<{ID}doc/hmiprobation-2018-10-essexcrc>"
    issued = {str(r[0]) for r in _select(store, f"SELECT ?d WHERE {{ {doc} dct:issued ?d }}")}
    assert issued == {"2018-10", "2018-10-10"}  # both statements kept, each in its source's graph
    rows = _json(
        "query", "--store", store, "-q", "--format", "json", "inspections-of", "--param", "provider=Essex CRC"
    )["results"]["bindings"]
    assert [b["published"]["value"] for b in rows] == ["2018-10-10"]  # readers take the most precise


@pytest.mark.slow
def test_texts_before_the_curated_files_load_validated(units: list) -> None:
    """Each text graph validates on its own: loaded before the curated files it merges with (after
    the ontology and the registry, which every source needs), nothing is refused."""
    from probkg.graph.store import MemoryStore
    from probkg.validation.gate import validate_store

    store = MemoryStore()
    base = [u for u in units if u.loader == "ontology" or str(u.graph) == ID + "graph/registry"]
    curated = [u for u in units if u.loader == "curated" and u not in base]
    texts = [u for u in units if u.loader == "text"]
    for unit in [*base, *texts, *curated]:
        load_unit(store, unit, allow_core=True)  # raises ValidationFailed on a Violation
    assert validate_store(store).conforms
