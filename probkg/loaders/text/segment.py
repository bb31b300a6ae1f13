"""Blocks, sentences and clauses of a document's view, as offsets into the text as read.

Segmentation works on :attr:`Document.view` (the text with markup blanked) and only ever returns
``(start, end)`` offsets, so the caller slices quotes from the original text.

* **Blocks** are lines or wrapped paragraphs. A block is a ``heading`` (short, no closing
  punctuation), a ``bullet`` (``•``, ``-``, ``*``, ``1.``...), or a ``para``. Each block lies in a
  zone: ``body``, ``notes`` (after "– ENDS –" or "Notes to editors") or is dropped: share buttons,
  comment forms, related-post lists and sponsor adverts (everything after the first such trailer cue),
  and contact lines (phone numbers, e-mail addresses, "for further information", press offices).
* **Sentences** end at ``.``/``!``/``?``/``…`` before a capital, at a colon that opens a quotation,
  and between two quotations; abbreviations such as "Mr" and "e.g." do not end one.
* **Clauses** split a sentence at semicolons, spaced dashes, contrastive words ("but", "although",
  "however", "whilst", "despite") and at "and" between two full clauses; a split is not made when the
  second part opens with a pronoun that points back ("it", "this", "there"...), since then the two
  halves make one judgement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "blocks", "clauses", "is_private", "sentences", "strip_span"]

WS = " \t\r\n\u00a0\u2009\u202f\u200b\ufeff"


@dataclass
class Block:
    """A line or paragraph: offsets, kind (heading / bullet / para) and zone (body / notes)."""

    start: int
    end: int
    kind: str
    zone: str
    section: int = 0


_BULLET = re.compile(r"[ \t\u00a0]*(?:[•\-*–·▪●◦‣]|\d{1,3}[.)]|\(\d{1,3}\)|\[\d{1,3}\])[ \t\u00a0]+")
_BOILER = re.compile(
    r"^(share( this( post| page| article)?| on \w+| via \w+)?|tweet|print( this)?( page)?|e-?mail this"
    r"|like this:?|follow us.*|subscribe.*|keep informed|sign up.*|one email every .*"
    r"|your e-?mail address will not be published.*|required fields.*|\d+ (responses?|comments?)"
    r"|one (response|comment)|no (responses|comments)( yet)?|posted (in|on|by) .*|tags?:.*|filed under.*"
    r"|categor(y|ies):.*|advertisement|skip to (main )?content|back to top|cookies?.*|menu|search)\W*$",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^(related (posts|articles|stories|content)|leave a (reply|comment)|comments|you may also like"
    r"|more (posts|stories)|(all .{0,40})?\bsponsored by\b.*|post navigation|about the author)\W*$",
    re.IGNORECASE,
)
_ENDS = re.compile(r"^[\s\-–—*]*ends?[\s\-–—*]*$", re.IGNORECASE)
_NOTES = re.compile(r"^(notes? (to|for) editors?|editors?'? ?notes?)\W*$", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\d£$.,])(?:\+44\s?|0)\d{2,4}[ \u00a0-]?\d{3,4}[ \u00a0-]?\d{3,4}(?![\d%])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT = re.compile(
    r"\b(for (further|more) information|please (contact|call|e-?mail|ring)|press office|media enquiries"
    r"|communications (officer|manager|team)|out of hours)\b",
    re.IGNORECASE,
)


def is_private(span_text: str) -> bool:
    """True for text carrying contact details: phone numbers, e-mail addresses, press-office lines."""
    return bool(_PHONE.search(span_text) or _EMAIL.search(span_text) or _CONTACT.search(span_text))


def strip_span(view: str, start: int, end: int, chars: str = WS) -> tuple[int, int]:
    """Shrink ``[start, end)`` so that it neither starts nor ends with any of ``chars``."""
    while start < end and view[start] in chars:
        start += 1
    while end > start and view[end - 1] in chars:
        end -= 1
    return start, end


def _lines(view: str, start: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for line in view[start:].split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


_TERMINAL = ".!?:;”\"’'…)]"


def blocks(view: str, start: int = 0) -> list[Block]:
    """Blocks of the view from ``start`` on, boilerplate and contact lines left out."""
    out: list[Block] = []
    zone = "body"
    section = 0
    pending: tuple[int, int] | None = None
    raw: list[tuple[int, int]] = []
    for s, e in _lines(view, start):
        s2, e2 = strip_span(view, s, e)
        if s2 >= e2:
            if pending:
                raw.append(pending)
                pending = None
            raw.append((-1, -1))
            continue
        line = view[s2:e2]
        if (
            pending
            and not _BULLET.match(line)
            and view[pending[1] - 1] not in _TERMINAL
            and line[:1].islower()
        ):
            pending = (pending[0], e2)  # a wrapped line continues the paragraph
            continue
        if pending:
            raw.append(pending)
        pending = (s2, e2)
    if pending:
        raw.append(pending)
    for s, e in raw:
        if s < 0:
            continue
        line = view[s:e]
        flat = " ".join(line.replace("\u00a0", " ").split())
        if _TRAILER.match(flat):
            break
        if _BOILER.match(flat):
            continue
        if _ENDS.match(flat):
            zone = "notes"
            continue
        if _NOTES.match(flat):
            zone = "notes"
            continue
        if is_private(line):
            continue
        bullet = _BULLET.match(line)
        if bullet:
            kind = "bullet"
        elif len(flat.split()) <= 14 and flat[-1] not in _TERMINAL:
            kind = "heading"
            section += 1
        else:
            kind = "para"
        out.append(Block(s, e, kind, zone, section))
    return out


_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|No|Nos|Co|Ltd|Inc|etc|vs|cf|approx|Rt|Hon|Prof|Gen)|\be\.g|\bi\.e|\b[A-Z])\.$"
)
_SENT_BREAK = re.compile(
    r"(?P<p>[.!?]+[”\"’')\]]*|…[”\"’')\]]*)(?P<ws>[ \t\u00a0]*)(?=[“\"‘'(\[]?[A-Z0-9•])"
    r"|(?P<colon>:)(?P<ws2>[ \t\u00a0]*)(?=[“\"‘])"
    r"|(?P<q>”)(?P<ws3>[ \t\u00a0]+)(?=“)"
)
_OPEN_TRIM = WS + "•*·▪●◦‣–—-“\"‘'([…"
_CLOSE_TRIM = WS + "”\"’'"


def _trim_sentence(view: str, s: int, e: int) -> tuple[int, int]:
    s, e = strip_span(view, s, e)
    m = _BULLET.match(view, s)
    if m and m.end() <= e:
        s = m.end()
    s, e = strip_span(view, s, e)
    while s < e and view[s] in _OPEN_TRIM:
        s += 1
    while e > s and view[e - 1] in _CLOSE_TRIM:
        seg = view[s : e - 1]
        ch = view[e - 1]
        if ch in '”"' and seg.count("“") > seg.count("”"):
            break
        if ch == "’" and seg.count("‘") > seg.count("’") - 0 and "‘" in seg:
            break
        if ch == "'" and seg.count("'") % 2 == 1:
            break
        e -= 1
    while e > s and view[e - 1] in WS:
        e -= 1
    return s, e


def sentences(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``view[start:end]`` as trimmed ``(start, end)`` offsets."""
    out: list[tuple[int, int]] = []
    lead = _BULLET.match(view, start, end)
    if lead:
        start = lead.end()
    cur = start
    for m in _SENT_BREAK.finditer(view, start, end):
        if m.group("p"):
            if m.group("p").startswith(".") and _ABBREV.search(
                view[max(start, m.start() - 6) : m.start() + 1]
            ):
                continue
            if not m.group("ws") and not m.group("p").startswith("…"):
                continue  # "arrangements.In" without space: not a break unless an ellipsis
            cut = m.end("p")
        elif m.group("colon"):
            cut = m.end("colon")
        else:
            cut = m.end("q")
        s, e = _trim_sentence(view, cur, cut)
        if e > s:
            out.append((s, e))
        cur = cut
    s, e = _trim_sentence(view, cur, end)
    if e > s:
        out.append((s, e))
    return out


