"""``probkg search TEXT``: full-text search over labels, alternative names, finding quotes and descriptions.

The index (:mod:`probkg.search`) lives beside an on-disk store and is brought in step with it, graph by
graph, before each search; for ``--memory`` it is built in memory.
"""

from __future__ import annotations

import json

import click

from probkg.cli import _format_option, _note, _opened, _store_options, _table, cli

__all__ = ["search_command"]


@cli.command("search")
@click.argument("text")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000), help="Most hits shown.")
@click.option("--findings", is_flag=True, help="Only findings.")
@_format_option("table", "json")
@_store_options
def search_command(
    text: str, limit: int, findings: bool, fmt: str, store_dir: str | None, memory: bool, endpoint: str | None
) -> int:
    """Search labels, alternative names, finding quotes and descriptions; show each hit with its source."""
    from probkg.search import index_for, search

    def announce(count: int) -> None:
        _note(f"probkg: indexing {count} changed graph(s) for full-text search (once per change)")

    with _opened(store_dir, memory, endpoint) as store:
        index_for(store, on_start=announce)
        hits = search(store, text, limit=limit, kinds=["finding"] if findings else [])
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in hits], indent=2, ensure_ascii=False))
        return 0
    rows = [(h.kind, h.label, h.field, " ".join(h.snippet.split()), h.url or h.source or h.iri) for h in hits]
    _table(None, ("kind", "label", "matched", "snippet", "source page or node"), rows)
    return 0
