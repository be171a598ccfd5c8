"""Turn files (Markdown, text, HTML, PDF, DOCX) into Markdown-shaped text with headings.

Every loader returns a :class:`LoadedDocument` whose ``markdown`` uses ``#`` headings, so one
chunker serves all formats. A file that cannot give usable text raises
:class:`~knowledge.errors.DocumentLoadError` naming the reason; callers report it and go on.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table as DocxTable
from docx.table import _Cell as DocxCell
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run as DocxRun
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from knowledge.errors import DocumentLoadError

# The version of what the loaders and the chunker make of a file. `kb index` records it with
# each file it indexes and reads a file again, though its bytes are unchanged, when it was
# indexed by another version: raise it with every change that alters the text, headings or
# sections a file already indexed would get, so a fix reaches existing indexes by itself.
LOADER_VERSION = 17

SUPPORTED_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx"})

# Documents an operator may keep beside the rules and expect read, which hecbot does not read:
# `kb index` names them rather than pass them over in silence (a spreadsheet FAQ, an old .doc).
OTHER_DOCUMENT_SUFFIXES = frozenset(
    {
        ".doc",
        ".docm",
        ".dotx",
        ".rtf",
        ".odt",
        ".ods",
        ".odp",
        ".xls",
        ".xlsx",
        ".xlsm",
        ".csv",
        ".tsv",
        ".ppt",
        ".pptx",
        ".pages",
        ".epub",
    }
)

# HTML elements that are page furniture, never the document's content.
_HTML_BOILERPLATE = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form")
# The elements that hold a page's content, furniture around them.
_HTML_CONTENT = ("main", "article")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_HTML_BLOCKS = (
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "tr",
    "pre",
    "blockquote",
    "dt",
    "dd",
)

_EFFECTIVE_DATE = re.compile(
    r"effective(?:\s+(?:date|from|on|as\s+of))?\s*[:\-–—]?\s*"
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]+\s+\d{4}|[A-Za-z]+\s+\d{1,2},?\s+\d{4})",
    re.IGNORECASE,
)
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b %d %Y",
)
_PLACEHOLDER_TITLES = frozenset(
    {"untitled", "anonymous", "document", "title", "unspecified", "unknown", "none"}
)
# A title a PDF generator stamps from the file it printed ("Microsoft Word - handbook.docx").
_FILE_NAME_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - .*|.*\.(?:docx?|odt|rtf|txt|html?|pdf|pptx?))$",
    re.IGNORECASE,
)
_NUMBERED_HEADING = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+([A-Z][^.!?:]{1,80})$")


@dataclass(frozen=True)
class LoadedDocument:
    """A document's text as Markdown, with the metadata found while loading it."""

    title: str
    markdown: str
    effective_date: str | None = None
    url: str | None = None
    # What the document is (front matter ``kind:``): "rule" (the default), "redirect" (topics
    # the programme does not cover, each with where to go instead) or "translation" (a
    # version of another document in ``language``, naming it in ``translates:``).
    kind: str = "rule"
    translates: str | None = None
    language: str = "en"


def find_effective_date(text: str) -> str | None:
    """Return the ISO date of an "Effective date: ..." statement, if the text has one."""
    match = _EFFECTIVE_DATE.search(text)
    if not match:
        return None
    raw = re.sub(r"\s+", " ", match.group(1).strip())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _title_from_stem(path: Path) -> str:
    return re.sub(r"[_\-]+", " ", path.stem).strip().capitalize() or path.name


# Byte order marks of the Unicode encodings a text file may be saved in (Windows Notepad's
# "Unicode" is UTF-16 LE with a BOM), longest first: UTF-32 LE's starts like UTF-16 LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# The largest a DOCX may expand to when unpacked: a 500-page handbook's XML is tens of MB; a
# zip bomb of a few hundred KB expands to gigabytes (lxml then holds them all in memory).
DOCX_MAX_UNPACKED_BYTES = 200_000_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What an Office package is by the part it holds.
_ZIP_KINDS = (
    ("word/document.xml", "a Word document (.docx)"),
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("content.xml", "an OpenDocument file (.odt/.ods)"),
)


def _what_it_is(path: Path) -> str | None:
    """What a file's first bytes say it is, for a file whose name says otherwise ("handbook.pdf"
    saved from Word as .docx, a web page saved as .docx), else None."""
    with path.open("rb") as file:
        head = file.read(1024)
    if b"%PDF-" in head:
        return "a PDF (.pdf)"
    if head.startswith(_OLE_MAGIC):
        return "a Word 97-2003 document (.doc) or a password-protected Office file"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        return next((kind for part, kind in _ZIP_KINDS if part in names), "a zip archive")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "a web page (.html)"
    return None


