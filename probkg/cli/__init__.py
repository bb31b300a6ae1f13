"""The ``probkg`` command: a thin layer over :mod:`probkg.api`.

Exit codes: 0 success; 1 a check failed (SHACL violations); 2 bad usage or input (unknown query,
missing parameter, malformed file, unknown format); 3 the store or endpoint failed (locked, unreachable);
4 an unexpected internal error. Errors are printed as one line on stderr, ``probkg: error: ...``;
``--debug`` adds the traceback.

Store selection, on every command that uses one: ``--store DIR`` (else ``$PROBKG_STORE``, else
``~/.local/share/probkg/store``), ``--memory`` (a throwaway in-memory store: ``build --memory`` validates
and reports without persisting anything; other commands first build the shipped data into it), or
``--endpoint URL`` (a remote SPARQL server).

Imports of the heavy parts happen inside the commands so that ``probkg query`` starts quickly.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from probkg._version import __version__
from probkg.errors import InputError, ProbkgError, QueryError
from probkg.formats import EXPORT_NAMES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from probkg.graph.base import LoadOutcome, Store

__all__ = ["cli", "main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERNAL = 4
_QUIET = "probkg.quiet"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class ProbkgGroup(click.Group):
    """A click group that turns every error into one ``probkg: error:`` line and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        # rdflib logs a multi-line traceback for an ill-typed literal (e.g. "2020-13-45"^^xsd:date);
        # the shapes report such values as violations, in one line each.
        logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)
        code: int
        try:
            rv = super().main(argv, prog_name or "probkg", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except ProbkgError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"probkg: error: {_one_line(str(exc))}", err=True)
            code = exc.exit_code
        except click.exceptions.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"probkg: error: {_one_line(exc.format_message())}{hint}", err=True)
            code = 2
        except click.exceptions.ClickException as exc:
            click.echo(f"probkg: error: {_one_line(exc.format_message())}", err=True)
            code = 2
        except click.exceptions.Abort:
            click.echo("probkg: aborted", err=True)
            code = 1
        except KeyboardInterrupt:
            click.echo("probkg: interrupted", err=True)
            code = 130
        except BrokenPipeError:
            code = 0
        except Exception as exc:
            if debug:
                traceback.print_exc()
            click.echo(
                f"probkg: error: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code


# ---- shared options ------------------------------------------------------------------------------
def _set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_QUIET] = True


def _common(f: F) -> F:
    f = click.option(
        "--debug", is_flag=True, expose_value=False, is_eager=True, help="Show the traceback of an error."
    )(f)
    f = click.option(
        "--quiet",
        "-q",
        is_flag=True,
        expose_value=False,
        callback=_set_quiet,
        help="Print only the requested output, no progress or summaries.",
    )(f)
    return f


