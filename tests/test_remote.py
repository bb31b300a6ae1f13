"""The remote backend against real servers on loopback: Oxigraph server (PyPI) and Virtuoso (Debian).

The competency-question tests of ``test_competency.py`` run here again, on a graph built into each
server. Virtuoso is started from ``virtuoso-t`` with a minimal configuration in a temporary
directory; the tests that need it are skipped, naming the missing binary, when it is not installed
(CI installs it: see ``.ci/run``).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from probkg.errors import EndpointError
from probkg.graph.remote import TMP_GRAPH_PREFIX, RemoteStore

pytestmark = pytest.mark.server

ID = "https://w3id.org/probation-kg/id/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # answering, even if with an error status
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start in {seconds} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _missing(reason: str) -> None:
    """Skip when a server binary is absent, but fail where CI promised to install it."""
    if os.environ.get("PROBKG_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason}; PROBKG_REQUIRE_SERVERS=1 says it must be there")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("oxigraph")
    if exe is None:
        _missing("the 'oxigraph' server binary is not installed (pip install oxigraph)")
    port = _free_port()
    loc = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(loc), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        _stop(proc)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 120
"""


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    exe = shutil.which("virtuoso-t")
    if exe is None:
        _missing("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    d = tmp_path_factory.mktemp("virtuoso")
    http = _free_port()
    ini = Path(d, "virtuoso.ini")
    ini.write_text(VIRTUOSO_INI.format(d=d, sql=_free_port(), http=http))
    proc = subprocess.Popen(
        [exe, "+foreground", "+configfile", str(ini)],
        cwd=d,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(f"http://127.0.0.1:{http}/sparql?query=ASK%7B%7D", proc, seconds=120)
        yield f"http://127.0.0.1:{http}/sparql-auth"
    finally:
        _stop(proc)


@pytest.fixture
def virtuoso_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fresh database's administrator; Virtuoso's /sparql-auth answers with an HTTP Digest challenge.
    monkeypatch.setenv("PROBKG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("PROBKG_ENDPOINT_PASSWORD", "dba")


@pytest.fixture(params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> RemoteStore:
    if request.param == "virtuoso":
        url = request.getfixturevalue("virtuoso_server")
        request.getfixturevalue("virtuoso_credentials")
    else:
        url = request.getfixturevalue("oxigraph_server")
    return RemoteStore(url)


def _leftovers(store: RemoteStore) -> list[str]:
    rows = store.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [str(r["g"]) for r in rows if str(r["g"]).startswith(TMP_GRAPH_PREFIX)]


# ---- round trips ------------------------------------------------------------------------------------
def test_graph_round_trip_keeps_terms_and_named_graphs(remote: RemoteStore) -> None:
    g1, g2 = URIRef(ID + "graph/test/one"), URIRef(ID + "graph/test/two")
    b = BNode()
    triples = [
        (URIRef(ID + "org/a"), URIRef("urn:p:label"), Literal('two\nlines and a "quote"', lang="en")),
        (URIRef(ID + "org/a"), URIRef("urn:p:during"), b),
        (b, URIRef("urn:p:year"), Literal("2017", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))),
        (URIRef(ID + "org/a"), URIRef("urn:p:kind"), Literal("CRC")),
    ]
    assert remote.replace_graph(g1, triples) == 4
    assert remote.replace_graph(g2, triples[:1]) == 1
    sizes = remote.graph_sizes()
    assert sizes[str(g1)] == 4
    assert sizes[str(g2)] == 1
    got = {
        (s, p, o) for s, p, o, _ in remote.quads(g1) if not isinstance(s, BNode) and not isinstance(o, BNode)
    }
    assert got == {t for t in triples if not isinstance(t[0], BNode) and not isinstance(t[2], BNode)}
    # blank node structure survives the trip
    years = remote.select_rows("SELECT ?y WHERE { <" + ID + "org/a> <urn:p:during>/<urn:p:year> ?y }")
    assert [str(r["y"]) for r in years] == ["2017"]
    # the default graph is the union of the named graphs
    assert remote.query("ASK { <" + ID + 'org/a> <urn:p:kind> "CRC" }').askAnswer is True
    remote.drop_graph(g1)
    remote.drop_graph(g2)
    assert str(g1) not in remote.graph_sizes()


def test_failed_upload_leaves_no_partial_graph(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = URIRef(ID + "graph/test/atomic")
    old = [(URIRef(ID + "org/old"), URIRef("urn:p:v"), Literal(i)) for i in range(3)]
    remote.replace_graph(graph, old)
    real = remote._serialize

    def broken(triples, out):  # type: ignore[no-untyped-def]
        n = real(triples, out)
        out.write(b'<urn:x> <urn:y> "never closed .\n')  # the server fails after most of the payload
        return n

    monkeypatch.setattr(remote, "_serialize", broken)
    new = [(URIRef(ID + f"org/new{i}"), URIRef("urn:p:v"), Literal(i)) for i in range(20000)]
    with pytest.raises(EndpointError) as err:
        remote.replace_graph(graph, new)
    assert str(err.value).startswith(remote.gsp_endpoint or remote.endpoint)
    assert "\n" not in str(err.value)
    assert remote.graph_sizes()[str(graph)] == 3  # old content intact, nothing of the new one
    assert _leftovers(remote) == []
    with pytest.raises(EndpointError):
        remote.commit(graph, new, catalog_entry=[(graph, URIRef("urn:p:c"), Literal(1))])
    assert remote.graph_sizes()[str(graph)] == 3
    assert _leftovers(remote) == []
    monkeypatch.undo()
    remote.drop_graph(graph)


def test_quads_file_streams_into_named_graphs(remote: RemoteStore, tmp_path: Path) -> None:
    from probkg.synth import write_synth

    nq = tmp_path / "s.nq"
    stats = write_synth(nq, 2, seed=11)
    written = remote.insert_quads_file(str(nq))
    assert len(written) == stats.graphs
    assert sum(written.values()) == stats.quads
    buf = io.BytesIO()
    remote.dump(buf, "nq")
    assert buf.getvalue().count(b"synth-s11") > 100
    for g in written:
        remote.drop_graph(URIRef(g))


# ---- errors -----------------------------------------------------------------------------------------
def test_unreachable_endpoint_is_one_line() -> None:
    url = f"http://127.0.0.1:{_free_port()}/sparql"
    with pytest.raises(EndpointError) as err:
        RemoteStore(url).graph_sizes()
    assert str(err.value) == f"{url}: connection refused"


def test_http_error_names_endpoint_and_status(oxigraph_server: str) -> None:
    url = oxigraph_server.rsplit("/", 1)[0] + "/no-such-path"
    with pytest.raises(EndpointError) as err:
        RemoteStore(url, server="oxigraph").graph_sizes()
    assert str(err.value).startswith(f"{url}: HTTP 404")
    assert "\n" not in str(err.value)


def test_bad_credentials_are_reported(virtuoso_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBKG_ENDPOINT_USER", "dba")
    monkeypatch.setenv("PROBKG_ENDPOINT_PASSWORD", "wrong")
    with pytest.raises(EndpointError, match=r"HTTP 401"):
        RemoteStore(virtuoso_server).graph_sizes()


def test_timeout_is_reported_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:  # accepts one connection and never answers
        try:
            conn, _ = listener.accept()
            held.append(conn)
        except OSError:
            pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    monkeypatch.setenv("PROBKG_ENDPOINT_TIMEOUT", "0.5")
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        with pytest.raises(EndpointError) as err:
            RemoteStore(url, server="generic").query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert str(err.value) == f"{url}: timed out after 0.5s"
    finally:
        for c in held:
            c.close()
        listener.close()


def test_cli_query_against_server_prints_one_line_error() -> None:
    from click.testing import CliRunner

    from probkg.cli import cli

    url = f"http://127.0.0.1:{_free_port()}/query"
    result = CliRunner().invoke(cli, ["query", "--endpoint", url, "ownership-changes"])
    assert result.exit_code == EndpointError.exit_code
    assert f"{url}: connection refused" in result.output
    assert "Traceback" not in result.output


# ---- the competency questions on each server ---------------------------------------------------------
import test_competency as _cq  # noqa: E402  (collected again below, with the remote store fixture)

for _name in dir(_cq):
    if _name.startswith("test_cq") and _name != "test_cq12_evidence_quote_when_built_with_sources":
        globals()[_name] = getattr(_cq, _name)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    if request.param == "virtuoso":
        url = request.getfixturevalue("virtuoso_server")
        os.environ["PROBKG_ENDPOINT_USER"] = "dba"
        os.environ["PROBKG_ENDPOINT_PASSWORD"] = "dba"
    else:
        url = request.getfixturevalue("oxigraph_server")
    try:
        s = RemoteStore(url)
        _cq.build(s)
        yield s
        for g in list(s.graph_sizes()):
            s.drop_graph(URIRef(g))
    finally:
        os.environ.pop("PROBKG_ENDPOINT_USER", None)
        os.environ.pop("PROBKG_ENDPOINT_PASSWORD", None)