def _not_what_its_name_says(path: Path, expected: str) -> DocumentLoadError | None:
    """The error for a file whose content is another format than its name's, else None."""
    actual = _what_it_is(path)
    if actual is None or actual.endswith(f"({path.suffix.lower()})"):
        return None
    return DocumentLoadError(
        str(path),
        f"not {expected}: it is {actual}; save it as {expected} or name it as what it is",
    )


def _unicode_with_bom(path: Path, data: bytes) -> str | None:
    """The text of a file saved as UTF-16 or UTF-32 with a byte order mark, else None."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentLoadError(
                    str(path), f"not valid {encoding.upper()} text ({exc.reason})"
                ) from exc
    return None


def _decode_text(path: Path, data: bytes) -> str:
    """Decode a text file (UTF-8, or UTF-16/32 with a byte order mark), refusing binary junk
    rather than indexing mojibake."""
    text = _unicode_with_bom(path, data)
    if text is None:
        if b"\x00" in data:
            raise _not_what_its_name_says(path, "a text file") or DocumentLoadError(
                str(path), "binary content (NUL bytes) in a text file"
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DocumentLoadError(
                str(path), f"not valid UTF-8 text ({exc.reason}): save it as UTF-8"
            ) from exc
    # Windows (CRLF) and old Mac (CR) line endings read as the line breaks they are.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    if text and printable / len(text) < 0.95:
        raise DocumentLoadError(str(path), "mostly non-printable characters (binary junk?)")
    return text


def _first_heading(markdown: str, *, top: bool = False) -> str | None:
    """The first heading's text; with ``top``, the first ``#`` heading's (a document's title:
    a page whose headings start at ``##`` has none, and its first section is not its title)."""
    pattern = r"^#\s+(.+?)\s*#*\s*$" if top else r"^#{1,6}\s+(.+?)\s*#*\s*$"
    for line in markdown.splitlines():
        match = re.match(pattern, line)
        if match:
            return match.group(1)
    return None


def _require_text(path: Path, markdown: str) -> None:
    if not re.search(r"\w", re.sub(r"^#+", "", markdown, flags=re.MULTILINE)):
        raise DocumentLoadError(str(path), "no text to index (empty document)")


DOCUMENT_KINDS = frozenset({"rule", "redirect", "translation"})


def _front_matter_value(front: str, key: str) -> str | None:
    match = re.search(rf"^{key}:\s*[\"']?(.+?)[\"']?\s*$", front, re.MULTILINE)
    return match.group(1) if match else None


def load_markdown(path: Path) -> LoadedDocument:
    text = _decode_text(path, path.read_bytes())
    title: str | None = None
    front_text = ""
    front = re.match(r"^---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if front:
        text = text[front.end() :]
        front_text = front.group(1)
        title = _front_matter_value(front_text, "title")
    _require_text(path, text)
    text = _bold_headings(_atx_headings(text))
    translates = _front_matter_value(front_text, "translates")
    kind = _front_matter_value(front_text, "kind") or ("translation" if translates else "rule")
    if kind not in DOCUMENT_KINDS:
        raise DocumentLoadError(str(path), f"unknown kind {kind!r} in the front matter")
    if kind == "translation" and not translates:
        raise DocumentLoadError(str(path), "a translation must name the document it translates")
    heading = _first_heading(text)
    title = title or _first_heading(text, top=True)
    section = _front_matter_value(front_text, "section")
    if kind == "translation" and section:
        text = _under_section(path, text, section, heading)
        title = title or heading  # the section's own heading, in the file's language
    return LoadedDocument(
        title=title or _title_from_stem(path),
        markdown=text,
        effective_date=find_effective_date(text),
        kind=kind,
        translates=translates,
        language=_front_matter_value(front_text, "language") or "en",
    )


# The parts of a heading path as an operator copies it from a citation or `kb list`.
_PATH_PARTS = re.compile(r"\s*(?:>|›)\s*")
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})(\s+.*)$")


