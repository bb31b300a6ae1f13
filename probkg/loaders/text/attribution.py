"""Who is judging: attribution of a sentence to the inspectorate, another party or the writer.

A finding is a judgement of the inspectors, their report or the chief inspector, quoted or
paraphrased. Third-party writing mixes those judgements with the opinions of unions, charities,
owners, ministers and the writer. This module reads, for each sentence of a document, who speaks:

* a **speech or stance verb** ("said", "added", "believes", "is concerned", "according to") with
  its speaker: the words just before the verb (or after "according to" / an inverted "said X").
  A speaker holding an inspectorate cue ("inspectors", "the report", "HMI Probation", "the chief
  inspector", the chief inspector's own surname, "we"/"our" in the inspectorate's voice) makes the
  sentence the inspectorate's; a pronoun ("they", "she") inherits the speaker in force; any other
  speaker (a named person, an organisation, a spokesperson, a union) makes it another party's.
* **reported speech across sentences**: a sentence ending "X said:" (or opening a quotation that
  does not close) hands its speaker to the following sentences while the quotation stays open and
  to the following paragraphs that open with a quotation mark.
* **the writer's own speculation** ("The fear is ...") and **questions** are nobody's finding.

The rules are general English reporting patterns, not phrases of particular documents;
:func:`cue_inventory` lists every cue so the development-set support test can check each one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Attribution", "Speaker", "attribute_sentences", "cue_inventory"]

INSPECTORATE = "inspectorate"
OTHER = "other party"
WRITER = "writer"
UNSTATED = "unstated"


@dataclass(frozen=True)
class Attribution:
    """Who a sentence's judgement belongs to, and the words that say so (``cue``)."""

    source: str
    cue: str | None = None

    @property
    def is_finding_source(self) -> bool:
        """Inspectorate judgements and unattributed ones (paraphrase of the report) may be findings."""
        return self.source in (INSPECTORATE, UNSTATED)


Speaker = Attribution

_INSPECTORATE_CUES = {
    "inspector": r"\binspectors?\b",
    "inspectorate": r"\binspectorate\b",
    "hmi probation": r"\bhmi\s*probation\b",
    "report": r"\b(?:the|its|a|an|this|their|our)\s+(?:\w+\s+){0,2}(?:report|inspection)\b",
    "we/our": r"^(?:we|our)\b",
}
_INSPECTORATE_RE = re.compile("|".join(f"(?:{p})" for p in _INSPECTORATE_CUES.values()), re.I)

_SPEECH_VERB = re.compile(
    r"\b(?:said|says|say|added|adds|believes?|believed|argued|argues|claimed|claims|warned|warns"
    r"|commented|insisted|stated|explained|(?:is|are|was|were)\s+(?:\w+ly\s+)?concerned"
    r"|according\s+to)\b",
    re.I,
)
_SURVEY = re.compile(
    r"(?:\bper\s?cent\b|%|\b(?:half|thirds?|quarters?|majority|most|many|interviewed|surveyed)\b)", re.I
)
"""A speaker counted by the inspection ("half of the staff we interviewed") is evidence it gathered."""
_PRONOUN = re.compile(r"^(?:they|she|he|it)$", re.I)
_OPEN = "“"
_CLOSE = "”"
_STANCE = re.compile(
    r"^(?:although\s+|but\s+)?it\s+is\s+(?:\w+\s+)?(?:encouraging|disappointing|pleasing|heartening|worrying"
    r"|laudable|good|great)\s+to\b",
    re.I,
)
"""A stance frame ("It is very encouraging to ...") states someone's own view: in a third party's
text, when nobody is quoted, that someone is the writer."""
_WRITER = re.compile(r"^(?:the|one|our)\s+(?:fear|worry|hope|question)\s+(?:is|was|remains)\b", re.I)


def cue_inventory() -> dict[str, str]:
    """Every attribution cue with its pattern (named the way ``--explain`` prints it)."""
    return {
        **{f"attribution:{k}": v for k, v in _INSPECTORATE_CUES.items()},
        "attribution:speech verb": _SPEECH_VERB.pattern,
        "attribution:survey evidence": _SURVEY.pattern,
        "attribution:writer speculation": _WRITER.pattern,
        "attribution:stance frame": _STANCE.pattern,
    }


def _speaker_before(text: str, verb_start: int) -> str:
    """The speaker phrase before a speech verb: back to the sentence start, a quotation or 'that'."""
    head = text[:verb_start]
    cut = max(head.rfind("”"), head.rfind("“"), head.rfind('"'))
    joints = list(re.finditer(r"\b(?:that|which|who|and|but)\s", head, re.I))
    if joints and joints[-1].end() > cut + 1:
        cut = joints[-1].end() - 1
    speaker = head[cut + 1 :]
    if "," in speaker.strip(" ,"):
        # "The division is recruiting, Dame Glenys said," -> the words after the last comma, unless
        # the commas enclose an appositive ("Andrew Neilson, director of ..., said")
        parts = [p.strip() for p in speaker.split(",") if p.strip()]
        if parts and re.search(r"\b(?:is|are|was|were|has|have|had)\b", parts[0]) and len(parts) > 1:
            speaker = parts[-1]
    return " ".join(speaker.split())


