"""Press-release loader: inspections, ratings, figures and findings read from text, with provenance.

``extract_paths`` gives the JSON of ``probkg extract --format json``; ``load_text`` turns one
document into a :class:`probkg.loaders.base.LoadUnit` for the store (graph ``id:graph/doc/<slug>``).
"""

from __future__ import annotations

from .extract import Extraction, extract_document, extract_file, extract_paths, extract_text
from .rdf import load_text, to_graph

__all__ = [
    "Extraction",
    "extract_document",
    "extract_file",
    "extract_paths",
    "extract_text",
    "load_text",
    "to_graph",
]