def _under_section(path: Path, text: str, section: str, heading: str | None) -> str:
    """A translation of one section, named in the front matter (``section: 3. FEES AND
    REFUNDS > 3.2 Refunds``), written as the translations of a whole document are: the
    section's heading path as "Urdu | English" headings, the file's first heading the Urdu
    half of the last one, its own sub-headings below it."""
    parts = [part for part in _PATH_PARTS.split(section.strip()) if part]
    if not parts or len(parts) > len(_SECTION_LEVELS):
        raise DocumentLoadError(
            str(path),
            f"section: names a heading path of 1 to {len(_SECTION_LEVELS)} headings,"
            f" not {section!r}",
        )
    lines = [f"{_SECTION_LEVELS[depth]} {part}" for depth, part in enumerate(parts[:-1])]
    if heading and "|" in heading:
        # Written "Urdu | English" as a whole document's version heads its sections: the
        # English half is the section's own, written once ("آخری تاریخیں | 3. Deadlines").
        own, _, english = heading.rpartition("|")
        if english.strip().casefold() == parts[-1].casefold():
            heading = own.strip()
    urdu = f"{heading} | " if heading else ""
    lines.append(f"{_SECTION_LEVELS[len(parts) - 1]} {urdu}{parts[-1]}")
    body: list[str] = []
    first_seen = heading is None
    for line in text.splitlines():
        match = _MARKDOWN_HEADING.match(line)
        if match and not first_seen:
            first_seen = True  # the section's own (Urdu) heading, written above
            continue
        if match:
            level = min(len(match.group(1)) + len(parts) - 1, len(_SECTION_LEVELS))
            body.append(_SECTION_LEVELS[level - 1] + match.group(2))
        else:
            body.append(line)
    return "\n".join(lines) + "\n" + "\n".join(body).strip("\n") + "\n"


# The heading levels a section path is written with under a document's "#" title.
_SECTION_LEVELS = ("##", "###", "####")


# A setext heading's underline ("Refunds" over "-------"), and lines that cannot be its text.
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
_NOT_HEADING_TEXT = re.compile(r"^\s*(?:[-*+>|#]|\d+[.)]\s|```|~~~)")


def _atx_headings(markdown: str) -> str:
    """Setext headings ("Handbook" over "====", "Refunds" over "----", as some editors and
    converters write them) as the "#" headings the chunker splits on: they were read as one
    section, the underlines as text."""
    lines = markdown.split("\n")
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        underline = _SETEXT_UNDERLINE.match(line)
        previous = out[-1] if out else ""
        if (
            underline
            and not fenced
            and previous.strip()
            and not _NOT_HEADING_TEXT.match(previous)
            and (len(out) < 2 or not out[-2].strip() or out[-2].startswith("#"))
        ):
            level = "#" if underline.group(1).startswith("=") else "##"
            out[-1] = f"{level} {previous.strip()}"
            continue
        out.append(line)
    return "\n".join(out)


# A paragraph that is one bold line ("**3.2 Refunds**"), as Word's export to Markdown and
# writers without heading marks set a heading apart.
_BOLD_LINE = re.compile(r"^(\*\*|__)([^*_\n]{1,80}?)\1\s*$")
_SECTION_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
# How a bold line that is not a heading ends: a lead-in (":") or a sentence.
_NOT_HEADING_ENDINGS = (":", ".", "،", "۔")


def _numbered_depth(text: str) -> int | None:
    """A numbered heading's depth under the title, as deep as its number ("3 Fees" ##,
    "3.2 Refunds" ###, at most ####); None for a heading without a number."""
    number = _SECTION_NUMBER.match(text)
    return min(number.group(1).count(".") + 2, 4) if number else None


def _bold_headings(markdown: str) -> str:
    """Bold lines standing alone as paragraphs, in a document with no "#" heading, as
    headings: the first, before any text, is the title; a numbered one ("3.2 Refunds") is
    as deep as its number; others are sections. A bold line ending with ":" or "." (a
    lead-in, a sentence) stays text."""
    lines = markdown.split("\n")
    if any(_MARKDOWN_HEADING.match(line) for line in lines):
        return markdown
    out: list[str] = []
    text_seen = headed = False
    for index, line in enumerate(lines):
        bold = _BOLD_LINE.match(line.strip())
        alone = (index == 0 or not lines[index - 1].strip()) and (
            index + 1 == len(lines) or not lines[index + 1].strip()
        )
        words = bold.group(2).strip() if bold else ""
        if bold and alone and words and not words.endswith(_NOT_HEADING_ENDINGS):
            depth = _numbered_depth(words) or (1 if not (text_seen or headed) else 2)
            out.append(f"{'#' * depth} {words}")
            headed = True
            continue
        if line.strip():
            text_seen = True
        out.append(line)
    return "\n".join(out)