def _format_option(*choices: str) -> Callable[[F], F]:
    """``--format`` (parameter ``fmt``) with these choices; the first is the default."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True
    )


def _store_options(f: F) -> F:
    f = click.option(
        "--endpoint", metavar="URL", help="Use a remote SPARQL 1.1 endpoint instead of a local store."
    )(f)
    f = click.option("--memory", is_flag=True, help="Use a throwaway in-memory store (nothing is saved).")(f)
    f = click.option(
        "--store",
        "store_dir",
        metavar="DIR",
        help="Store directory (default: $PROBKG_STORE, else ~/.local/share/probkg/store).",
    )(f)
    return _common(f)


def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.meta.get(_QUIET))


def _note(message: str) -> None:
    if not _quiet():
        click.echo(message, err=True)


@contextmanager
def _opened(
    store_dir: str | None, memory: bool, endpoint: str | None, *, prebuild: bool = True, create: bool = False
) -> Iterator[Store]:
    """Open the chosen store; a memory store gets the shipped data first unless ``prebuild`` is off.

    A store directory that does not exist is created only when ``create`` is given (build, load).
    """
    from probkg.api import build, open_store

    store = open_store(store_dir, memory=memory, endpoint=endpoint, create=create)
    try:
        if memory and prebuild:
            _note("probkg: building the shipped data into a throwaway in-memory store")
            build(store)
        yield store
    finally:
        store.close()


_T = TypeVar("_T")


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _stoppable(work: Callable[[], _T], *, timeout: float | None = None, what: str = "query") -> _T:
    """Run ``work`` in a worker thread so that Ctrl-C, SIGTERM and ``timeout`` stop it at once.

    The engine's long calls do not return to Python, so the main thread waits for the worker and
    exits the process itself when stopped (exit 130 when interrupted, 3 on timeout). A store stays
    consistent: every write is one engine transaction, and a bulk load's journal is undone when the
    store is next opened.
    """
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the main thread
            result["error"] = exc

    worker = threading.Thread(target=run, name="probkg-work", daemon=True)
    main_thread = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, _raise_interrupt) if main_thread else None
    deadline = time.monotonic() + timeout if timeout else None
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.05)
            if deadline is not None and time.monotonic() > deadline and worker.is_alive():
                click.echo(
                    f"probkg: error: the {what} took longer than {timeout:g} s (see --timeout)", err=True
                )
                sys.stderr.flush()
                os._exit(3)
    except KeyboardInterrupt:
        click.echo(
            f"probkg: interrupted; the {what} was stopped and the store keeps a consistent state", err=True
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, old)
    if "error" in result:
        raise result["error"]
    return result["value"]


_SPARQL_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![A-Za-z0-9_])service(?![A-Za-z0-9_])", re.IGNORECASE)


def _refuse_service(text: str) -> None:
    """Refuse SPARQL naming SERVICE anywhere, after the codepoint escapes SPARQL allows everywhere.

    The check errs on the side of refusing (a string literal containing the word is refused too):
    the engine would otherwise send requests to any URL the query names.
    """

    def unescape(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group(0)

    if _SERVICE.search(_SPARQL_ESCAPE.sub(unescape, text)):
        raise QueryError(
            "SERVICE (federated query) is not allowed from the CLI; pass --allow-service to permit it"
        )


def _short(iri: str) -> str:
    from probkg.ontology.namespaces import PREFIXES

    best = ("", "")
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(best[1]):
            best = (prefix, str(ns))
    return f"{best[0]}:{iri[len(best[1]) :]}" if best[1] else iri


def _console(err: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if err else sys.stdout
    width = None if stream.isatty() else 200
    return Console(file=stream, width=width, highlight=False, soft_wrap=False)


def _table(
    title: str | None, headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()
) -> None:
    from rich.table import Table

    table = Table(title=title, show_edge=False, box=None, pad_edge=False, header_style="bold")
    for i, h in enumerate(headers):
        table.add_column(h, justify="right" if i in right else "left", overflow="fold")
    for row in rows:
        table.add_row(*(str(c) for c in row))
    _console().print(table)


def _print_outcomes(
    outcomes: list[LoadOutcome], fmt: str, store: Store, errors: dict[str, str] | None = None
) -> None:
    errors = errors or {}
    if fmt == "json":
        doc = []
        for o in outcomes:
            item: dict[str, Any] = {
                "graph": o.graph or None,
                "status": o.status,
                "triples": o.triples,
                "source": o.source,
                "superseded": list(o.superseded),
            }
            if o.status == "failed":
                item["error"] = errors.get(o.source)
            doc.append(item)
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if _quiet():
        return
    rows = []
    for o in outcomes:
        status = o.status + (f" (dropped {len(o.superseded)} older)" if o.superseded else "")
        rows.append((_short(o.graph) if o.graph else o.source, status, o.triples))
    _table(None, ("graph", "status", "triples"), rows, right=(2,))
    counts = {
        s: sum(1 for o in outcomes if o.status == s) for s in ("added", "replaced", "unchanged", "failed")
    }
    where = "in memory, not saved" if store.kind == "memory" else store.location
    failed = f", {counts['failed']} failed" if counts["failed"] else ""
    _note(
        f"{len(outcomes)} graph{'s' if len(outcomes) != 1 else ''}: {counts['added']} added, "
        f"{counts['replaced']} replaced, {counts['unchanged']} unchanged{failed}; "
        f"{store.triple_count()} triples ({where})"
    )


class _BulkBars:
    """A rich progress bar (on stderr) for each RDF file that streams into the store."""

    def __init__(self, show: bool) -> None:
        self.show = show
        self.outer: Any = None  # the bar over all files, when there is one
        self._bar: Any = None
        self._task: Any = None

    def update(self, path: str, done: int, total: int) -> None:
        if not self.show:
            return
        if self._task is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            bar = self.outer
            if bar is None:
                bar = self._bar = Progress(
                    TextColumn("[bold]{task.description}"),
                    BarColumn(),
                    TextColumn("{task.completed:,}/{task.total:,} quads"),
                    TimeRemainingColumn(),
                    console=_console(err=True),
                    transient=True,
                )
                bar.start()
            self._task = bar.add_task(os.path.basename(path), total=total)
        (self._bar or self.outer).update(self._task, completed=done, total=total)

    def finish(self) -> None:
        if self._task is not None and self.outer is not None:
            self.outer.remove_task(self._task)
        if self._bar is not None:
            self._bar.stop()
        self._bar = self._task = None


# ---- commands ---------------------------------------------------------------------------------------
@click.group(cls=ProbkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="probkg")
@_common
def cli() -> None:
    """A knowledge graph of HM Inspectorate of Probation findings on probation providers."""


@cli.command()
@click.option(
    "--sources",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="Directory of source texts; curated findings then carry their exact quotes.",
)
@_format_option("table", "json")
@_store_options
def build(sources: str | None, fmt: str, store_dir: str | None, memory: bool, endpoint: str | None) -> int:
    """Load the ontology, the organisation registry and the curated facts, each validated.

    Idempotent: a second run changes nothing. With --memory the data is built and validated in
    memory and nothing is saved.
    """
    from probkg.api import build as build_store

    with _opened(store_dir, memory, endpoint, prebuild=False, create=True) as store:
        outcomes = build_store(store, sources)
        _print_outcomes(outcomes, fmt, store)
    return 0


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--sources",
    type=click.Path(exists=True, file_okay=False),
    metavar="DIR",
    help="Directory of source texts that curated YAML files quote from.",
)
@_format_option("table", "json")
@click.option("--force", is_flag=True, help="Reload even when the catalogue says a source is unchanged.")
@click.option(
    "--allow-core",
    is_flag=True,
    help="Allow writing the core graphs (ontology, registry, curated), which otherwise only `build` writes.",
)
@click.option(
    "--replaces",
    "replaces",
    metavar="OLD_PATH",
    multiple=True,
    help="The path this file was loaded from before it was renamed and edited: what came from there "
    "is replaced.",
)
@_store_options
def load(
    paths: tuple[str, ...],
    sources: str | None,
    fmt: str,
    force: bool,
    allow_core: bool,
    replaces: tuple[str, ...],
    store_dir: str | None,
    memory: bool,
    endpoint: str | None,
) -> int:
    """Load files or directories: RDF (.ttl .nt .nq .trig .jsonld .rdf), curated .yaml, text (.txt .md .html).

    Each source becomes one named graph, validated before it is written; loading the same bytes
    again changes nothing, and a changed file replaces its graph. A file that fails (malformed, or
    breaking the shapes) is reported on its own line and skipped; the others are still loaded, and
    the exit status is that of the worst failure. A file renamed without changes keeps its graph (the
    catalogue records the new path); a file renamed and edited is a new document unless --replaces
    names its old path.
    """
    from probkg.api import load as load_into
    from probkg.errors import StoreError
    from probkg.graph.base import LoadOutcome as Outcome
    from probkg.loaders import expand_paths

    files = list(expand_paths(paths))
    if not files:
        raise InputError("no loadable files found in " + ", ".join(paths))
    if replaces and len(files) != 1:
        raise InputError("--replaces applies to one file; load the renamed file on its own")
    failures: list[ProbkgError] = []
    show = not _quiet() and sys.stderr.isatty()
    with _opened(store_dir, memory, endpoint, create=True) as store:
        outcomes: list[LoadOutcome] = []
        bars = _BulkBars(show)

        def one(f: Path) -> None:
            try:
                outcomes.extend(
                    load_into(
                        store,
                        [f],
                        sources=sources,
                        bulk_progress=bars.update,
                        force=force,
                        allow_core=allow_core,
                        replaces=replaces,
                    )
                )
            except StoreError:
                raise
            except ProbkgError as exc:
                if len(files) == 1:
                    raise
                failures.append(exc)
                click.echo(f"probkg: error: {_one_line(str(exc))}", err=True)
                count = store.triple_count()
                outcomes.append(Outcome("", "failed", 0, count, count, str(f)))
            finally:
                bars.finish()

        def run_all() -> None:
            if len(files) > 3 and show:
                from rich.progress import Progress

                with Progress(console=_console(err=True), transient=True) as bar:
                    bars.outer = bar
                    task = bar.add_task("loading", total=len(files))
                    for f in files:
                        bar.update(task, description=f.name)
                        one(f)
                        bar.advance(task)
            else:
                for f in files:
                    one(f)

        _stoppable(run_all, what="load")
        _print_outcomes(outcomes, fmt, store, {str(e.path): _one_line(str(e)) for e in failures})
        if any(o.status in ("added", "replaced") for o in outcomes) and not replaces:
            _note_vanished(store, files)
    return max((e.exit_code for e in failures), default=0)


def _note_vanished(store: Store, loaded: Sequence[Path]) -> None:
    """Name files whose graphs are loaded but which are gone from disk, beside or named like ``loaded``.

    Such a file was perhaps renamed and edited into one just loaded, which is then a new document;
    ``--replaces`` says otherwise. Only a hint: nothing is changed.
    """
    if store.kind == "remote":
        return
    dirs = {os.path.dirname(os.path.realpath(f)) for f in loaded}
    names = {os.path.basename(f) for f in loaded}
    gone = sorted(
        {
            info.source
            for info in store.catalog().values()
            if info.loader in ("rdf", "text") and info.source and os.path.isabs(info.source)
            if os.path.dirname(info.source) in dirs or os.path.basename(info.source) in names
            if not os.path.exists(info.source)
        }
    )
    for path in gone[:5]:
        _note(
            f"note: {path} was loaded but no longer exists; if a file just loaded is it renamed and "
            f"edited, load that file again with --replaces {path}"
        )


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_format_option("json")
@click.option(
    "--explain",
    is_flag=True,
    help="Instead of JSON, print for each finding the cues that made it one, its polarity, theme, "
    "attribution and the rule that chose its providers.",
)
@_common
def extract(paths: tuple[str, ...], fmt: str, explain: bool) -> int:
    """Extract organisations, inspections, ratings, findings and figures from press-release texts.

    Prints one JSON array with an object per file; no store is used. --explain prints a
    readable audit of every finding instead.
    """
    from probkg.loaders.text import extract_paths
    from probkg.loaders.text.extract import text_files

    files = [str(p) for p in text_files(paths)]
    if explain:
        from probkg.loaders.text.extract import explain_text, extract_document
        from probkg.loaders.text.reader import read_path

        for f in files:
            doc, _ = read_path(f)
            click.echo(explain_text(extract_document(doc)))
        return 0
    click.echo(json.dumps(extract_paths(files), indent=2, ensure_ascii=False))
    return 0


def _jsonable(value: Any) -> Any:
    import dataclasses

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@cli.command()
@_format_option("table", "json")
@_common
def queries(fmt: str) -> int:
    """List the named queries: name, title and parameters."""
    from probkg.queries import catalogue

    items = catalogue()
    if fmt == "json":
        doc = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "parameters": _jsonable(list(q.parameters)),
            }
            for q in items
        ]
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    rows = []
    for q in items:
        params = " ".join(
            f"{p.name}" if getattr(p, "required", False) else f"[{p.name}]" for p in q.parameters
        )
        rows.append((q.name, q.title, params))
    _table(None, ("name", "title", "parameters"), rows)
    return 0


def _params(pairs: tuple[str, ...]) -> dict[str, str]:
    from probkg.errors import QueryError

    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {pair!r} is not KEY=VALUE")
        out[key.strip()] = value
    return out


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Value of a parameter of the named query (repeatable).",
)
@click.option(
    "--file",
    "query_file",
    type=click.Path(dir_okay=False),
    metavar="Q.rq",
    help="Run the SPARQL query in this file.",
)
@click.option("--sparql", metavar="TEXT", help="Run this SPARQL query text.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Stop the query after this many seconds (exit 3).",
)
@click.option(
    "--allow-service", is_flag=True, help="Allow SERVICE clauses, which fetch from other endpoints."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "turtle", "nt"]),
    default="table",
    show_default=True,
    help="Output: table, or W3C SPARQL results CSV/TSV/JSON; turtle or nt for CONSTRUCT.",
)
@_store_options
def query(
    name: str | None,
    params: tuple[str, ...],
    query_file: str | None,
    sparql: str | None,
    timeout: float,
    allow_service: bool,
    fmt: str,
    store_dir: str | None,
    memory: bool,
    endpoint: str | None,
) -> int:
    """Run a named query (see 'probkg queries'), a query file, or SPARQL text."""
    given = sum(x is not None for x in (name, query_file, sparql))
    if given != 1:
        raise click.UsageError("give exactly one of NAME, --file Q.rq or --sparql TEXT")
    if params and name is None:
        raise click.UsageError("--param applies to named queries only")
    text = None
    if query_file is not None:
        try:
            with open(query_file, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise InputError(f"cannot read query file: {exc.strerror or exc}", path=query_file) from exc
    elif sparql is not None:
        text = sparql
    from probkg.queries import format_result, run_named, run_sparql

    bound = _params(params)
    if name is not None:  # check the name and parameters before opening a store
        from probkg.queries import get
        from probkg.queries.runner import check

        check(get(name), bound)
    if text is not None and not allow_service:
        try:
            _refuse_service(text)
        except ProbkgError as exc:
            exc.path = query_file or exc.path
            raise
    with _opened(store_dir, memory, endpoint) as store:

        def work() -> str:
            if text is not None:
                try:
                    output = run_sparql(store, text)
                except ProbkgError as exc:
                    if query_file is not None and exc.path in (None, "<query>"):
                        exc.path = query_file
                    raise
            else:
                output = run_named(store, name, bound)  # type: ignore[arg-type]
            return format_result(output, fmt)

        rendered = _stoppable(work, timeout=timeout)
    click.echo(rendered, nl=not rendered.endswith("\n"))
    return 0


@cli.command()
@_format_option("text", "json")
@_store_options
def validate(fmt: str, store_dir: str | None, memory: bool, endpoint: str | None) -> int:
    """SHACL-validate the whole store; exit status 1 when there are violations."""
    from probkg.api import validate as validate_store

    with _opened(store_dir, memory, endpoint) as store:
        report = validate_store(store)
    click.echo(report.to_json() if fmt == "json" else report.to_text(), nl=fmt == "json")
    return 0 if report.conforms else 1


@cli.command()
@_format_option("table", "json")
@_store_options
def stats(fmt: str, store_dir: str | None, memory: bool, endpoint: str | None) -> int:
    """Count triples per named graph and instances per class."""
    from probkg.api import stats as store_stats

    with _opened(store_dir, memory, endpoint) as store:
        counts = store_stats(store)
    if fmt == "json":
        click.echo(json.dumps(counts, indent=2, ensure_ascii=False))
        return 0
    _table(None, ("graph", "triples"), [(_short(g), n) for g, n in counts["graphs"].items()], right=(1,))
    click.echo(f"\n{counts['triples']} triples in {len(counts['graphs'])} graphs\n")
    _table(None, ("class", "instances"), [(_short(c), n) for c, n in counts["classes"].items()], right=(1,))
    return 0


_RDF_EXPORTS = tuple(name for name in EXPORT_NAMES if name != "jsonld")  # JSON-LD: probkg.exports


def _selection_options(f: F) -> F:
    """Options choosing part of the graph, shared by ``export`` and ``analyse`` (as in the explorer)."""
    for option in reversed(
        [
            click.option(
                "--view",
                "include",
                default="domain",
                show_default=True,
                metavar="VIEW",
                help="Nodes shown: domain, assessment, ownership, all, or categories separated by commas.",
            ),
            click.option(
                "--owner", "owners", multiple=True, metavar="NAME", help="Only what this owner held."
            ),
            click.option(
                "--provider", "providers", multiple=True, metavar="NAME", help="Only this provider's part."
            ),
            click.option(
                "--theme", "themes", multiple=True, metavar="THEME", help="Only findings on this theme."
            ),
            click.option("--from", "start", metavar="DATE", help="Inspections and ownerships from this day."),
            click.option("--to", "end", metavar="DATE", help="Inspections and ownerships up to this day."),
            click.option("--max-nodes", type=int, metavar="N", help="At most N nodes (organisations first)."),
        ]
    ):
        f = option(f)
    return f


def _selection(
    owners: tuple[str, ...],
    providers: tuple[str, ...],
    themes: tuple[str, ...],
    start: str | None,
    end: str | None,
    max_nodes: int | None,
) -> dict[str, Any]:
    from probkg.exports.select import parse_day

    chosen: dict[str, Any] = {
        "owners": owners,
        "providers": providers,
        "themes": themes,
        "start": parse_day(start, "--from"),
        "end": parse_day(end, "--to"),
        "max_nodes": max_nodes,
    }
    if max_nodes is not None and max_nodes < 1:
        raise InputError(f"--max-nodes must be at least 1, not {max_nodes}")
    return {k: v for k, v in chosen.items() if v}


@cli.command()
@click.option(
    "--format",
    "fmt",
    default="nq",
    show_default=True,
    metavar="FORMAT",
    help="nq, trig, nt, ttl or jsonld (RDF); graphml, gexf, cytoscape, dot or html (graph views).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE",
    help="Write to FILE instead of standard output.",
)
@_selection_options
@click.option(
    "--layout",
    "layout_method",
    default="fa2",
    show_default=True,
    metavar="LAYOUT",
    help="Node positions: fa2 (ForceAtlas2, Barnes-Hut), spring (small graphs) or none.",
)
@_store_options
def export(
    fmt: str,
    output: str | None,
    include: str,
    owners: tuple[str, ...],
    providers: tuple[str, ...],
    themes: tuple[str, ...],
    start: str | None,
    end: str | None,
    max_nodes: int | None,
    layout_method: str,
    store_dir: str | None,
    memory: bool,
    endpoint: str | None,
) -> int:
    """Write the store's data (the catalogue left out) in an RDF format, or a selection as a graph format.

    Graph formats (graphml, gexf, cytoscape, dot, html) take the selections (--view, --owner, --provider,
    --theme, --from, --to, --max-nodes) and a layout; the RDF formats write every graph.
    """
    from probkg.exports.formats import FORMATS, LAYOUTS
    from probkg.exports.formats import export as exporter

    fmt = fmt.lower()
    if fmt not in _RDF_EXPORTS and fmt not in FORMATS:
        names = ", ".join([*_RDF_EXPORTS, *sorted(FORMATS)])
        raise InputError(f"unknown export format {fmt!r}; choose from {names}")
    if layout_method not in LAYOUTS:
        raise InputError(f"--layout: unknown layout {layout_method!r}; choose from {', '.join(LAYOUTS)}")
    selection = _selection(owners, providers, themes, start, end, max_nodes)
    graph_format = fmt in FORMATS and FORMATS[fmt].graph
    if not graph_format and (selection or include != "domain"):
        raise InputError(f"--format {fmt} writes the whole data set: selections apply to graph formats")
    with _opened(store_dir, memory, endpoint) as store:
        target = open(output, "wb") if output else None  # noqa: SIM115 - closed below, removed on failure
        out = target or sys.stdout.buffer
        try:
            if fmt in FORMATS:
                kwargs: dict[str, Any] = {"selection": selection, "layout_method": layout_method}
                if graph_format:
                    kwargs["include"] = include
                exporter(store, fmt, out, **kwargs)
            else:
                store.dump(out, fmt)
        except BaseException:
            if target is not None:
                target.close()
                os.unlink(output)  # type: ignore[arg-type]
            raise
        if target is not None:
            target.close()
            _note(f"probkg: wrote {fmt} to {output}")
        else:
            out.flush()
    return 0


# ---- graph analytics (probkg.exports.analytics) ------------------------------------------------------------
@cli.command()
@_format_option("table", "json")
@_selection_options
@click.option("--on", "on_date", metavar="YYYY-MM-DD", help="Count only ownerships that held on this day.")
@click.option("--top", default=15, show_default=True, type=click.IntRange(1), help="Rows of each table.")
@_store_options
def analyse(
    fmt: str,
    include: str,
    owners: tuple[str, ...],
    providers: tuple[str, ...],
    themes: tuple[str, ...],
    start: str | None,
    end: str | None,
    max_nodes: int | None,
    on_date: str | None,
    top: int,
    store_dir: str | None,
    memory: bool,
    endpoint: str | None,
) -> int:
    """Network analytics: PageRank, betweenness and communities of organisations (owner-provider-theme
    graph), providers per owner year by year, theme co-occurrence, findings per owner, most connected."""
    from probkg.exports.analytics import centrality, ownership_by_year, theme_cooccurrence
    from probkg.exports.nxview import criticism_by_owner, degree_table, owner_portfolio, to_networkx
    from probkg.exports.select import parse_day, select

    on_day = parse_day(on_date, "--on")
    selection = _selection(owners, providers, themes, start, end, max_nodes)
    with _opened(store_dir, memory, endpoint) as store:
        G = to_networkx(store, include=include)
    if selection:
        G = select(G, **selection)
    projection = ownership_by_year(G)
    doc = {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "centrality": centrality(G),
        "ownership_by_year": projection["years"],
        "ownership_transfers": projection["transfers"],
        "theme_cooccurrence": theme_cooccurrence(G),
        "degree": degree_table(G, limit=top),
        "owner_portfolio": owner_portfolio(G, on=on_day),
        "criticism_by_owner": criticism_by_owner(G),
    }
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return 0
    click.echo(f"{doc['nodes']} nodes, {doc['edges']} edges ({include} view)\n")
    _table(
        "Organisations and themes by PageRank (owner-provider-theme graph)",
        ("node", "kind", "PageRank", "betweenness", "community"),
        [
            (r["label"], r["kind"], f"{r['pagerank']:.4f}", f"{r['betweenness']:.4f}", r["community"])
            for r in doc["centrality"][:top]
        ],
        right=(2, 3, 4),
    )
    click.echo()
    _table(
        "Ownership changes",
        ("date", "provider", "from", "to"),
        [(r["date"], r["provider_label"], r["from"], r["to"]) for r in doc["ownership_transfers"]],
    )
    click.echo()
    _table(
        "Providers held per owner, by year",
        ("year", "owner", "providers"),
        [(r["year"], r["owner_label"], r["count"]) for r in doc["ownership_by_year"]],
        right=(0, 2),
    )
    click.echo()
    _table(
        "Themes found in the same inspection",
        ("theme", "with theme", "inspections", "findings"),
        [
            (r["theme_a"], r["theme_b"], r["inspections"], r["findings"])
            for r in doc["theme_cooccurrence"][:top]
        ],
        right=(2, 3),
    )
    click.echo()
    _table(
        "Most connected",
        ("node", "kind", "in", "out", "degree"),
        [(r["label"], r["kind"], r["in"], r["out"], r["degree"]) for r in doc["degree"]],
        right=(2, 3, 4),
    )
    click.echo()
    _table(
        "Providers per owner" + (f" on {on_day}" if on_day else ""),
        ("owner", "providers", "held"),
        [
            (
                r["owner_label"],
                r["count"],
                "; ".join(
                    f"{p['label']} ({p['begin'] or '?'} to {p['end'] or 'now'})" for p in r["providers"]
                ),
            )
            for r in doc["owner_portfolio"]
        ],
        right=(1,),
    )
    click.echo()
    _table(
        "Findings about providers while the owner held them",
        ("owner", "critical", "positive", "mixed", "findings", "providers"),
        [
            (
                r["owner_label"],
                r["critical"],
                r["positive"],
                r["mixed"],
                r["findings"],
                "; ".join(r["providers"]),
            )
            for r in doc["criticism_by_owner"]
        ],
        right=(1, 2, 3, 4),
    )
    return 0


_SERVE_OPTIONS: tuple[tuple[str, object, click.ParamType, str], ...] = (
    ("--host", "127.0.0.1", click.STRING, "Interface to listen on."),
    ("--port", 7878, click.IntRange(0, 65535), "TCP port (0 picks a free one)."),
    ("--timeout", 30.0, click.FloatRange(0.1), "Seconds a query may run before it is stopped."),
    ("--max-rows", 1_000_000, click.IntRange(1), "Largest number of rows (or triples) in one answer."),
    ("--workers", 4, click.IntRange(1, 64), "Query worker processes (queries running at once)."),
)
"""The endpoint's options: name, default, type, help (in the order ``--help`` lists them)."""