def _classify(speaker: str, chief_names: list[str], current: Attribution | None) -> Attribution:
    words = speaker.strip(" ,:;").split()
    if not words:
        return current or Attribution(UNSTATED)
    if _INSPECTORATE_RE.search(speaker):
        return Attribution(INSPECTORATE, speaker)
    if any(re.search(rf"\b{re.escape(n)}\b(?!\s+[A-Z])", speaker) for n in chief_names if len(n) > 2):
        return Attribution(INSPECTORATE, speaker)
    if _SURVEY.search(speaker):
        return Attribution(INSPECTORATE, speaker)
    if re.search(r"\bchief\s+inspector\b", speaker, re.I):
        return Attribution(INSPECTORATE, speaker)
    if len(words) == 1 and _PRONOUN.match(words[0]):
        return current or Attribution(UNSTATED, speaker)
    if re.fullmatch(r"(?:we|i)", words[-1], re.I):
        return current or Attribution(UNSTATED, speaker)
    return Attribution(OTHER, speaker)


def _attribute_one(text: str, chief_names: list[str], current: Attribution | None) -> Attribution | None:
    """The attribution a sentence states itself, or ``None`` when it states none."""
    flat = " ".join(text.split())
    if _WRITER.match(flat):
        return Attribution(WRITER, _WRITER.match(flat).group(0))  # type: ignore[union-attr]
    for m in _SPEECH_VERB.finditer(flat):
        word = m.group(0).lower()
        if word.startswith("according"):
            after = flat[m.end() :]
            return _classify(" ".join(after.split(",")[0].split()[:8]), chief_names, current)
        after = flat[m.end() :]
        by = re.match(r"\s+by\s+([^,.;:]+)", after)
        if by and word in ("said", "stated", "explained", "commented"):
            return _classify(by.group(1), chief_names, current)
        pre = flat[: m.start()].rstrip()
        if _SURVEY.search(pre):
            return Attribution(INSPECTORATE, pre)
        after_chunk = re.split(r"[,.;:]", after, maxsplit=1)[0].strip()
        if pre.endswith(",") and re.match(r"(?:[A-Z]|she\b|he\b|they\b)", after_chunk):
            # inverted: "..., said Dame Glenys Stacey, Chief Inspector" names the speaker after the verb
            return _classify(" ".join(after_chunk.split()[:8]), chief_names, current)
        chunk = pre.rsplit(",", 1)[-1].strip()
        if (
            "," in pre[:-1]
            and not pre.endswith(",")
            and 0 < len(chunk.split()) <= 4
            and not re.match(r"(?:who|which|that)\b", chunk)
        ):
            # "..., she added." / "The division is recruiting, Dame Glenys said, ..."
            return _classify(chunk, chief_names, current)
        before = _speaker_before(flat, m.start())
        if not before.strip():
            continue
        if _PRONOUN.fullmatch(before.strip()) and _INSPECTORATE_RE.search(flat[: m.start()]):
            return Attribution(INSPECTORATE, flat[: m.start()].strip())
        # "..., said Napo's general secretary" (inverted) : the words after the verb name the speaker
        return _classify(before, chief_names, current)
    return None


def _lead(text: str) -> Attribution | None:
    """An inspectorate subject in the first words ("Inspectors praised ...", "We found ...")."""
    lead = _INSPECTORATE_RE.search(" ".join(text.split()[:10]))
    return Attribution(INSPECTORATE, lead.group(0)) if lead else None


def attribute_sentences(
    texts: list[tuple[str, bool]], chief_names: list[str] | None = None, *, third_party: bool = False
) -> list[Attribution]:
    """Attribution of each sentence; ``texts`` are (sentence text, opens a new paragraph) in order.

    ``third_party`` marks writing by others than the inspectorate: there an unquoted stance frame
    ("It is encouraging to ...") is the writer's view.
    """
    names = chief_names or []
    out: list[Attribution] = []
    carried: Attribution | None = None  # speaker of an open quotation
    quote_depth = 0
    last_inspectorate: Attribution | None = None
    for text, new_para in texts:
        stripped = text.lstrip()
        if new_para and carried is not None and quote_depth <= 0 and not stripped.startswith((_OPEN, '"')):
            carried = None
        own = _attribute_one(text, names, carried or last_inspectorate)
        if own is None and carried is None:
            own = _lead(text)
        if own is not None:
            att = own
        elif carried is not None:
            att = carried
        else:
            att = Attribution(UNSTATED)
        if text.rstrip().endswith("?"):
            att = Attribution(WRITER, "question")
        elif third_party and att.source == UNSTATED and _STANCE.match(text.lstrip("“\"‘' ")):
            att = Attribution(WRITER, "stance frame")
        out.append(att)
        if att.source == INSPECTORATE:
            last_inspectorate = att
        depth_change = text.count(_OPEN) - text.count(_CLOSE)
        if text.rstrip().endswith(":") and own is not None:
            carried, quote_depth = own, 0
        elif own is not None and depth_change > 0:
            carried, quote_depth = own, depth_change
        elif carried is not None:
            quote_depth += depth_change
            if quote_depth < 0 or (quote_depth == 0 and _CLOSE in text):
                carried, quote_depth = None, 0
    return out