def load_text(path: Path) -> LoadedDocument:
    text = _decode_text(path, path.read_bytes())
    _require_text(path, text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # A short first line of a plain-text file is its title (as in a notice or memo).
    first = lines[0]
    title = first if len(first) <= 100 and len(lines) > 1 else _title_from_stem(path)
    body = "\n".join(text.splitlines()[1:]) if title == first else text
    return LoadedDocument(
        title=title,
        markdown=f"# {title}\n\n{_questions_as_headings(body.strip())}\n",
        effective_date=find_effective_date(text),
    )


# A plain-text FAQ's question line ("Q: How do I ...?", "Question 3. Can I ...?") and the
# marker opening its answer ("A: ", "Answer: ").
_QUESTION_LINE = re.compile(
    r"^\s*(?:(?:Q|Question)\s*\d*\s*[:.)-]\s*)?(\S.{0,150}[?؟])\s*$", re.IGNORECASE
)
_ANSWER_MARKER = re.compile(r"^\s*(?:A|Answer)\s*[:.)-]\s*", re.IGNORECASE)


def _questions_as_headings(body: str) -> str:
    """A plain-text file's lines that ask a question, each a heading over the lines after it
    (its "Q:" marker and its answer's "A:" dropped): a FAQ written as text is then one
    section a question, as the Markdown FAQ's headings make it, and one answer's sentences
    do not run into the next one's."""
    out: list[str] = []
    after_question = False
    for line in body.splitlines():
        question = _QUESTION_LINE.match(line)
        if question:
            out.append(f"\n## {question.group(1).strip()}\n")
            after_question = True
            continue
        if after_question and line.strip():
            out.append(_ANSWER_MARKER.sub("", line))
            after_question = False
            continue
        out.append(line)
    return "\n".join(out).strip()


def load_html(path: Path) -> LoadedDocument:
    data = path.read_bytes()
    text = _unicode_with_bom(path, data)
    if text is None and b"\x00" in data:
        raise _not_what_its_name_says(path, "a web page") or DocumentLoadError(
            str(path), "binary content (NUL bytes) in an HTML file"
        )
    try:
        soup = BeautifulSoup(data if text is None else text, "lxml")
    except Exception as exc:  # lxml raises several types on broken input
        raise DocumentLoadError(str(path), f"malformed HTML ({exc})") from exc

    head_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    url: str | None = None
    canonical = soup.find("link", rel="canonical")
    if isinstance(canonical, Tag) and canonical.get("href"):
        url = str(canonical["href"])
    for element in soup.find_all(_HTML_BOILERPLATE):
        if element.name == "header" and element.find_parent(_HTML_CONTENT) is not None:
            # An article's own header holds its title (WordPress's "entry-header" <h1>); its
            # other words (the date, the author) stay out as a header's furniture.
            continue
        element.decompose()
    root = soup.find("main") or soup.find("article") or soup.find(role="main")
    container = root if isinstance(root, Tag) else (soup.body or soup)

    lines: list[str] = []
    loose: list[NavigableString] = []  # words outside any block, waiting to be a paragraph
    holder: Tag | None = None  # the element those words are written in

    def flush() -> None:
        if loose and not _furniture(loose, container):
            text = _joined([str(piece).strip() for piece in loose])
            if re.search(r"\w", text):
                lines.append(f"{text}\n")
        loose.clear()

    for node in container.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                flush()  # a line break ends a paragraph written without <p>
            if node.name in _HTML_BLOCKS:
                flush()
                # A heading is the page's own even in a "page-header" <div> (Bootstrap's).
                if node.name in _HTML_HEADINGS or not _marked_furniture(node, container):
                    lines.extend(_html_block(node))
            continue
        if type(node) is not NavigableString or not node.strip():
            continue
        if node.find_parent(_HTML_BLOCKS) is not None:
            continue  # read with its block
        # Words written straight into a <div> or after a heading (pages built without <p>).
        parent = _text_holder(node)
        if parent is not holder:
            flush()
            holder = parent
        loose.append(node)
    flush()
    markdown = "\n".join(lines).strip() + "\n"
    _require_text(path, markdown)
    return LoadedDocument(
        title=_first_heading(markdown, top=True) or head_title or _title_from_stem(path),
        markdown=markdown,
        effective_date=find_effective_date(markdown),
        url=url,
    )


# A space the join of an element's strings put before closing punctuation ("write to
# <a>help@...</a>." is not "help@... .") or after an opening bracket.
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+(?=[.,;:!?)\]}%۔،؛؟])")
_SPACE_AFTER_BRACKET = re.compile(r"(?<=[(\[{])\s+")


def _joined(pieces: list[str]) -> str:
    text = " ".join(piece for piece in pieces if piece)
    return _SPACE_AFTER_BRACKET.sub("", _SPACE_BEFORE_PUNCTUATION.sub("", text))


def _html_text(element: Tag) -> str:
    """An element's words, its inline elements' joined to the words around them."""
    return _joined([str(piece).strip() for piece in element.find_all(string=True)])