_PRONOUN_START = re.compile(r"^(it|this|that|there|they|these|those|he|she|which)\b", re.IGNORECASE)
_FINITE = re.compile(
    r"\b(is|are|was|were|has|have|had|needs?|needed|must|should|can|could|will|would|did|does|do|remains?"
    r"|remained|seems?|seemed|appears?|appeared|suffered|affected|varied|improved|deteriorated|struggled"
    r"|reduced|worsened|provides?|works?|lacks?|lacked|found|means|makes?|made|supports?|led|took|felt"
    r"|abided|caused|acknowledge|showed|shows|isn’t|wasn’t|aren’t|weren’t)\b",
    re.IGNORECASE,
)
_LEAD_SUB = re.compile(r"(although|though|whilst|while|despite|notwithstanding)\b", re.IGNORECASE)
_SPLITTERS = re.compile(
    r";\s*"
    r"|\s+[–—-]\s+"
    r"|,?\s+[“‘]?but\b,?\s*"
    r"|,\s*however,?\s+|\s+however,\s+"
    r"|,\s*(?=(although|though|whilst|whereas|despite)\b)"
    r"|,?\s+and\s+(?=(so\s+)?[a-z“‘A-Z])"
    r"|:\s+(?=[a-z])",
)
_NOT_CLAUSE_START = re.compile(
    r"^(to|with|by|for|in|on|at|of|from|as|into|across|including|especially|particularly|not|so|then"
    r"|also|is|are|was|were|be|been|being|has|have|had|do|does|did|make|making|made|deliver|provide"
    r"|support|reduce|protect|manage|developing|driving|helped|undertook|kept|put|[a-z]+ly)\b",
    re.IGNORECASE,
)


