"""An Urdu version of one section, named in its front matter (`section:`), as an operator
translating a long handbook a section at a time writes it (`outside8`): it was read as a
version of the whole document's untitled first section, refused with a puzzling warning, and
learners read English. The section may be named by its whole heading path or by its own
heading when no other section ends so."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import Catalogue
from handlers.rendering import render_answer
from knowledge.answers import Answer, Citation
from knowledge.engine import KnowledgeEngine

HANDBOOK = """\
# Learner Handbook

This handbook is for every learner.

## 3. FEES AND REFUNDS

### 3.2 Refunds

The registration fee is refunded in full if you withdraw before the first live class.
Refunds reach your account within 30 days.

## 4. CLASSES

### 4.3 Deadlines

Weekly assignments are due every Sunday at 11:59 pm.

## 6. SCHOLARSHIPS

### 6.1 Eligibility

Learners whose family income is below Rs 60,000 a month may apply.

### 6.3 Deadlines

Scholarship applications close on 15 March.
"""


def _version(section: str, heading: str, lines: str) -> str:
    front = f"kind: translation\ntranslates: handbook.md\nsection: {section}\nlanguage: ur"
    return f"---\n{front}\n---\n\n# {heading}\n\n{lines}\n"


def test_an_urdu_version_of_one_section_named_in_its_front_matter_is_used(
    tmp_path: Path, hash_engine: KnowledgeEngine
):
    kb = tmp_path / "kb"
    (kb / "ur").mkdir(parents=True)
    (kb / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    (kb / "ur" / "refunds.md").write_text(
        _version(
            "3. FEES AND REFUNDS > 3.2 Refunds",
            "رقم کی واپسی",
            "پہلی لائیو کلاس سے پہلے دستبردار ہونے پر رجسٹریشن فیس پوری واپس کی جاتی ہے۔\n"
            "رقم 30 دن کے اندر آپ کے اکاؤنٹ میں پہنچ جاتی ہے۔",
        ),
        encoding="utf-8",
    )
    # By its own heading, written as a citation shows it.
    (kb / "ur" / "eligibility.md").write_text(
        _version("6.1 Eligibility", "اہلیت", "60,000 روپے ماہانہ سے کم آمدنی والے درخواست دیں۔"),
        encoding="utf-8",
    )
    # "Deadlines" ends no section's path alone ("4.3 Deadlines", "6.3 Deadlines"): refused.
    (kb / "ur" / "deadlines.md").write_text(
        _version("Deadlines", "آخری تاریخیں", "ہر اتوار رات 11:59 بجے تک۔"), encoding="utf-8"
    )
    report = hash_engine.index_paths([kb])
    assert not report.failed
    assert len(report.warnings) == 1 and "ur/deadlines.md" in report.warnings[0], report.warnings

    chunks = {c.section: c for c in hash_engine.store.all_chunks() if c.source == "handbook.md"}
    refunds = hash_engine.full_rule(chunks["3. FEES AND REFUNDS > 3.2 Refunds"].id, "ur")
    assert refunds is not None and refunds.language == "ur"
    assert refunds.text.splitlines()[1] == "رقم 30 دن کے اندر آپ کے اکاؤنٹ میں پہنچ جاتی ہے۔"
    assert refunds.citation.translation_section == (
        "3. FEES AND REFUNDS > رقم کی واپسی | 3.2 Refunds"
    )
    eligibility = hash_engine.full_rule(chunks["6. SCHOLARSHIPS > 6.1 Eligibility"].id, "ur")
    assert eligibility is not None and "60,000 روپے" in eligibility.text
    deadlines = hash_engine.full_rule(chunks["4. CLASSES > 4.3 Deadlines"].id, "ur")
    assert deadlines is not None and deadlines.language == "en"


def test_the_urdu_line_of_a_one_section_version_names_the_section_once() -> None:
    texts = Catalogue.load().for_language("ur")
    one_section = Citation(
        "Learner Handbook",
        "3. FEES AND REFUNDS > 3.2 Refunds",
        "handbook.md",
        0.0,
        translation_title="رقم کی واپسی",
        translation_section="3. FEES AND REFUNDS > رقم کی واپسی | 3.2 Refunds",
    )
    # The sample's Urdu certificates document: the section under its only first heading.
    only_heading = Citation(
        "Certificates and academic credit",
        "Certificates and academic credit",
        "certificates-and-credit.docx",
        0.0,
        translation_title="اسناد اور تعلیمی کریڈٹ",
        translation_section="اسناد اور تعلیمی کریڈٹ | Certificates and academic credit",
    )
    shown = render_answer(texts, Answer("q", "…", False, [one_section, only_heading]))
    assert "اردو ترجمہ: 3. FEES AND REFUNDS › رقم کی واپسی\n" in shown
    assert shown.endswith("اردو ترجمہ: اسناد اور تعلیمی کریڈٹ"), shown


def test_a_one_section_version_headed_urdu_bar_english_names_the_section_once(
    tmp_path: Path, hash_engine: KnowledgeEngine
):
    """Headed "Urdu | English" as a whole document's version heads its sections (`operator10`):
    the English half was added again, "آخری تاریخیں | 6.3 Deadlines | 6.3 Deadlines"."""
    kb = tmp_path / "kb"
    (kb / "ur").mkdir(parents=True)
    (kb / "handbook.md").write_text(HANDBOOK, encoding="utf-8")
    (kb / "ur" / "deadlines.md").write_text(
        _version(
            "6. SCHOLARSHIPS > 6.3 Deadlines",
            "آخری تاریخیں | 6.3 Deadlines",
            "وظیفے کی درخواستیں 15 مارچ کو بند ہوتی ہیں۔",
        ),
        encoding="utf-8",
    )
    report = hash_engine.index_paths([kb])
    assert not report.failed and not report.warnings, report.warnings
    chunks = {c.section: c for c in hash_engine.store.all_chunks() if c.source == "handbook.md"}
    deadlines = hash_engine.full_rule(chunks["6. SCHOLARSHIPS > 6.3 Deadlines"].id, "ur")
    assert deadlines is not None and deadlines.language == "ur"
    assert deadlines.citation.translation_section == (
        "6. SCHOLARSHIPS > آخری تاریخیں | 6.3 Deadlines"
    )