def _serve_options(f: F) -> F:
    """The endpoint's listening and limit options (:data:`_SERVE_OPTIONS`), ``--allow-update`` and the
    store options."""
    f = _store_options(f)
    f = click.option(
        "--allow-update",
        is_flag=True,
        help="Accept SPARQL Update from clients sending the bearer token in $PROBKG_TOKEN.",
    )(f)
    for name, default, kind, text in reversed(_SERVE_OPTIONS):
        f = click.option(name, default=default, show_default=True, type=kind, help=text)(f)
    return f


@cli.command()
@_serve_options
def serve(
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    workers: int,
    allow_update: bool,
    store_dir: str | None,
    memory: bool,
    endpoint: str | None,
) -> int:
    """Serve the store as a SPARQL 1.1 endpoint (/sparql), named queries (/queries) and a web page (/).

    Queries run in worker processes without network access and are stopped after --timeout seconds or
    when the client goes away. One JSON access-log line per request goes to stderr (-q silences it).
    """
    from probkg.server.app import serve as run_server

    token = os.environ.get("PROBKG_TOKEN") or None
    quiet = bool(click.get_current_context().find_root().meta.get(_QUIET))
    with _opened(store_dir, memory, endpoint) as store:
        try:
            run_server(
                store,
                host,
                port,
                quiet=quiet,
                allow_update=allow_update,
                token=token,
                timeout=timeout,
                max_rows=max_rows,
                workers=workers,
                on_ready=lambda url: _note(f"probkg: serving {url} (SPARQL at {url}sparql); Ctrl-C stops"),
            )
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return 0


