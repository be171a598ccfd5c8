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
from knowledge.engine import KnowledgeEngine
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


RULE_MD = """\
---
title: Reading room rules
---

# Reading room rules

## Opening hours

The reading room is open from 8 am to 10 pm, Monday to Saturday. It is closed on Sundays.

## Group rooms

Group rooms are booked on the library portal for up to 3 hours.
"""

# Written as the sample's are: the Urdu title alone, over an "Urdu | English" first heading
# (so the translation's paths keep that heading, which the rule's, under an equal title, drop).
RULE_UR = """\
---
title: ریڈنگ روم کے قواعد
kind: translation
translates: rules/reading-room.md
language: ur
---

# ریڈنگ روم کے قواعد | Reading room rules

## اوقات | Opening hours

ریڈنگ روم پیر سے ہفتہ تک صبح 8 بجے سے رات 10 بجے تک کھلا رہتا ہے۔
اتوار کو بند رہتا ہے۔

## گروپ روم | Group rooms

گروپ روم لائبریری پورٹل پر 3 گھنٹے تک بک ہوتے ہیں۔
یہ مفت ہیں۔
"""

STRAY_UR = """\
---
title: قواعد
kind: translation
translates: reading-room.md
language: ur
---

# قواعد | Reading room rules

## اوقات | Opening hours

ایک۔
"""


def test_an_urdu_version_titled_otherwise_than_its_rule_is_read_and_a_stray_one_is_reported(
    tmp_path: Path, hash_engine: KnowledgeEngine
) -> None:
    docs = tmp_path / "docs"
    (docs / "rules").mkdir(parents=True)
    (docs / "ur" / "rules").mkdir(parents=True)
    (docs / "rules" / "reading-room.md").write_text(RULE_MD, encoding="utf-8")
    (docs / "ur" / "rules" / "reading-room.md").write_text(RULE_UR, encoding="utf-8")
    (docs / "ur" / "stray.md").write_text(STRAY_UR, encoding="utf-8")
    report = hash_engine.index_paths([docs])
    hours = next(c for c in hash_engine.retriever.chunks if c.section == "Opening hours")
    answer = hash_engine.answer_from_passage("ریڈنگ روم کب کھلتا ہے؟", hours.id, "ur")
    assert answer is not None and answer.answer_language == "ur", answer
    assert "صبح 8 بجے" in answer.text
    assert answer.citations[0].translation_source == "ur/rules/reading-room.md"
    # What kb index says of the Urdu versions it will never show (and of no other).
    assert report.warnings == [
        "ur/rules/reading-room.md › ریڈنگ روم کے قواعد | Reading room rules > گروپ روم | Group"
        " rooms: not used, learners read the English rule: 2 lines for the 1 sentences, list"
        " items and table rows of"
        " rules/reading-room.md › Group rooms (one line each)",
        "ur/stray.md › قواعد | Reading room rules > اوقات | Opening hours: not used, learners"
        " read the English rule: it translates 'reading-room.md', which is not indexed"
        " (`translates:` is the rule's path in the folder indexed)",
    ]
