"""Fixtures shared by the test modules: the shared material beside the checkout, stores and the CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from probkg.graph.base import Store

REPO = Path(__file__).resolve().parents[1]
RESOURCES = REPO / "tests" / "resources"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``<repo>/../shared`` (design notes, seeds, corpus); the test is skipped when it is absent."""
    path = REPO.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared material not found at {path}")
    return path


@pytest.fixture(scope="session")
def resources() -> Path:
    """The directory of test fixtures."""
    return RESOURCES


@pytest.fixture
def memory_store() -> Iterator[Store]:
    """A fresh, empty in-memory store."""
    from probkg.graph.store import MemoryStore

    store = MemoryStore()
    yield store
    store.close()


@pytest.fixture
def tmp_store(tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty Oxigraph store in a temporary directory (closed after the test)."""
    from probkg.graph.store import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    yield store
    store.close()


@pytest.fixture
def cli_runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """A click runner whose default store lives in the test's temporary directory."""
    monkeypatch.setenv("PROBKG_STORE", str(tmp_path / "cli-store"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return CliRunner()


# Integration modules: each builds stores, starts servers or a browser, or reads the whole corpus. They
# run in CI and in a full `pytest`; `pytest -m "not slow"` leaves them out for a quick loop over the
# unit-level modules (README, "Set up on a fresh machine").
INTEGRATION_MODULES = frozenset(
    {
        "test_atomic",
        "test_bulk",
        "test_competency",
        "test_corpus_flow",
        "test_curated",
        "test_explorer",
        "test_explorer_export",
        "test_lexicon_support",
        "test_linked_data",
        "test_mutations",
        "test_one_account",
        "test_protocol_w3c",
        "test_publish",
        "test_query_conformance",
        "test_record",
        "test_remote",
        "test_search",
        "test_server",
        "test_server_attacks",
        "test_server_clients",
        "test_server_page",
        "test_shapes",
        "test_text_corpus",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in INTEGRATION_MODULES:
            item.add_marker(pytest.mark.slow)
