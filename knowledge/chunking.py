"""Split loaded documents into heading-aware chunks with stable ids and metadata."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.loaders import LoadedDocument

_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
SECTION_SEPARATOR = " > "


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage and where it came from."""

    id: str
    text: str
    title: str
    section: str
    source: str
    # The name of the folder the file was indexed from: with ``source`` (its path in that
    # folder) the document's identity, the same wherever the folder is on disk.
    root: str
    content_hash: str
    ordinal: int
    effective_date: str | None = None
    url: str | None = None
    kind: str = "rule"  # "rule", "redirect" or "translation" (see LoadedDocument)
    translates: str = ""  # for a translation: the source of the document it translates
    language: str = "en"
    origin: str = ""  # the absolute path of that folder when the file was last indexed

    @property
    def search_text(self) -> str:
        """Text that is embedded and BM25-indexed: the passage framed by its title and section."""
        heading = f"{self.title}. {self.section}." if self.section else f"{self.title}."
        return f"{heading}\n{self.text}"

    @property
    def citation_source(self) -> str:
        return self.url or self.source

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for the vector store (no None values: chroma refuses them)."""
        data: dict[str, str | int] = {
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "root": self.root,
            "content_hash": self.content_hash,
            "ordinal": self.ordinal,
        }
        if self.effective_date:
            data["effective_date"] = self.effective_date
        if self.url:
            data["url"] = self.url
        if self.kind != "rule":
            data["kind"] = self.kind
        if self.translates:
            data["translates"] = self.translates
        if self.language != "en":
            data["language"] = self.language
        if self.origin:
            data["origin"] = self.origin
        return data

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: dict[str, object]) -> Chunk:
        return cls(
            id=chunk_id,
            text=text,
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            source=str(meta.get("source", "")),
            root=str(meta.get("root", "")),
            content_hash=str(meta.get("content_hash", "")),
            ordinal=int(str(meta.get("ordinal", 0))),
            effective_date=str(meta["effective_date"]) if meta.get("effective_date") else None,
            url=str(meta["url"]) if meta.get("url") else None,
            kind=str(meta.get("kind", "rule")),
            translates=str(meta.get("translates", "")),
            language=str(meta.get("language", "en")),
            origin=str(meta.get("origin", "")),
        )


def english_section(section: str) -> str:
    """The English heading path a translated heading path stands for
    ("آپ کے پاس کیا رہتا ہے | What you keep" -> "What you keep")."""
    return SECTION_SEPARATOR.join(
        part.rsplit(" | ", 1)[-1].strip() for part in section.split(SECTION_SEPARATOR)
    )


def _folded(heading: str) -> str:
    return " ".join(re.findall(r"\w+", heading.casefold()))


def section_below_title(title: str, section: str) -> str:
    """The heading path as a learner reads it under the document's title: without a first
    heading that only repeats the title. A DOCX's "Heading 1" of its title, or a Markdown ``#``
    heading written "A: b" under the front-matter title "A — b", is the title again, and
    "A: b › A: b › Fees" reads as a fault. (The index keeps the path as written: it is part
    of the text a passage is found by.)"""
    parts = section.split(SECTION_SEPARATOR)
    if len(parts) > 1 and _folded(parts[0]) == _folded(title):
        parts = parts[1:]
    return SECTION_SEPARATOR.join(parts)


def section_under_title(title: str, section: str) -> str:
    """The heading path as a learner reads it after the title (citations, "Show the full
    rule"): without a first heading that only restates the title, equal to it, within it or
    holding it ("NHU eLearn Helpdesk — LMS accounts" over "# LMS accounts"; the Urdu title
    "تکنیکی مدد" over "# تکنیکی مدد: لاگ ان اور Coursera کا استعمال"), comparing each half of
    a translated "Urdu | English" heading. Display only: answering matches sections with
    ``section_below_title``."""
    parts = section.split(SECTION_SEPARATOR)
    if len(parts) < 2:
        return section
    titles, firsts = _title_parts(title), _title_parts(parts[0])
    if any(
        a == b or a in _segments(first) or b in _segments(whole)
        for whole, a in titles
        for first, b in firsts
    ):
        parts = parts[1:]
    return SECTION_SEPARATOR.join(parts)


# Where a title's parts meet: "Handbook — Refunds", "Technical help: logging in".
_TITLE_JOINS = re.compile(r"\s*[—–:]\s*|\s+-\s+")


def _title_parts(heading: str) -> list[tuple[str, str]]:
    """The halves of a heading ("Urdu | English" has two), each as written and folded."""
    return [(half, folded) for half in heading.split(" | ") if (folded := _folded(half))]


def _segments(heading: str) -> set[str]:
    return {folded for piece in _TITLE_JOINS.split(heading) if (folded := _folded(piece))}


def translated_section(translation: Chunk) -> tuple[str, str]:
    """The (source, heading path) of the rule section a translation chunk renders:
    ``translates`` is relative to the folder the knowledge base was indexed from (a
    translation may sit in a sub-folder such as ur/)."""
    return translation.translates.strip().lstrip("./"), english_section(translation.section)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk_id(root: str, source: str, section: str, ordinal: int) -> str:
    """Id that stays the same as long as the file keeps its place and heading path."""
    key = "\x1f".join((root, source, section, str(ordinal)))
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def split_document(
    document: LoadedDocument,
    *,
    source: str,
    root: str,
    file_hash: str,
    origin: str = "",
    chunk_size: int = 900,
    chunk_overlap: int = 120,
) -> list[Chunk]:
    """Split by headings, then split long sections on paragraph/sentence boundaries.

    A translation keeps each section whole: it is never searched, only rendered sentence by
    sentence in place of the section it translates."""
    if document.kind == "translation":
        chunk_size, chunk_overlap = 1_000_000, 0
    # Imported here: answering a question reads chunks but never splits documents, and the
    # splitters (langchain) and loaders (bs4, pypdf, docx) cost a second of start-up.
    from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

    header_splitter = MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True)
    body_splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        # A sentence's closing mark stays with it: a passage split inside a long paragraph
        # ends "... late at night;" and the next begins with its own words, not "; harassment".
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    ordinals: dict[str, int] = {}
    for section_doc in header_splitter.split_text(document.markdown):
        headings = [
            str(section_doc.metadata[key]) for _, key in _HEADERS if key in section_doc.metadata
        ]
        # The document title is already carried separately; keep it out of the heading path.
        if headings and headings[0] == document.title:
            headings = headings[1:]
        section = SECTION_SEPARATOR.join(headings)
        for piece in body_splitter.split_text(section_doc.page_content):
            text = piece.strip()
            if len(text) < 3:
                continue
            ordinal = ordinals.get(section, 0)
            ordinals[section] = ordinal + 1
            chunks.append(
                Chunk(
                    id=chunk_id(root, source, section, ordinal),
                    text=text,
                    title=document.title,
                    section=section,
                    source=source,
                    root=root,
                    content_hash=file_hash,
                    ordinal=ordinal,
                    effective_date=document.effective_date,
                    url=document.url,
                    kind=document.kind,
                    translates=document.translates or "",
                    language=document.language,
                    origin=origin,
                )
            )
    return chunks
