"""Scoring text extraction against gold facts, as ``../shared/design/evaluation.md`` describes.

* Documents are matched by file name; a gold document without output misses all its items.
* Organisation names match when, after :func:`norm_words` (names compared as the registry compares
  them: case, accents and punctuation ignored, ``&`` -> and, the long forms "community rehabilitation
  company" -> crc and "national probation service" -> nps; then the words the / and / of / division /
  ltd / limited / company dropped) their word sets are
  equal or overlap with a Jaccard index of at least 0.75. A gold provider is known by its
  ``canonical_name``, ``name_as_written`` and ``short_form``; an output organisation by its ``label``.
* Inspected providers, owners named, aspect ratings: one-to-one matches, micro precision/recall/F1.
* Overall ratings: per gold inspected provider with an ``overall_rating``, the first output rating
  with aspect ``overall`` (or empty) for a matching provider; accuracy over gold ratings.
* Chief inspector: right when the gold surname appears in any output ``chief_inspector``.
* Figures: multiset match of numeric values (commas and ``%`` stripped; number words, fractions and
  "one in four" read by :func:`probkg.loaders.text.lexicon.parse_number_words`, fractions as percent).
* Findings: gold findings in file order each take the first unused output finding whose span overlaps
  theirs by at least half the shorter span and that shares a provider; output spans are
  ``start``/``end`` when ``text[start:end] == quote``, else the first occurrence of the quote (an
  offset error). Polarity and theme accuracy over matched pairs (theme: gold ``theme`` or one of
  ``also_themes``, ignoring case).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from probkg.loaders.text.lexicon import parse_number_words
from probkg.loaders.text.reader import read_path
from probkg.registry.model import normalise_name

__all__ = [
    "THRESHOLDS",
    "Scores",
    "failed_thresholds",
    "format_scores",
    "load_gold",
    "names_match",
    "norm_words",
    "score",
    "score_gold_files",
]

THRESHOLDS: dict[str, float] = {
    "inspected_f1": 0.95,
    "overall_rating_accuracy": 0.95,
    "chief_inspector_accuracy": 0.95,
    "figures_f1": 0.85,
    "findings_recall": 0.85,
    "findings_precision": 0.80,
    "polarity_accuracy": 0.92,
    "theme_accuracy": 0.78,
    "throughput_docs_per_s": 100.0,
}
"""Acceptance thresholds of issue 7 (development-set figures, each development set on its own)."""

_DROP = {"the", "and", "of", "division", "ltd", "limited", "company"}


def norm_words(name: str) -> frozenset[str]:
    """The word set a name is compared by: the words of :func:`probkg.registry.model.normalise_name`
    without the ones that do not tell organisations apart (see the module docstring)."""
    return frozenset(normalise_name(name).split()) - _DROP


def names_match(a: str, b: str) -> bool:
    """True when two organisation names match (equal word sets or Jaccard >= 0.75)."""
    wa, wb = norm_words(a), norm_words(b)
    if not wa or not wb:
        return False
    if wa == wb:
        return True
    return len(wa & wb) / len(wa | wb) >= 0.75


@dataclass
class Counts:
    tp: int = 0
    gold: int = 0
    out: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.out if self.out else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """All figures of one scoring run; ``as_dict`` gives the flat view the thresholds refer to."""

    inspected: Counts = field(default_factory=Counts)
    owners: Counts = field(default_factory=Counts)
    aspects: Counts = field(default_factory=Counts)
    figures: Counts = field(default_factory=Counts)
    findings: Counts = field(default_factory=Counts)
    findings_out_matched: int = 0
    overall_correct: int = 0
    overall_gold: int = 0
    chief_correct: int = 0
    chief_gold: int = 0
    polarity_correct: int = 0
    theme_correct: int = 0
    matched_pairs: int = 0
    offset_errors: int = 0
    documents: int = 0
    seconds: float = 0.0
    per_document: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        def ratio(a: int, b: int) -> float:
            return a / b if b else 1.0

        return {
            "inspected_precision": self.inspected.precision,
            "inspected_recall": self.inspected.recall,
            "inspected_f1": self.inspected.f1,
            "owners_precision": self.owners.precision,
            "owners_recall": self.owners.recall,
            "owners_f1": self.owners.f1,
            "overall_rating_accuracy": ratio(self.overall_correct, self.overall_gold),
            "aspect_precision": self.aspects.precision,
            "aspect_recall": self.aspects.recall,
            "aspect_f1": self.aspects.f1,
            "chief_inspector_accuracy": ratio(self.chief_correct, self.chief_gold),
            "figures_precision": self.figures.precision,
            "figures_recall": self.figures.recall,
            "figures_f1": self.figures.f1,
            "findings_precision": ratio(self.findings_out_matched, self.findings.out),
            "findings_recall": ratio(self.findings.tp, self.findings.gold),
            "findings_f1": _f1(
                ratio(self.findings_out_matched, self.findings.out),
                ratio(self.findings.tp, self.findings.gold),
            ),
            "polarity_accuracy": ratio(self.polarity_correct, self.matched_pairs),
            "theme_accuracy": ratio(self.theme_correct, self.matched_pairs),
            "offset_errors": float(self.offset_errors),
            "documents": float(self.documents),
            "throughput_docs_per_s": self.documents / self.seconds if self.seconds else float("inf"),
        }


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Gold documents of a gold YAML file, each with ``_path``: the document file, resolved.

    A ``file:`` is looked up relative to the gold file's directory, then to its parent.
    """
    gold_path = Path(path)
    data = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
    docs = []
    for entry in data.get("documents", []):
        rel = entry["file"]
        for base in (gold_path.parent, gold_path.parent.parent):
            if (base / rel).exists():
                entry["_path"] = str(base / rel)
                break
        else:
            entry["_path"] = None
        docs.append(entry)
    return docs