_SENTENCE_ADVERB = re.compile(r"^(?:[a-z]+ly|overall|in particular|in practice),\s*", re.I)


_PAIRED_DASH = re.compile(r"\s[–—]\s(?:\S+\s){0,5}?\S+\s[–—]\s")


def _in_dash_pair(view: str, start: int, end: int, dash: re.Match[str]) -> bool:
    """True when ``dash`` opens or closes a short aside between two spaced dashes."""
    return any(m.start() <= dash.start() < m.end() for m in _PAIRED_DASH.finditer(view, start, end))


def _words(text: str) -> int:
    return len(text.split())


def clauses(view: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one sentence into clauses (see the module docstring); offsets are trimmed."""
    pieces: list[tuple[int, int]] = [(start, end)]
    # leading subordinate clause: "Although X, Y" -> "Although X" | "Y"
    text = view[start:end]
    opener = re.match(
        r"(?:overall|however|but|and|so|yet|still|in particular|indeed),?\s+"
        r"|(?:it|they|she|he|the report|inspectors)\s+(?:said|found|noted|added)\s+(?:that\s+)?",
        text,
        re.I,
    )
    lead = _LEAD_SUB.match(text, opener.end() if opener else 0)
    if lead:
        depth = 0
        for i, ch in enumerate(text):
            if ch in "(“‘":
                depth += 1
            elif ch in ")”’" and depth:
                depth -= 1
            elif ch == "," and depth == 0 and i > lead.end():
                rest = text[i + 1 :].strip(WS)
                if _FINITE.search(text[:i]) and _FINITE.search(rest) and not _PRONOUN_START.match(rest):
                    pieces = [(start, start + i), (start + i + 1, end)]
                break
    out: list[tuple[int, int]] = []
    for ps, pe in pieces:
        cur = ps
        prev = ps
        for m in _SPLITTERS.finditer(view, ps, pe):
            since_prev = view[prev : m.start()]
            prev = m.end()
            left = view[cur : m.start()]
            right = view[m.end() : pe]
            sep = m.group(0).strip(WS + ",“‘").lower()
            if _words(left) < 3 or _words(right) < 3:
                continue
            if sep.startswith("and") and (
                view[m.start() - 1 : m.start()] == "-" or re.match(r"[a-z]+-[a-z]+\b", view[m.end() : pe])
            ):
                continue  # modifiers in coordination: "low- and medium-risk", "low and medium-risk"
            if depth_inside(view, cur, m.start()):
                continue
            # a sentence adverb set off by a comma ("but generally, practice was ...") opens a clause
            rs = _SENTENCE_ADVERB.sub("", right.lstrip(WS + ","))
            if _PRONOUN_START.match(rs) and _words(rs) <= 4:
                continue  # "..., and this is disappointing": a comment on the clause before, one judgement
            if sep in ("but", "however", "and", "and so") or sep.startswith("but"):
                if _PRONOUN_START.match(rs) and sep != "and":
                    continue
                if sep.startswith("and") and (rs.lower().startswith("so ") or not _FINITE.search(since_prev)):
                    continue
                np_list = (
                    sep.startswith("and")
                    and m.group(0).startswith(",")
                    and re.match(r"(?:a|an|some|many|most|much|little|no|too)\s", rs)
                )
                finite = _FINITE.search(_first_clause(rs)) or (
                    sep.startswith("and")
                    and re.match(
                        r"(?:the|a|an|this|these|those|some|most|many|few|too|little|no|all|its|their)\s", rs
                    )
                    and re.search(r"\b\w{3,}ed\b", _first_clause(rs))
                )
                if not np_list and (_NOT_CLAUSE_START.match(rs) or not finite):
                    continue
            if sep == "" and m.group(0).startswith(",") and not _FINITE.search(left):
                continue  # before although/whilst/despite: the left part must be a clause
            if sep in ("–", "—", "-") and not (_FINITE.search(left) or _FINITE.search(right)):
                continue
            if sep in ("–", "—", "-") and _in_dash_pair(view, ps, pe, m):
                continue  # "an initiative – Checkpoint – which ...": dashes in pairs enclose an aside
            out.append((cur, m.start()))
            cur = m.end()
        out.append((cur, pe))
    trimmed = []
    for s0, e0 in out:
        s, e = _trim_sentence(view, s0, e0)
        s, e = strip_span(view, s, e, WS + ",;:")
        if e > s:
            trimmed.append((s, e))
    return trimmed


def depth_inside(view: str, start: int, pos: int) -> bool:
    """True when ``pos`` is inside an open quotation or parenthesis that began after ``start``."""
    seg = view[start:pos]
    return seg.count("“") > seg.count("”") or seg.count("(") > seg.count(")")


def _first_clause(text: str) -> str:
    m = re.search(r";|\s[–—-]\s|\bbut\b", text)
    return " ".join((text[: m.start()] if m else text).split()[:14])