def _html_block(block: Tag) -> list[str]:
    """A block element's lines (a heading, list item, table row or paragraph)."""
    name = block.name or ""
    if name == "tr":
        return _html_row(block)
    if block.find(_HTML_BLOCKS):
        # Nested blocks (a <p> inside an <li>) are emitted by their innermost element;
        # an item's own words before its sub-list ("If your internet drops:") are kept.
        text = _own_text(block) if name == "li" else ""
    else:
        text = _html_text(block)
    if not text:
        return []
    if re.fullmatch(r"h[1-6]", name):
        return [f"\n{'#' * int(name[1])} {text}\n"]
    if name == "li":
        # A sub-list's items are indented under the item they belong to.
        depth = len(block.find_parents("li"))
        return [f"{'  ' * depth}- {text}"]
    return [f"{text}\n"]


# Inline elements: words in them belong to the paragraph of the element around them.
_HTML_INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    }
)
# The id or class of page furniture a page marks with a <div> rather than <nav> or <footer>.
_FURNITURE = re.compile(
    r"header|footer|nav|menu|breadcrumb|sidebar|cookie|consent|gdpr|banner|masthead|copyright"
    r"|skip|share|sharing|social",
    re.IGNORECASE,
)


def _text_holder(node: NavigableString) -> Tag | None:
    for parent in node.parents:
        if parent.name not in _HTML_INLINE:
            return parent
    return None


def _furniture(pieces: list[NavigableString], container: Tag) -> bool:
    """Loose words that are page furniture: a bar of links ("Home | Courses"), or words in an
    element whose id or class says header, footer, menu and the like."""
    words = [piece for piece in pieces if re.search(r"\w", piece)]
    if words and all(piece.find_parent("a") is not None for piece in words):
        return True
    return _marked_furniture(pieces[0], container)


def _marked_furniture(node: Tag | NavigableString, container: Tag) -> bool:
    """Whether an element around ``node``, inside the page's content, says by its id or class
    that it is furniture: a paragraph or list of a cookie banner, share buttons or breadcrumbs
    a CMS writes inside ``<main>`` is no more the page's text than words loose in them."""
    for parent in node.parents:
        if parent is container:
            break
        marks = " ".join([str(parent.get("id") or ""), *(parent.get_attribute_list("class"))])
        if parent.name == "header" or _FURNITURE.search(marks):
            return True
    return False


def _own_text(block: Tag) -> str:
    """A block's words outside the blocks nested in it (an item's text before its sub-list)."""
    words: list[str] = []
    for piece in block.find_all(string=True):
        if piece.find_parent(_HTML_BLOCKS) is block:
            words.append(str(piece).strip())
    return _joined(words)


def _html_row(row: Tag) -> list[str]:
    """A table row as a line: a Markdown table row ("| a | b |") in a table whose first row
    is all headers (the composer then reads a row with its columns' names: "Final exam:
    Window: Week 16; Duration: 2 hours"), else its cells joined by " | " (a table of
    labelled values, "Email | help@...", reads as it is)."""
    cells = [_html_text(c) for c in row.find_all(["th", "td"])]
    table = row.find_parent("table")
    first = table.find("tr") if table is not None else None
    headed = isinstance(first, Tag) and _is_header_row(first)
    if headed:
        line = "| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |"
        # A blank line before the table, and the Markdown rule under its header row.
        return ["", line, "|" + "---|" * len(cells)] if row is first else [line]
    text = " | ".join(cell for cell in cells if cell)
    return [f"{text}\n"] if text else []


def _is_header_row(row: Tag) -> bool:
    """A table's first row names its columns: two or more cells, each a ``<th>`` or a cell
    whose every word is bold (``<b>``/``<strong>``, as editors mark a header row)."""
    cells = row.find_all(["th", "td"])
    return len(cells) > 1 and all(cell.name == "th" or _all_bold(cell) for cell in cells)


def _all_bold(cell: Tag) -> bool:
    words = [piece for piece in cell.find_all(string=True) if str(piece).strip()]
    return bool(words) and all(
        any(parent.name in ("b", "strong") for parent in piece.parents if parent is not cell)
        and cell in piece.parents
        for piece in words
    )


def _looks_like_heading(line: str, previous: str) -> bool:
    """PDFs lose structure; a short capitalised line without final punctuation that follows
    the end of a sentence (or a blank line) is read as a heading."""
    if not line or len(line) > 70 or len(line.split()) > 9 or not line[0].isupper():
        return False
    if line[-1] in ".,;:!" or line.startswith(("SAMPLE", "Effective")):
        return False
    if not previous or previous[-1] in ".!?:":
        return True
    # "Effective date: 2025-01-01" ends a statement without a full stop.
    date = _EFFECTIVE_DATE.match(previous)
    return date is not None and date.end() == len(previous)


