"""``probkg publish DIR``: write a versioned, described release of the store (see :mod:`probkg.publish`)."""

from __future__ import annotations

import click

from probkg.cli import _note, _opened, _store_options, cli


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, writable=True))
@click.option(
    "--version", "version", metavar="VERSION", help="Release name (default: probkg version + date)."
)
@_store_options
def publish(
    directory: str, version: str | None, store_dir: str | None, memory: bool, endpoint: str | None
) -> int:
    """Write dumps (N-Quads gzip, JSON-LD), a VoID + DCAT description and ontology HTML to DIR/VERSION."""
    from probkg.publish import publish as write_release

    with _opened(store_dir, memory, endpoint) as store:
        done = write_release(store, directory, version=version)
    _note(f"probkg: published {done.triples:,} triples in {len(done.graphs)} graphs to {done.directory}")
    for path in done.files.values():
        click.echo(str(path))
    return 0