@cli.command()
@click.option(
    "--inspections",
    type=click.IntRange(1),
    default=None,
    help="Number of synthetic inspections (about 390 triples each).",
)
@click.option(
    "--triples",
    type=click.IntRange(1),
    default=None,
    help="Aim at about this many triples instead of giving --inspections.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same file.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE.nq",
    help="N-Quads file to write.",
)
@_common
def synth(inspections: int | None, triples: int | None, seed: int, output: str) -> int:
    """Write ontology-conformant synthetic data (N-Quads, one named graph per synthetic source)."""
    from probkg.synth import inspections_for, write_synth

    if inspections is None and triples is None:
        raise InputError("give --inspections N or --triples N")
    n = inspections if inspections is not None else inspections_for(triples or 0)
    stats = write_synth(output, n, seed=seed)
    _note(
        f"probkg: wrote {stats.quads:,} quads in {stats.graphs} graphs ({stats.inspections} inspections, "
        f"{stats.findings:,} findings) to {output}"
    )
    return 0


# Commands that live in modules of their own (probkg/cli/<name>.py) register themselves on ``cli`` when
# imported; add one line here per module. Each such module imports what it needs from this package.
_COMMAND_MODULES: tuple[str, ...] = ("search", "publish")


def _register_command_modules() -> None:
    import importlib

    for module in _COMMAND_MODULES:
        importlib.import_module(f"probkg.cli.{module}")


_register_command_modules()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``probkg`` command."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="probkg")


if __name__ == "__main__":  # pragma: no cover
    main()