def _pdf_outline(reader: PdfReader) -> dict[str, int]:
    """The PDF's bookmarks (outline), each title with its depth (0 = the document's title).

    A PDF written with bookmarks says which lines are headings; the guess from the look of a
    line misses a heading after a line without final punctuation ("Effective date: ...")."""
    headings: dict[str, int] = {}

    def walk(entries: list[object], depth: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                title = getattr(entry, "title", None)
                if isinstance(title, str) and title.strip():
                    headings.setdefault(re.sub(r"\s+", " ", title.strip()), depth)

    walk(list(reader.outline), 0)
    return headings


def _pdf_lines_to_markdown(
    lines: list[str], title: str, outline: dict[str, int] | None = None
) -> str:
    out: list[str] = []
    previous = ""
    outline = outline or {}
    for line in lines:
        numbered = _NUMBERED_HEADING.match(line)
        if line == title:
            pass
        elif line in outline:
            out.append(f"\n{'#' * min(outline[line] + 1, 6)} {line}\n")
        elif numbered:
            out.append(f"\n{'#' * min(numbered.group(1).count('.') + 2, 6)} {line}\n")
        elif _looks_like_heading(line, previous):
            out.append(f"\n## {line}\n")
        else:
            out.append(line)
        previous = line
    return "\n".join(out)


def load_pdf(path: Path) -> LoadedDocument:
    if (wrong := _not_what_its_name_says(path, "a PDF")) is not None:
        raise wrong
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or None
        outline = _pdf_outline(reader)
        if meta_title and _placeholder_title(str(meta_title)):
            meta_title = None  # PDF generators stamp these when the author set no title
    except (FileNotDecryptedError, DependencyError) as exc:
        # A password to open it, or AES encryption (Word's "Encrypt with password", Acrobat's
        # restrictions), which pypdf reads only with a cryptography package hecbot lacks.
        raise DocumentLoadError(
            str(path),
            "the PDF is encrypted (a password or editing restrictions): save or print it again"
            " as a PDF without a password or restrictions",
        ) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentLoadError(str(path), f"malformed PDF ({exc})") from exc
    text = "\n".join(pages)
    if not re.search(r"\w{2,}", text):
        raise DocumentLoadError(str(path), "PDF has no text layer (scanned image?); OCR it first")
    lines = _pdf_body_lines(pages)
    first = next((line for line in lines if line), "")
    title = str(meta_title) if meta_title else first
    markdown = f"# {title}\n\n" + _pdf_lines_to_markdown(lines, title, outline)
    return LoadedDocument(
        title=title or _title_from_stem(path),
        markdown=markdown,
        effective_date=find_effective_date(text),
    )


# A page's number as Word and other tools print it: "3", "Page 3", "Page 3 of 12", "3 / 12",
# "- 3 -", "p. 3".
_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.?)\s*)?[-–—]?\s*\d+\s*[-–—]?(?:\s*(?:of|/)\s*\d+)?$", re.IGNORECASE
)
# How many lines at the top and at the bottom of a page can be its running header or footer.
_PAGE_EDGE_LINES = 3


def _pdf_body_lines(pages: list[str]) -> list[str]:
    """The lines of a PDF's pages without their furniture: a running header or footer (a line
    at the top or bottom of at least half the pages, and of two or more, its numbers aside:
    "Handbook 2027 | Page 3") and page numbers at a page's edge. Printed from Word, each page's
    header and footer came between the sentences a page break cut ("... keep up with weekly /
    Page 2 of 3 / Khyber Education Foundation / work in their track ...")."""
    paged = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]

    def edges(lines: list[str]) -> list[str]:
        return lines[:_PAGE_EDGE_LINES] + lines[-_PAGE_EDGE_LINES:]

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.casefold().split()))

    counts: dict[str, int] = {}
    for lines in paged:
        for key in set(map(shape, edges(lines))):
            counts[key] = counts.get(key, 0) + 1
    running = {key for key, n in counts.items() if n >= 2 and 2 * n >= len(paged)}

    def furniture(line: str) -> bool:
        return shape(line) in running or _PAGE_NUMBER.match(line) is not None

    body: list[str] = []
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines()]
        if number < len(pages) and page.endswith(("\n", "\r")):
            lines.append("")  # the blank line the page's last line break and the next make
        # Furniture is taken from each end up to the first line of text that is not: a line
        # of the text that happens to look so stays, with text between it and the page's edge.
        dropped: set[int] = set()
        for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
            seen = 0
            for index in order:
                if not lines[index]:
                    continue
                if seen == _PAGE_EDGE_LINES or not furniture(lines[index]):
                    break
                dropped.add(index)
                seen += 1
        body.extend(line for index, line in enumerate(lines) if index not in dropped)
    return body


