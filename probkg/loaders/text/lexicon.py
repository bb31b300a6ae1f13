"""Word lists that turn clauses into judgements: polarity, theme, rating values and numbers.

Everything here is a transparent rule: a cue is a regular expression over the lower-cased clause
(U+00A0 read as a space). Polarity counts positive, critical and mixed cues, with negation ("not
good enough", "nowhere near") turning a positive cue critical. A theme is the best-scoring of the
twelve themes of ``prob:ThemeScheme``; ``other`` when no theme cue fires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

__all__ = [
    "INSPECTION_CUE",
    "INSPECTION_CUES",
    "OTHER_HOLDING",
    "POLARITY_CUES",
    "RATING_BEFORE",
    "RATING_CUES",
    "RATING_PAST",
    "RATING_PAST_CUES",
    "RATING_SCALE",
    "RATING_VALUE",
    "RATING_VALUES",
    "THEMES",
    "cue_inventory",
    "entity_cue_inventory",
    "normalise_rating",
    "parse_number_words",
    "polarity",
    "polarity_cues",
    "scale_value",
    "theme",
    "without_cues",
]

THEMES = (
    "public protection",
    "reducing reoffending",
    "abiding by the sentence / compliance & enforcement",
    "leadership & management",
    "staffing & workload",
    "partnerships & services",
    "assessment & planning",
    "court work",
    "unpaid work",
    "through-the-gate / resettlement",
    "safeguarding & domestic abuse",
    "other",
)
"""The theme labels (``skos:prefLabel`` of the concepts of ``prob:ThemeScheme``), in scheme order."""

_CRITICAL = [
    r"\bpoor(ly)?\b",
    r"\bdeteriorat\w*",
    r"\black(s|ed|ing)?\b",
    r"\bunacceptabl\w*",
    r"\binadequate\w*",
    r"\bconcern(s|ed|ing)?\b",
    r"\bshortfall\w*",
    r"\bshortages?\b",
    r"\btoo (high|many|few|little|much|low|long|slow)\b",
    r"\bunmanageable\b",
    r"\bunreasonabl\w*",
    r"\bweak(ness|nesses)?\b",
    r"\bdifficult(y|ies)?\b",
    r"\bfail(ure|ures|ed|ing|s)?\b",
    r"\bvariable\b",
    r"\bstruggl\w*",
    r"\bdisappoint\w*",
    r"\bundue\b",
    r"\bat risk\b",
    r"\b(needs?|needed|must|should|has to|have to|had to) (\w+ ){0,2}improve\w*",
    r"\bimprovements? (is |are |was |were )?(still )?(needed|required|necessary)\b",
    r"\bmore (also )?(needs to|can|could|should|must) be done\b",
    r"\brequir\w* improvement\b",
    r"\bshortcomings?\b",
    r"\bcriticism\b",
    r"\bnowhere near\b",
    r"\brelegated\b",
    r"\bdispiriting\w*",
    r"\b(heavy|high|excessive|unmanageable)( and \w+)? (work|case)loads?\b",
    r"\b(sickness|absence|vacanc\w+|turnover|caseloads?|workloads?)\b(\s+\w+){0,2}\s+(is|are|was|were|remains?|remained)"
    r"\s+(too\s+|very\s+)?high\b",
    r"\boverwhelm\w*",
    r"\b(divide|disparit\w*|imbalance)\b",
    r"\bneeds? attention\b|\bneeded attention\b",
    r"\bnot (?!only\b|surprising\b)\w+ing\b",
    r"\b(work|case)loads (were|are|was|is|remain|remained) (too )?high\b",
    r"\burgent(ly)?\b",
    r"\bproblems?\b",
    r"\bnot (always|all|enough|sufficiently|consistently|yet)\b",
    r"\b(?:did|do|does|had|has|have|was|were|is|are) not\b(?! (?:surprising|surprised)\b)",
    r"\bnot good enough\b",
    r"\b(?:key |an |the )?areas? (?:for|of|requiring) (?:improvement|development|concern)\b",
    r"\blow\b(?!-level|\s+and\s+medium|\s+or\s+medium|-risk|\s+risk)",
    r"\bless likely\b",
    r"\bfailings?\b",
    r"\bserious (issues|problems|failings|deficiencies)\b",
    r"\bsuffer(ed|s|ing)?\b",
    r"\bwell below\b",
]
_STRONG_CRITICAL = re.compile(
    r"\b(?:poor(?:ly)?|deteriorat\w*|unacceptabl\w*|inadequate\w*|troubl\w*|lack of"
    r"|too (?:high|many|few|little|much)|not good enough|well below|worsened"
    r"|(?:heavy|high|excessive) (?:work|case)loads?|alarming|unmanageable)"
)
_OBLIGATION = re.compile(
    r"\b(?:needs? to|needed to|must|should|has to|have to|had to|required|requires"
    r"|expect (?:the|them|it|\w+) \w+ to"
    r"|needs? (?:more|further|urgent)|needed (?:more|further|urgent)|told to)\b"
)
_NOT_OBLIGATION = re.compile(
    r"\b(?:what|tools|support|help|skills|services|things)\s+(?:that\s+)?(?:they|we|people|individuals)"
    r"\s+needs?\s+to\b"
    r"|^.*\bif\s+(?:the|those|these|its|their)\s+(?:\w+\s+){0,2}works?\s+as\s+(?:intended|planned|designed)\b.*$"
)
""""Needs to" and "should" that state no obligation: a need in a relative clause ("the tools they
need to avoid crime"), and what a design provides if it works ("should see X if it works as intended")."""
_FRAME = re.compile(
    r"^(?:despite|notwithstanding)\s+(?:[\w’'-]+\s+){0,3}?[\w’'-]+(?:,\s*|\s+(?=we\b|the\b|it\b|they\b"
    r"|there\b|inspectors\b))"
)
_POSITIVE = [
    r"\bgood\b",
    r"\bbest\b",
    r"\b(morale|standards?|quality) (is|was|were|are|remains?|remained) (\w+ )?high\b",
    r"\bwell\b(?!-being| as\b| below| above)",
    r"\bimpress\w*",
    r"\bimproved\b",
    r"\bimproving\b",
    r"(?<!for )(?<!requires )(?<!require )\bimprovements?\b",
    r"\bprogress\b",
    r"\boutstanding\b",
    r"\bstrong(ly)?\b",
    r"\beffective(ly)?\b",
    r"\bpositive(ly)?\b",
    r"\bpleased\b",
    r"\bskilled\b",
    r"(?<!have )(?<!had )(?<!who )(?<!they )\bcommitted\b(?! (?:an? |the |further |more )?(?:crimes?|offen))",
    r"\bexperienced\b",
    r"\bsufficient(ly)?\b",
    r"\bsatisfactor(y|ily)\b",
    r"\bacceptable\b",
    r"\bappropriate(ly)?\b",
    r"\bclear (vision|strategy|plan|plans|focus|progress)\b",
    r"\bwell-(established|developed|led|managed)\b",
    r"\bbetter\b",
    r"\btailored\b",
    r"\binnovat\w*",
    r"\bwork(ing|ed|s)? hard\b",
    r"\bsuccess\w*",
    r"\bable\b(?= (management|managers|leaders|staff|and))",
    r"\bhigh-quality\b",
    r"\bstrength\w*",
    r"\bencourag\w*",
    r"\bin place\b",
    r"\breduced\b",
    r"\bwell led\b",
    r"\baspire\b",
    r"\bachiev\w*",
    r"\bpraise[ds]?\b",
]
_MIXED = [
    r"\bmixed\b",
    r"\bvariations?\b",
    r"\bvaried\b(?! (significantly|widely|greatly|considerably))",
    r"\broom for improvement\b",
]

POLARITY_CUES: dict[str, list[str]] = {"critical": _CRITICAL, "positive": _POSITIVE, "mixed": _MIXED}
"""The polarity cues by the polarity they signal (each a regular expression over the clause)."""


def _alternation(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + ")")] if patterns else []


