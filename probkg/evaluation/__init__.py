"""Scoring the text extractor against hand-made gold facts (:mod:`probkg.evaluation.scoring`).

Used by ``benchmarks/extraction_eval.py`` and the corpus tests; not imported by the loaders.
"""