def _gold_names(provider: dict[str, Any]) -> list[str]:
    return [str(provider[k]) for k in ("canonical_name", "name_as_written", "short_form") if provider.get(k)]


def _provider_match(provider: dict[str, Any], label: str) -> bool:
    return any(names_match(n, label) for n in _gold_names(provider))


def _one_to_one(gold: list[Any], out: list[Any], match: Callable[[Any, Any], bool]) -> int:
    used: set[int] = set()
    tp = 0
    for g in gold:
        for i, o in enumerate(out):
            if i not in used and match(g, o):
                used.add(i)
                tp += 1
                break
    return tp


def _fig_value(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return round(float(value), 1)
    v = parse_number_words(str(value).replace(",", "").replace("%", ""))
    return round(v, 1) if v is not None else None


def score_document(
    gold: dict[str, Any], output: dict[str, Any] | None, text: str | None, scores: Scores
) -> None:
    """Add one document's comparison to ``scores``."""
    providers = gold.get("providers") or []
    by_id = {p["id"]: p for p in providers}
    out = output or {}
    labels = {o["iri"]: o["label"] for o in out.get("organisations", [])}
    doc_row: dict[str, Any] = {"file": gold["file"]}

    # inspected providers
    g_insp = [p for p in providers if p.get("inspected")]
    o_insp: list[str] = []
    for insp in out.get("inspections", []):
        for iri in insp.get("inspected", []):
            if iri not in o_insp:
                o_insp.append(iri)
    tp = _one_to_one(g_insp, o_insp, lambda g, o: _provider_match(g, labels.get(o, o)))
    scores.inspected.tp += tp
    scores.inspected.gold += len(g_insp)
    scores.inspected.out += len(o_insp)
    doc_row["inspected"] = (tp, len(g_insp), len(o_insp))

    # owners named
    g_own = [(o, p) for p in providers for o in (p.get("owners_named_in_text") or [])]
    o_own = [
        (labels.get(x["owner"], x["owner"]), labels.get(x["owned"], x["owned"]))
        for x in out.get("ownership", [])
    ]
    tp = _one_to_one(g_own, o_own, lambda g, o: names_match(g[0], o[0]) and _provider_match(g[1], o[1]))
    scores.owners.tp += tp
    scores.owners.gold += len(g_own)
    scores.owners.out += len(o_own)

    # overall ratings and aspects
    ratings = out.get("ratings", [])
    for p in g_insp:
        if not p.get("overall_rating"):
            continue
        scores.overall_gold += 1
        hit = next(
            (
                r
                for r in ratings
                if (r.get("aspect") in (None, "", "overall"))
                and _provider_match(p, labels.get(r["provider"], r["provider"]))
            ),
            None,
        )
        if hit is not None and str(hit["value"]).lower() == str(p["overall_rating"]).lower():
            scores.overall_correct += 1
    g_asp = [(p, d) for p in providers for d in (p.get("domain_ratings") or [])]
    o_asp = [r for r in ratings if r.get("aspect") not in (None, "", "overall")]

    def aspect_match(g: tuple[dict[str, Any], dict[str, Any]], o: dict[str, Any]) -> bool:
        p, d = g
        words = norm_words(d.get("domain_as_written", "")) - {"work", "to", "s", "crc", "nps"}
        ow = norm_words(o.get("aspect", "")) - {"work", "to", "s"}
        return (
            str(d.get("rating", "")).lower() == str(o.get("value", "")).lower()
            and _provider_match(p, labels.get(o["provider"], o["provider"]))
            and bool(words & ow or any(w.startswith(x[:6]) for w in words for x in ow if len(x) > 5))
        )

    tp = _one_to_one(g_asp, o_asp, aspect_match)
    scores.aspects.tp += tp
    scores.aspects.gold += len(g_asp)
    scores.aspects.out += len(o_asp)

    # chief inspector
    chief = (gold.get("chief_inspector") or {}).get("normalised")
    if chief:
        scores.chief_gold += 1
        surname = chief.split()[-1].lower()
        if any(surname in str(i.get("chief_inspector") or "").lower() for i in out.get("inspections", [])):
            scores.chief_correct += 1

    # figures
    g_fig = Counter(
        v for v in (_fig_value(f.get("value")) for f in gold.get("figures") or []) if v is not None
    )
    o_fig = Counter(v for v in (_fig_value(f.get("value")) for f in out.get("figures", [])) if v is not None)
    tp = sum((g_fig & o_fig).values())
    scores.figures.tp += tp
    scores.figures.gold += sum(g_fig.values())
    scores.figures.out += sum(o_fig.values())
    doc_row["figures"] = (tp, sum(g_fig.values()), sum(o_fig.values()))

    # findings
    o_find = out.get("findings", [])
    spans: list[tuple[int, int]] = []
    for f in o_find:
        s, e, q = f.get("start", -1), f.get("end", -1), f.get("quote", "")
        if text is not None and text[s:e] == q:
            spans.append((s, e))
        else:
            scores.offset_errors += 1
            pos = text.find(q) if text is not None else -1
            spans.append((pos, pos + len(q)) if pos >= 0 else (-1, -1))
    used: set[int] = set()
    matched = 0
    g_find = gold.get("findings") or []
    for g in g_find:
        q = g["quote"]
        gs = text.find(q) if text is not None else -1
        if gs < 0:
            continue
        ge = gs + len(q)
        g_provs = [by_id[i] for i in g.get("about", []) if i in by_id]
        for i, f in enumerate(o_find):
            if i in used:
                continue
            s, e = spans[i]
            if s < 0:
                continue
            overlap = min(ge, e) - max(gs, s)
            if overlap <= 0 or overlap < 0.5 * min(ge - gs, e - s):
                continue
            if not any(_provider_match(p, labels.get(a, a)) for p in g_provs for a in f.get("about", [])):
                continue
            used.add(i)
            matched += 1
            scores.matched_pairs += 1
            if str(f.get("polarity", "")).lower() == str(g.get("polarity", "")).lower():
                scores.polarity_correct += 1
            themes = {str(t).lower() for t in [g.get("theme"), *(g.get("also_themes") or [])] if t}
            if str(f.get("theme", "")).lower() in themes:
                scores.theme_correct += 1
            break
    scores.findings.tp += matched
    scores.findings.gold += len(g_find)
    scores.findings.out += len(o_find)
    scores.findings_out_matched += len(used)
    doc_row["findings"] = (matched, len(g_find), len(o_find))
    scores.per_document.append(doc_row)


def score(
    gold_docs: Iterable[dict[str, Any]],
    extract: Callable[[str], dict[str, Any]],
    docs_root: str | Path | None = None,
) -> Scores:
    """Score ``extract`` (path -> JSON result) on gold documents; times the extraction."""
    scores = Scores()
    for gold in gold_docs:
        path = gold.get("_path")
        if docs_root is not None:
            cand = Path(docs_root) / gold["file"]
            if not cand.exists():
                cand = Path(docs_root) / Path(gold["file"]).name
            path = str(cand) if cand.exists() else path
        output = None
        text = None
        if path:
            doc, _ = read_path(path)
            text = doc.text
            t0 = time.perf_counter()
            output = extract(path)
            scores.seconds += time.perf_counter() - t0
            scores.documents += 1
        score_document(gold, output, text, scores)
    return scores


def score_gold_files(
    gold_files: Iterable[str | Path],
    docs_root: str | Path | None = None,
    extract: Callable[[str], dict[str, Any]] | None = None,
) -> Scores:
    """Score probkg's extractor (or ``extract``) on every document of the given gold files."""
    if extract is None:
        from probkg.loaders.text.extract import extract_file

        extract = extract_file
        from probkg.loaders.text.extract import extract_text

        # warm-up outside the timing: registry parsing and regular-expression compilation happen once
        extract_text("HM Inspectorate of Probation rated the CRC 'Good'; 3 staff were impressive.")
    docs: list[dict[str, Any]] = []
    for g in gold_files:
        docs.extend(load_gold(g))
    return score(docs, extract, docs_root)


def failed_thresholds(values: dict[str, float], thresholds: dict[str, float] | None = None) -> list[str]:
    """Names of the thresholds a set of scores misses, with the value and the bar."""
    bars = thresholds or THRESHOLDS
    return [f"{k} = {values[k]:.3f} < {v}" for k, v in bars.items() if values.get(k, 0.0) < v]


def format_scores(scores: Scores) -> str:
    """A plain-text table of the scores."""
    v = scores.as_dict()
    rows = [
        (
            "inspected providers",
            f"P {v['inspected_precision']:.3f}  R {v['inspected_recall']:.3f}  "
            f"F1 {v['inspected_f1']:.3f}  ({scores.inspected.tp}/{scores.inspected.gold} gold, "
            f"{scores.inspected.out} out)",
        ),
        (
            "owners named",
            f"P {v['owners_precision']:.3f}  R {v['owners_recall']:.3f}  F1 {v['owners_f1']:.3f}  "
            f"({scores.owners.tp}/{scores.owners.gold} gold, {scores.owners.out} out)",
        ),
        (
            "overall ratings",
            f"accuracy {v['overall_rating_accuracy']:.3f}  ({scores.overall_correct}/{scores.overall_gold})",
        ),
        (
            "aspect ratings",
            f"P {v['aspect_precision']:.3f}  R {v['aspect_recall']:.3f}  F1 {v['aspect_f1']:.3f}  "
            f"({scores.aspects.tp}/{scores.aspects.gold} gold, {scores.aspects.out} out)",
        ),
        (
            "chief inspector",
            f"accuracy {v['chief_inspector_accuracy']:.3f}  ({scores.chief_correct}/{scores.chief_gold})",
        ),
        (
            "figures (by value)",
            f"P {v['figures_precision']:.3f}  R {v['figures_recall']:.3f}  "
            f"F1 {v['figures_f1']:.3f}  ({scores.figures.tp}/{scores.figures.gold} gold, "
            f"{scores.figures.out} out)",
        ),
        (
            "findings",
            f"P {v['findings_precision']:.3f}  R {v['findings_recall']:.3f}  F1 {v['findings_f1']:.3f}  "
            f"({scores.findings.tp}/{scores.findings.gold} gold, {scores.findings.out} out)",
        ),
        (
            "polarity (matched)",
            f"accuracy {v['polarity_accuracy']:.3f}  ({scores.polarity_correct}/{scores.matched_pairs})",
        ),
        (
            "theme (matched)",
            f"accuracy {v['theme_accuracy']:.3f}  ({scores.theme_correct}/{scores.matched_pairs})",
        ),
        ("offset errors", str(scores.offset_errors)),
        (
            "throughput",
            f"{v['throughput_docs_per_s']:.1f} docs/s ({scores.documents} docs, {scores.seconds:.3f} s)",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name.ljust(width)}  {val}" for name, val in rows)