def _placeholder_title(title: str) -> bool:
    """A title no author wrote: "Untitled", ReportLab's "(anonymous)", a file's name."""
    words = set(re.findall(r"\w+", title.casefold()))
    return words <= _PLACEHOLDER_TITLES or bool(_FILE_NAME_TITLE.match(title.strip()))


def _docx_runs(paragraph: DocxParagraph) -> list[DocxRun]:
    """A paragraph's runs as Word shows them with changes tracked: python-docx's ``runs`` and
    ``text`` read only runs written straight in the paragraph, so the words of a tracked
    insertion ("close on <ins>31 March</ins>.") were lost, leaving "close on ."."""
    p = paragraph._p
    depth = len(p.xpath("./ancestor::w:p"))
    runs = p.xpath(".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)]")
    return [DocxRun(r, paragraph) for r in runs if len(r.xpath("./ancestor::w:p")) == depth + 1]


def _docx_text(paragraph: DocxParagraph) -> str:
    return "".join(run.text for run in _docx_runs(paragraph))


def _docx_cell_text(cell: DocxCell) -> str:
    return "\n".join(_docx_text(paragraph) for paragraph in cell.paragraphs)


def _docx_rows(table: DocxTable) -> list[str]:
    """A table's rows, each a paragraph of its own (never run into the next row), cells
    joined by " | " (a merged cell once). A table whose first row names its columns (marked
    "Repeat as header row", or every cell's words in bold) is a Markdown table instead, read
    row by row with its columns' names, as an HTML table with a header row is."""
    rows: list[str] = []
    if len(table.rows) > 1 and _docx_header_row(table):
        width = len(table.rows[0].cells)
        for index, row in enumerate(table.rows):
            cells = [_docx_cell_text(cell).strip().replace("|", "/") for cell in row.cells][:width]
            if not any(cells):
                continue
            cells += [""] * (width - len(cells))
            rows.append("| " + " | ".join(" ".join(c.split()) for c in cells) + " |")
            if index == 0:
                rows.append("|" + "---|" * width)
        # A blank line before and after: the table is a block of its own.
        return ["", *rows, ""]
    for row in table.rows:
        cells = [text for cell in row.cells if (text := _docx_cell_text(cell).strip())]
        if cells:
            rows.append(" | ".join(dict.fromkeys(cells)) + "\n")
    return rows


def _docx_header_row(table: DocxTable) -> bool:
    first = table.rows[0]
    cells = first.cells
    if len(cells) < 2:
        return False
    properties = first._tr.trPr
    if properties is not None and properties.find(qn("w:tblHeader")) is not None:
        return True
    return all(_docx_all_bold(cell) for cell in cells)


def _docx_all_bold(cell: DocxCell) -> bool:
    runs = [run for p in cell.paragraphs for run in _docx_runs(p) if run.text.strip()]
    return bool(runs) and all(
        run.bold or (run.style is not None and run.style.font.bold) for run in runs
    )


def _docx_bold_heading(paragraph: DocxParagraph) -> bool:
    """A short paragraph all in bold, not ending as a sentence or a lead-in does."""
    text = _docx_text(paragraph).strip()
    runs = [run for run in _docx_runs(paragraph) if run.text.strip()]
    return (
        0 < len(text) <= 80
        and not text.endswith(_NOT_HEADING_ENDINGS)
        and bool(runs)
        and all(run.bold for run in runs)
    )


def _check_docx_package(path: Path) -> None:
    """Refuse a .docx that is another format, or that would expand past what a document is."""
    if (wrong := _not_what_its_name_says(path, "a Word document (.docx)")) is not None:
        raise wrong
    try:
        with zipfile.ZipFile(path) as package:
            unpacked = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # python-docx says what is wrong with it
    if unpacked > DOCX_MAX_UNPACKED_BYTES:
        raise DocumentLoadError(
            str(path),
            f"the DOCX expands to {unpacked / 1e6:,.0f} MB when unpacked (a document's text is"
            f" at most {DOCX_MAX_UNPACKED_BYTES / 1e6:,.0f} MB; a zip bomb?)",
        )


