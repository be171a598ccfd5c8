"""The bundled knowledge base's Urdu version: every section translated, line for line.

An Urdu answer shows the translated lines at the positions of the English sentences chosen
(knowledge/composing.py), so a translation whose lines do not match its section's sentences
one for one would show the wrong sentence; the engine then falls back to English. These
checks read the documents only (no retrieval engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import Chunk, english_section, split_document
from knowledge.composing import rule_units, translation_units
from knowledge.loaders import load_document

KB = Path(__file__).resolve().parents[2] / "knowledge" / "data"
TRANSLATIONS = sorted((KB / "ur").glob("*.md"))


def _chunks(path: Path, source: str) -> list[Chunk]:
    return split_document(load_document(path), source=source, root="kb", file_hash="h")


def english_units(source: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    for chunk in _chunks(KB / source, source):
        units = sections.setdefault(chunk.section, [])
        units.extend(u.text for u in rule_units(chunk.text) if u.text not in units)
    return {section: units for section, units in sections.items() if units}


def urdu_units(path: Path) -> tuple[str, dict[str, list[str]]]:
    chunks = _chunks(path, f"ur/{path.name}")
    assert chunks and all(c.kind == "translation" and c.language == "ur" for c in chunks)
    return chunks[0].translates, {
        english_section(c.section): [u.text for u in translation_units(c.text)] for c in chunks
    }


def test_every_document_of_the_sample_has_an_urdu_version() -> None:
    documents = {p.name for p in KB.iterdir() if p.suffix in {".md", ".html", ".pdf", ".docx"}}
    translated = {urdu_units(path)[0] for path in TRANSLATIONS}
    assert translated == documents


@pytest.mark.parametrize("path", TRANSLATIONS, ids=[p.name for p in TRANSLATIONS])
def test_every_section_is_translated_line_for_line(path: Path) -> None:
    translates, urdu = urdu_units(path)
    problems = []
    for section, units in english_units(translates).items():
        lines = urdu.get(section)
        if lines is None:
            problems.append(f"{section!r}: no translation")
        elif len(lines) != len(units):
            problems.append(f"{section!r}: {len(lines)} lines for {len(units)} sentences")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", TRANSLATIONS, ids=[p.name for p in TRANSLATIONS])
def test_translations_are_marked_for_hec_to_verify(path: Path) -> None:
    assert "SAMPLE TRANSLATION: for HEC to verify" in path.read_text(encoding="utf-8")