_CRIT_RE = _alternation(_CRITICAL)
_POS_RE = _alternation(_POSITIVE)
_MIX_RE = _alternation(_MIXED)
_CONTRAST = re.compile(r"\b(?:but|however|although|though|while|whilst|yet)\b")
_NEG_BEFORE = re.compile(
    r"(?:\bnot|\bno|\bnever|nowhere near|\bhardly|n’t|n't|\bnor|\bfar from|\bless|\black of|\blittle)"
    r"(?:\s+[\w-]+){0,3}\s*$"
)


def normalise_text(text: str) -> str:
    """Text as cues are matched in: lower case, no-break spaces as spaces, white space collapsed."""
    return " ".join(text.replace("\u00a0", " ").lower().split())


def _spans(regexes: list[re.Pattern[str]], text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for rx in regexes:
        out.extend(m.span() for m in rx.finditer(text))
    return out


def polarity_cues(text: str) -> dict[str, list[str]]:
    """The words of a clause that fired each kind of polarity cue (what ``--explain`` prints)."""
    t = normalise_text(text)
    out: dict[str, list[str]] = {}
    for kind, rxs in (("critical", _CRIT_RE), ("positive", _POS_RE), ("mixed", _MIX_RE)):
        spans = _spans(rxs, t)
        if spans:
            out[kind] = sorted({t[s:e] for s, e in spans})
    return out


def polarity(text: str) -> str | None:
    """``critical`` / ``positive`` / ``mixed`` for an evaluative clause, ``None`` when no cue fires.

    Cues are counted (strong critical cues such as "poor" or "too many" count twice); positive cues
    after "not"/"no"/"nowhere near" count as critical; in a clause that states an obligation
    ("needs to", "must", "should") positive words describe the aim, not the finding, and are not
    counted; a leading concession ("Despite these difficulties, ...") is not counted; a clause
    opening "Not all" or "None of" is critical. Mixed cues ("mixed", "variation", "room for
    improvement") win unless one side clearly outweighs them.
    """
    t = normalise_text(text)
    frame = _FRAME.match(t)
    if frame:
        t = t[frame.end() :]
    if re.match(r"^(?:not all|not every|none of|few of)\b", t):
        return "critical"
    crit_spans = _spans(_CRIT_RE, t)
    obligation = _OBLIGATION.search(_NOT_OBLIGATION.sub(" ", t))
    pos = 0
    for s, e in _spans(_POS_RE, t):
        if any(cs <= s < ce for cs, ce in crit_spans):
            continue  # "needs to improve", "low" already read as critical
        if t[max(0, s - 3) : s].endswith("un") or t[max(0, s - 2) : s] == "in":
            continue
        if _NEG_BEFORE.search(t[max(0, s - 40) : s]):
            crit_spans.append((s, e))
        elif not obligation:
            pos += 1
    crit = len(crit_spans) + len(_STRONG_CRITICAL.findall(t))
    if obligation and not crit_spans:
        crit += 1
    mixed = len(_spans(_MIX_RE, t))
    if mixed and not (crit > mixed + 1 or pos > mixed + 1):
        return "mixed"
    if crit and pos:
        if _CONTRAST.search(t) and not obligation:
            return "mixed"  # "good performance but workloads too high": both sides, set against each other
        if crit > pos:
            return "critical"
        if pos > crit:
            return "positive"
        return "mixed"
    if crit:
        return "critical"
    if pos:
        return "positive"
    if mixed:
        return "mixed"
    return None


_THEME_CUES: dict[str, list[tuple[str, float]]] = {
    "public protection": [
        (r"public protection", 3),
        (r"protect(s|ing|ed)? (the )?public", 3),
        (r"risk of (serious )?harm", 3),
        (r"\bharm\b", 1.5),
        (r"(?<!work is )(?<!work at )at risk\b", 2),
        (r"risk management", 2),
        (r"\bprotect\w*", 1.5),
        (r"\bsafe(ty|ly)?\b", 1),
        (r"managing risk|manage risk|manage the risk", 2),
        (r"high(er)? risk", 2),
        (r"\bvictims?\b", 0.5),
    ],
    "reducing reoffending": [
        (r"reoffend\w*", 3),
        (r"rehabilitat\w*\b(?! compan)", 2),
        (r"further offending", 1),
    ],
    "abiding by the sentence / compliance & enforcement": [
        (r"\bcontact\b", 2),
        (r"non-compliance|compliance", 3),
        (r"enforc\w*", 3),
        (r"\bbreach\w*", 2),
        (r"\bengagement\b", 1),
        (r"face-to-face", 1),
        (r"telephone", 1),
    ],
    "leadership & management": [
        (r"\bleader(s|ship)?\b", 3),
        (r"\bled\b", 2),
        (r"\bmanagers?\b", 2),
        (r"\bmanagement\b", 1.5),
        (r"\bstrateg\w*", 2.5),
        (r"\bvision\b", 2.5),
        (r"\bplans?\b", 2),
        (r"recommendations", 2),
        (r"\bowners?\b", 2),
        (r"transition", 1),
        (r"senior", 1.5),
        (r"action taken", 1.5),
        (r"operating model", 1),
    ],
    "staffing & workload": [
        (r"\bstaff\b", 1.5),
        (r"\bstaffing\b", 3),
        (r"\bqualified\b", 2),
        (r"\bskills?\b", 2),
        (r"\bsickness\b", 3),
        (r"staff(ing)? (levels|numbers|changes|cuts)", 2),
        (r"workloads?", 3),
        (r"caseloads?", 3),
        (r"\bmorale\b", 3),
        (r"recruit\w*", 3),
        (r"agency (staff|workers)", 3),
        (r"shortages?|shortfall", 3),
        (r"\bposts\b", 2),
        (r"workforce", 2),
        (r"probation officers", 1.5),
        (r"inexperience", 2),
        (r"wellbeing", 2),
        (r"training", 1),
        (r"team managers", 1),
    ],
    "partnerships & services": [
        (r"partner\w*", 3),
        (r"\bagencies\b", 2.5),
        (r"(?<!probation )\bservices\b", 2),
        (r"interventions?", 2),
        (r"relationships?", 2),
        (r"range of", 1.5),
        (r"initiative", 1.5),
        (r"\bpolice\b", 1.5),
        (r"co-?ordinat\w*", 2),
        (r"work(s|ed|ing)? (\w+ )?well together", 2.5),
        (r"specialist", 1.5),
        (r"information from", 1),
    ],
    "assessment & planning": [
        (r"\bassess(ment|ments|ed|ing)?\b", 2.5),
        (r"\bplann\w*", 2.5),
        (r"\breview(s|ing|ed)?\b", 2),
        (r"initial", 1),
    ],
    "court work": [
        (r"\bcourts?\b", 2.5),
        (r"pre-sentence reports?", 3),
        (r"court reports?", 3),
        (r"\ballocation\b", 1),
    ],
    "unpaid work": [(r"unpaid work", 4)],
    "through-the-gate / resettlement": [
        (r"through the gate", 4),
        (r"leaving prison|leave prison", 3),
        (r"resettle\w*", 3),
        (r"\bprison\b", 1),
        (r"release", 1),
    ],
    "safeguarding & domestic abuse": [
        (r"safeguard\w*", 3.5),
        (r"domestic abuse|domestic violence", 3.5),
        (r"\bchild(ren)?\b", 2),
        (r"children’s social|children's social", 2),
    ],
    "other": [
        (r"quality of (\w+ ){1,3}work", 2.5),
        (r"\boverall\b", 0.5),
        (r"\bperformance\b", 1),
        (r"victim contact|victim liaison|support victims", 2.5),
        (r"premises|offices|property|facilities", 2),
        (r"write-up|rating|report", 0.5),
        (r"quality of work", 2.5),
        (r"\bbasics\b", 1.5),
        (r"\btelephone\b", 4.5),
        (r"\boverall rating\b", 3),
        (r"\bpoor\b", 0.5),
        (r"deteriorat\w*", 1),
        (r"\bservice\b", 0.3),
    ],
}


def _required_literal(pattern: str) -> str | None:
    """The longest literal text every match of ``pattern`` contains (``None`` if there is none).

    Used as a cheap ``in`` test before running a cue's regular expression; only literals on the
    pattern's top level count, so the test never hides a match.
    """
    from re import _parser  # type: ignore[attr-defined]

    best, cur = "", ""
    for op, av in _parser.parse(pattern):
        if str(op) == "LITERAL":
            cur += chr(av)
            continue
        best, cur = max(best, cur, key=len), ""
    best = max(best, cur, key=len)
    return best if len(best) >= 3 else None


_THEME_ALL = [(k, re.compile(p), w, _required_literal(p)) for k, v in _THEME_CUES.items() for p, w in v]


def cue_inventory() -> dict[str, tuple[str, str]]:
    """Every lexicon cue by name (``polarity:<kind>:<pattern>``, ``theme:<label>:<pattern>``).

    The value is ``(kind or theme label, pattern)``. The names are what :func:`without_cues`
    takes and what the development-set support check (:mod:`probkg.evaluation.support`) reports.
    """
    out: dict[str, tuple[str, str]] = {}
    for kind, patterns in POLARITY_CUES.items():
        for p in patterns:
            out[f"polarity:{kind}:{p}"] = (kind, p)
    for label, cues in _THEME_CUES.items():
        for p, _w in cues:
            out[f"theme:{label}:{p}"] = (label, p)
    return out


@contextmanager
def without_cues(names: Iterable[str]) -> Iterator[None]:
    """Run the lexicon with the named cues switched off (for held-apart scoring); restores after."""
    global _CRIT_RE, _POS_RE, _MIX_RE, _THEME_ALL  # noqa: PLW0603 - swapped and restored around a block
    off = set(names)
    saved = (_CRIT_RE, _POS_RE, _MIX_RE, _THEME_ALL)
    _CRIT_RE, _POS_RE, _MIX_RE = (
        _alternation([p for p in POLARITY_CUES[k] if f"polarity:{k}:{p}" not in off])
        for k in ("critical", "positive", "mixed")
    )
    _THEME_ALL = [t for t in saved[3] if f"theme:{t[0]}:{t[1].pattern}" not in off]
    try:
        yield
    finally:
        _CRIT_RE, _POS_RE, _MIX_RE, _THEME_ALL = saved


_THEME_THRESHOLD = 2.0


def theme(text: str) -> tuple[str, list[str]]:
    """Primary theme label and any secondary themes scoring at least two thirds of the best."""
    t = normalise_text(text)
    scores: dict[str, float] = {}
    for name, rx, w, literal in _THEME_ALL:
        if literal is not None and literal not in t:
            continue
        n = len(rx.findall(t))
        if n:
            scores[name] = scores.get(name, 0.0) + w * n
    if not scores:
        return "other", []
    order = sorted(scores.items(), key=lambda kv: (-kv[1], THEMES.index(kv[0])))
    best, best_score = order[0]
    if best_score < _THEME_THRESHOLD:
        best = "other"
    also = [n for n, s in order[1:] if s >= max(_THEME_THRESHOLD, best_score * 2 / 3) and n != best]
    return best, also


# ----------------------------------------------------------------------------- organisations

INSPECTION_CUES: dict[str, str] = {
    "inspection": r"\binspect(?:ion|ions|ed|ing|s)?\b",
    "inspectors": r"\binspectors?\b",
    "inspectorate": r"\b(?:inspectorate|HMI Probation|HMIP)\b",
    "report": r"\breport(?:s|ed)?\b",
    "rating": r"\b(?:rated|rating|ratings|grade|graded)\b",
    "found": r"\b(?:found|find|finds|identified|noted|praised)\b",
}
"""Words that make a sentence speak of an inspection: a provider named there is reported on.
Each cue is a regular expression; the keys name them (the lexicon test checks each against the
development documents)."""

INSPECTION_CUE = re.compile("|".join(f"(?:{p})" for p in INSPECTION_CUES.values()), re.IGNORECASE)

OTHER_HOLDING_CUES: dict[str, str] = {
    "operates": r"\b(?:which|that|who)\s+(?:also\s+)?(?:operates|runs|owns|manages)\s+(?:the\s+)?",
    "also owns": r"\balso\s+(?:owns|runs|operates|manages)\s+(?:the\s+)?",
}
"""Words right before a provider's name that make it another organisation's holding, not the subject."""

OTHER_HOLDING = re.compile("(?:" + "|".join(f"(?:{p})" for p in OTHER_HOLDING_CUES.values()) + ")$")


RATING_VALUES = ("Outstanding", "Good", "Requires improvement", "Inadequate")

RATING_VALUE = (
    r"(Outstanding|Good|Requires\s+[Ii]mprovement|Requiring\s+[Ii]mprovement|Inadequate|outstanding|good"
    r"|requires\s+improvement|requiring\s+improvement|inadequate)"
)
"""A value of the rating scale as written (group 1); :func:`normalise_rating` maps it to the scale."""

RATING_CUES: dict[str, str] = {
    # a verb of rating with an optional object and "as"/"to be": "rated it good", "assessed NPS Wales as",
    # "has been branded inadequate", "assessing its overall performance as"
    "rating verb": r"\b(?:rated|rate|rates|assessed|assessing|judged|graded|branded)\b"
    r"(?:[^.;:]{0,70}?\b(?:as|to be)\s+|\s+(?:it|them|him|her)\s+|\s+)",
    # "an overall good assessment", "gave an overall ‘Requires improvement’ rating"
    "overall": r"\boverall\s+",
}
"""What may stand right before a rating value that is not quoted (each a regular expression)."""

RATING_BEFORE = "(?:" + "|".join(f"(?:{p})" for p in RATING_CUES.values()) + ")"

RATING_SCALE = re.compile(
    r"\b(?:(second|third)[- ])?(lowest|highest)(?:\s+possible)?\s+(?:rating|grade|assessment|mark)\b", re.I
)
"""A place on the four-point scale instead of its name ("the lowest possible grade")."""

RATING_PAST_CUES: dict[str, str] = {
    "previous": r"\bpreviously\b|\bprevious(?:\s+\w+)?\s+(?:inspections?|ratings?|grades?|reports?)\b",
    "last": r"\b(?:last inspected|when we last|in our last|last (?:inspection|year|time))\b",
    "same grade": r"\bsame (?:grade|rating|mark)\b",
}
"""Words that put a rating in an earlier inspection (read before the value, in its sentence)."""

RATING_PAST = re.compile("|".join(f"(?:{p})" for p in RATING_PAST_CUES.values()), re.I)


def entity_cue_inventory() -> dict[str, re.Pattern[str]]:
    """The cues of organisation, inspection and rating reading by name, compiled as they are used.

    Like :func:`cue_inventory` for polarity and theme, each must be supported by two development
    documents (checked in ``tests/test_text_extract.py``).
    """
    out: dict[str, re.Pattern[str]] = {}
    for name, p in INSPECTION_CUES.items():
        out[f"inspection:{name}"] = re.compile(p, re.I)
    for name, p in OTHER_HOLDING_CUES.items():
        out[f"holding:{name}"] = re.compile(p)
    for name, p in RATING_CUES.items():
        out[f"rating:{name}"] = re.compile(p + RATING_VALUE)
    for name, p in RATING_PAST_CUES.items():
        out[f"earlier rating:{name}"] = re.compile(p, re.I)
    out["rating:place on the scale"] = RATING_SCALE
    return out


def scale_value(phrase: str) -> str | None:
    """The value a place on the scale names: lowest -> Inadequate, second highest -> Good ..."""
    m = RATING_SCALE.search(phrase)
    if not m:
        return None
    rank = {"second": 1, "third": 2}.get((m.group(1) or "").lower(), 0)
    scale = RATING_VALUES if m.group(2).lower() == "highest" else tuple(reversed(RATING_VALUES))
    return scale[rank] if rank < len(scale) else None


_RATING_WORDS = re.compile(r"(requir(?:es|ing|ed)?\s+improvement|outstanding|inadequate|good)", re.IGNORECASE)


def normalise_rating(text: str) -> str | None:
    """Map a rating as written ('requiring improvement', 'Good.', '‘outstanding’') to the scale."""
    m = _RATING_WORDS.search(text.replace("\u00a0", " "))
    if not m:
        return None
    word = m.group(1).lower()
    if word.startswith("requir"):
        return "Requires improvement"
    return word.capitalize() if word != "good" else "Good"


_UNITS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
}
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_FRACTIONS = {"half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5}


def parse_number_words(text: str) -> float | None:
    """Numeric value of a number as written: digits, number words, fractions, "one in four" (as %).

    Fractions and "N in M" are returned as percentages rounded to one decimal place ("a third" ->
    33.3, "one in four" -> 25.0, "half" -> 50.0); "every six weeks" -> 6.
    """
    t = normalise_text(text).replace(",", "")
    t = re.sub(
        r"^(around|about|nearly|almost|over|more than|less than|fewer than|under|some|approximately"
        r"|roughly|an average of|up to|at least|just over|just under|every)\s+",
        "",
        t,
    )
    t = re.sub(r"\s*(%|per ?cent|percent)$", "", t)
    m = re.fullmatch(r"-?\d+(\.\d+)?", t)
    if m:
        return float(t)
    m = re.match(r"(\w+) in (\w+)\b", t)
    if m:
        a, b = _word_value(m.group(1)), _word_value(m.group(2))
        if a and b:
            return round(100.0 * a / b, 1)
    m = re.match(r"(a|one|two|three|four)[ -](half|third|thirds|quarter|quarters|fifth|fifths)\b", t)
    if m:
        a = 1 if m.group(1) == "a" else _word_value(m.group(1))
        if a:
            return round(100.0 * a / _FRACTIONS[m.group(2)], 1)
    if t.startswith("half"):
        return 50.0
    first = t.split()[0] if t.split() else ""
    v = _word_value(first)
    return float(v) if v is not None else None


def _word_value(word: str) -> int | None:
    word = word.strip()
    if word.isdigit():
        return int(word)
    if word in _UNITS:
        return _UNITS[word]
    if word in _ORDINALS:
        return _ORDINALS[word]
    if "-" in word:
        parts = word.split("-")
        if all(p in _UNITS for p in parts):
            return sum(_UNITS[p] for p in parts)
    return None
