"""Reading press releases and blog posts into a text plus a same-length "view" of it.

The *text as read* is what every offset refers to:

* ``.txt`` and ``.md``: the file's bytes decoded as UTF-8, unchanged (line ends kept as they are).
* ``.html`` / ``.htm``: the plain text extracted from the page (see :func:`html_text`): the text of
  every block element of ``<body>`` with runs of white space collapsed to one space, blocks joined by
  a blank line; ``<script>``, ``<style>``, ``<nav>``, ``<header>``, ``<footer>``, ``<form>`` and
  ``<aside>`` are left out. The JSON ``source.offsets`` field says which of the two applies.

Nothing is rewritten: markup that is not prose (Markdown ``#``, ``**``, list markers, link targets)
and header lines (``SOURCE:``, ``TITLE:``, ``PARTIAL:``) are blanked out in the *view*, a string of
the same length as the text in which skipped characters are spaces. Extraction reads the view and
slices quotes from the text, so ``quote == text[start:end]`` holds by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from probkg.errors import InputError
from probkg.loaders.base import TEXT_SUFFIXES, read_bounded

__all__ = ["TEXT_SUFFIXES", "Document", "html_text", "read_document", "read_path"]


_HEADER = re.compile(r"(?m)\A((?:[ \t]*(?:SOURCE|TITLE|PARTIAL|URL|DATE)[ \t]*:[^\n]*\r?\n)+)")
_HEADER_LINE = re.compile(r"[ \t]*(SOURCE|TITLE|PARTIAL|URL|DATE)[ \t]*:[ \t]*([^\r\n]*)")


@dataclass
class Document:
    """A document as read: ``text`` (offsets refer to it) and ``view`` (same length, markup blanked)."""

    text: str
    view: str
    path: str | None = None
    url: str | None = None
    title: str | None = None
    partial: bool = False
    fmt: str = "txt"
    meta: dict[str, str] = field(default_factory=dict)
    body_start: int = 0

    @property
    def offsets(self) -> str:
        """What the offsets count, in words, for the JSON ``source`` block."""
        if self.fmt == "html":
            return "plain text extracted from the HTML (code points)"
        return "file text as read, UTF-8 decoded (code points)"


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = " "


def _read_header(text: str, chars: list[str]) -> tuple[dict[str, str], int]:
    meta: dict[str, str] = {}
    m = _HEADER.match(text)
    if not m:
        return meta, 0
    for line in m.group(1).splitlines():
        lm = _HEADER_LINE.match(line)
        if lm:
            meta[lm.group(1).upper()] = lm.group(2).strip()
    _blank(chars, 0, m.end())
    return meta, m.end()


_MD_LINE_PREFIX = re.compile(r"(?m)^([ \t]*)(#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,3}[.)][ \t]+)")
_MD_LINK = re.compile(r"(!?\[)([^\]\n]*)(\]\([^)\n]*\))")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)")
_MD_RULE = re.compile(r"(?m)^[ \t]*([-*_][ \t]*){3,}$")


def _blank_markdown(text: str, chars: list[str], start: int) -> None:
    """Blank Markdown syntax in the view; the prose between it keeps its offsets."""
    for m in _MD_RULE.finditer(text, start):
        _blank(chars, m.start(), m.end())
    for m in _MD_EMPH.finditer(text, start):
        _blank(chars, m.start(), m.end())
    for m in _MD_LINE_PREFIX.finditer(text, start):
        prefix = m.group(2)
        if prefix[0] in "-*+" or prefix[0].isdigit():
            # keep a bullet character so segmentation still sees a list item
            _blank(chars, m.start(2), m.end(2))
            chars[m.start(2)] = "•"
        else:
            _blank(chars, m.start(2), m.end(2))
    for m in _MD_LINK.finditer(text, start):
        _blank(chars, m.start(1), m.end(1))
        _blank(chars, m.start(3), m.end(3))


_SKIP_TAGS = ("script", "style", "nav", "header", "footer", "form", "aside", "noscript", "template", "svg")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "main",
        "tr",
        "td",
        "th",
        "dt",
        "dd",
        "pre",
        "figcaption",
        "caption",
        "ul",
        "ol",
        "table",
        "br",
        "hr",
    ]
)


def html_text(markup: str | bytes) -> tuple[str, dict[str, str]]:
    """Plain text of an HTML page (the "text as read" for HTML) and its metadata.

    Blocks (paragraphs, list items, headings, table cells...) become paragraphs separated by a blank
    line; inside a block, runs of white space (U+00A0 included) become one space; list items start
    with "• " so that they stay recognisable as bullets. Metadata: ``TITLE`` from ``<title>`` (or
    the first ``<h1>``), ``SOURCE`` from ``<link rel="canonical">`` or ``<meta property="og:url">``.
    """
    from bs4 import BeautifulSoup, NavigableString, Tag  # heavy: imported only for HTML

    soup = BeautifulSoup(markup, "lxml")
    meta: dict[str, str] = {}
    if soup.title and soup.title.string:
        meta["TITLE"] = " ".join(soup.title.string.split())
    canon = soup.find("link", rel="canonical")
    if isinstance(canon, Tag) and canon.get("href"):
        meta["SOURCE"] = str(canon["href"])
    else:
        og = soup.find("meta", attrs={"property": "og:url"})
        if isinstance(og, Tag) and og.get("content"):
            meta["SOURCE"] = str(og["content"])
    for tag in soup(list(_SKIP_TAGS)):
        tag.decompose()
    root = soup.body or soup
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(current).split())
        if joined:
            blocks.append(joined)
        current.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                current.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _BLOCK_TAGS:
                    flush()
                    if child.name == "li":
                        current.append("• ")
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(root)
    flush()
    if "TITLE" not in meta and blocks:
        h1 = soup.find("h1")
        if h1 is not None:
            meta["TITLE"] = " ".join(h1.get_text().split())
    return "\n\n".join(blocks) + ("\n" if blocks else ""), meta


def read_document(
    text: str,
    *,
    fmt: str = "txt",
    path: str | None = None,
    url: str | None = None,
    title: str | None = None,
    meta: dict[str, str] | None = None,
) -> Document:
    """Build a :class:`Document` from a text already read (``fmt`` is ``txt``, ``md`` or ``html``)."""
    chars = list(text)
    header, body_start = _read_header(text, chars)
    if meta:
        header = {**meta, **header}
    if fmt == "md":
        _blank_markdown(text, chars, body_start)
    view = "".join(chars)
    partial = bool(header.get("PARTIAL"))
    return Document(
        text=text,
        view=view,
        path=path,
        url=url or header.get("SOURCE") or header.get("URL") or None,
        title=title or header.get("TITLE") or None,
        partial=partial,
        fmt=fmt,
        meta=header,
        body_start=body_start,
    )


MAX_TEXT_BYTES = 5 * 1024 * 1024
"""Largest text document (.txt, .md, .html) read, in bytes; press releases are a few kilobytes."""

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _require_text(data: bytes, path: str) -> None:
    """Refuse binary or mostly non-text input: NUL bytes, control characters or undecodable bytes."""
    sample = data[: 1 << 20]
    if b"\x00" in sample:
        raise InputError("not text (the file holds NUL bytes)", path=path)
    bad = len(_CONTROL.findall(sample))
    decoded = sample.decode("utf-8", errors="replace")
    bad += decoded.count("\ufffd")
    if bad > max(8, len(decoded) // 100):
        raise InputError("not text (binary or mostly non-text content)", path=path)


def read_path(path: str | Path) -> tuple[Document, bytes]:
    """Read a ``.txt``/``.md``/``.html`` file; returns the document and the file's bytes."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise InputError(
            f"not a text document (expected one of {', '.join(sorted(TEXT_SUFFIXES))})", path=str(p)
        )
    data = read_bounded(
        p, MAX_TEXT_BYTES, "file too large for a text document ({size:,} bytes; the limit is {limit:,})"
    )
    if not data.strip():
        raise InputError("empty file", path=str(p))
    _require_text(data, str(p))
    if suffix in (".html", ".htm"):
        try:
            text, meta = html_text(data)
        except RecursionError:
            raise InputError("HTML elements nested too deeply to read", path=str(p)) from None
        if not text.strip():
            raise InputError("the page holds no text", path=str(p))
        return read_document(text, fmt="html", path=str(p), meta=meta), data
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("file is not valid UTF-8", path=str(p), line=line) from exc
    fmt = "md" if suffix in (".md", ".markdown") else "txt"
    return read_document(text, fmt=fmt, path=str(p)), data