def _docx_list_kind(paragraph: DocxParagraph, numbering: BaseOxmlElement | None) -> str | None:
    """ "ordered" for an item of a numbered list (Word's numbering, in the paragraph or its
    style: "List Number"), "bullet" for a bulleted one, None for a paragraph of no list."""
    holders = [paragraph._p]
    style = paragraph.style
    while style is not None:  # a style's numbering, or the one it is based on
        holders.append(style.element)
        style = style.base_style
    num_pr = next(
        (found[0] for holder in holders if (found := holder.xpath("./w:pPr/w:numPr"))), None
    )
    if num_pr is None:
        return None
    num_id = next(iter(num_pr.xpath("./w:numId/@w:val")), "0")
    level = next(iter(num_pr.xpath("./w:ilvl/@w:val")), "0")
    if num_id == "0":
        return None  # numbering taken off the paragraph
    if numbering is None:
        return "bullet"
    abstract = next(
        iter(numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')), None
    )
    formats = numbering.xpath(
        f'./w:abstractNum[@w:abstractNumId="{abstract}"]/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val'
    )
    return "bullet" if not formats or formats[0] in ("bullet", "none") else "ordered"


def load_docx(path: Path) -> LoadedDocument:
    _check_docx_package(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise DocumentLoadError(str(path), f"malformed DOCX ({exc})") from exc
    except Exception as exc:  # zipfile.BadZipFile and lxml errors on corrupt packages
        raise DocumentLoadError(str(path), f"malformed DOCX ({exc})") from exc

    title = (document.core_properties.title or "").strip()
    lines: list[str] = []
    # A document written without heading styles sets its headings apart in bold.
    styled = any(
        re.match(r"Heading\s+\d|Title$", (p.style.name if p.style is not None else "") or "")
        for p in document.paragraphs
    )
    try:
        numbering: BaseOxmlElement | None = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering = None  # a document with no numbering definitions
    number = 0  # the last item's number in a numbered list running on
    # Paragraphs and tables in the order they are written: a table belongs to the section
    # whose heading it follows, not to the document's last one.
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            lines.extend(_docx_rows(block))
            number = 0
            continue
        paragraph = block
        text = _docx_text(paragraph).strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = re.match(r"Heading\s+(\d)", style)
        kind = _docx_list_kind(paragraph, numbering)
        if kind is None and style.startswith("List"):
            kind = "ordered" if style.startswith("List Number") else "bullet"
        if style == "Title":
            title = title or text
            lines.append(f"# {text}\n")
        elif heading:
            lines.append(f"\n{'#' * min(int(heading.group(1)) + 1, 6)} {text}\n")
        elif kind == "ordered":
            # Numbered, as Word shows it: steps are read in their order, never by score.
            number += 1
            lines.append(f"{number}. {text}")
            continue
        elif kind == "bullet":
            lines.append(f"- {text}")
        elif not styled and _docx_bold_heading(paragraph):
            depth = _numbered_depth(text) or 2
            if not any(line.strip() for line in lines):
                depth = 1  # the first line, in bold: the title
                title = title or text
            lines.append(f"\n{'#' * depth} {text}\n")
        else:
            lines.append(f"{text}\n")
        number = 0  # anything but an item of it ends a numbered list
    markdown = "\n".join(lines)
    _require_text(path, markdown)
    if not title:
        title = _first_heading(markdown) or _title_from_stem(path)
    if not markdown.lstrip().startswith("# "):
        markdown = f"# {title}\n\n{markdown}"
    return LoadedDocument(
        title=title, markdown=markdown, effective_date=find_effective_date(markdown)
    )


_LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load_document(path: Path) -> LoadedDocument:
    """Load one file of a supported format; raise DocumentLoadError when it has no usable text."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentLoadError(str(path), f"unsupported file type {path.suffix or '(none)'}")
    try:
        if path.stat().st_size == 0:
            raise DocumentLoadError(str(path), "empty file")
        return loader(path)
    except DocumentLoadError:
        raise
    except OSError as exc:
        raise DocumentLoadError(str(path), f"unreadable ({exc.strerror or exc})") from exc
    except Exception as exc:  # a file no loader foresaw must not end the whole `kb index` run
        raise DocumentLoadError(
            str(path), f"could not be read ({type(exc).__name__}: {exc})"
        ) from exc


def iter_document_files(
    root: Path, suffixes: frozenset[str] = SUPPORTED_SUFFIXES
) -> Iterator[Path]:
    """Yield the files under ``root`` (or ``root`` itself) of ``suffixes`` (by default those
    hecbot reads), in a stable order; hidden
    files and folders and the owner files Office writes beside a document while it is open
    ("~$ndbook.docx", not a document) are left out."""
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in suffixes:
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            if path.name.startswith("~$"):
                continue
            yield path
