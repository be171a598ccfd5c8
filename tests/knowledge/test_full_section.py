"""A section's whole text ("Show the full rule", and what its Urdu version is checked
against) is its chunks joined with their overlap taken out once: a sentence the section says
twice, in chunks of its own, stays twice (`outside8`: it was kept once, so the full rule lost
it and a faithful Urdu version, one line per sentence, was refused as a line too many)."""

from __future__ import annotations

from pathlib import Path

from knowledge.engine import KnowledgeEngine

CITIES = ("Karachi", "Hyderabad", "Sukkur", "Larkana")
SECTION = "\n\n".join(
    f"Learners who sit the final test in {city} report to the exam centre of {city} by 9 am on"
    f" the day of the test, with the admit card emailed to them a week before the test."
    f"\nBring your original CNIC.\nThe centre in {city} closes its doors at 9:15 am and no"
    " learner is let in after that, whatever the reason for arriving late."
    for city in CITIES
)
RULES = f"# Exam days\n\n## On the day of the test\n\n{SECTION}\n"
URDU_LINES = "\n".join(
    f"{city} میں فائنل ٹیسٹ دینے والے طلبہ ٹیسٹ کے دن صبح 9 بجے تک امتحانی مرکز پہنچیں۔\n"
    "اپنا اصل شناختی کارڈ ساتھ لائیں۔\n"
    f"{city} کا مرکز 9:15 پر دروازے بند کر دیتا ہے۔"
    for city in CITIES
)
URDU = f"""---
kind: translation
translates: exam-days.md
language: ur
---

# امتحان کے دن | Exam days

## ٹیسٹ کے دن | On the day of the test

{URDU_LINES}
"""


def test_a_sentence_said_twice_in_a_long_section_is_shown_twice_and_translated_twice(
    tmp_path: Path, hash_engine: KnowledgeEngine
) -> None:
    kb = tmp_path / "kb"
    (kb / "ur").mkdir(parents=True)
    (kb / "exam-days.md").write_text(RULES, encoding="utf-8")
    (kb / "ur" / "exam-days.md").write_text(URDU, encoding="utf-8")
    report = hash_engine.index_paths([kb])
    assert not report.failed and not report.warnings, report.warnings

    chunks = [c for c in hash_engine.store.all_chunks() if c.source == "exam-days.md"]
    assert len(chunks) > 1  # the section is longer than one passage
    rule = hash_engine.full_rule(chunks[0].id, "en")
    assert rule is not None
    assert rule.text.count("Bring your original CNIC.") == len(CITIES)
    for city in CITIES:
        assert rule.text.count(f"The centre in {city} closes") == 1  # the overlap, once
    urdu = hash_engine.full_rule(chunks[0].id, "ur")
    assert urdu is not None and urdu.language == "ur"
    assert urdu.text.count("اپنا اصل شناختی کارڈ ساتھ لائیں۔") == len(CITIES)


CLAUSES = [
    f"learners treat mentors and staff with respect in channel {n} of the programme"
    for n in range(1, 16)
]
LONG_SENTENCE = "Every learner agrees that " + "; ".join(CLAUSES) + "."
CONDUCT = f"# Handbook\n\n## Code of conduct\n\n{LONG_SENTENCE} Breaches are reported.\n"
CONDUCT_UR = """---
kind: translation
translates: conduct.md
language: ur
---

# ہینڈ بک | Handbook

## ضابطہ اخلاق | Code of conduct

ہر طالب علم تمام چینلز میں اساتذہ اور عملے کا احترام کرتا ہے۔
خلاف ورزی کی اطلاع دی جاتی ہے۔
"""


def test_a_sentence_longer_than_a_passage_reads_whole_and_translates_as_one_line(
    tmp_path: Path, hash_engine: KnowledgeEngine
) -> None:
    """A sentence cut between two chunks (a passage holds 900 characters) was two pieces: the
    full rule showed it on two lines, an answer could open with the second piece in lower case
    ("learners treat ..."), and an Urdu version writing it on one line was refused."""
    assert len(LONG_SENTENCE) > 900
    kb = tmp_path / "kb"
    (kb / "ur").mkdir(parents=True)
    (kb / "conduct.md").write_text(CONDUCT, encoding="utf-8")
    (kb / "ur" / "conduct.md").write_text(CONDUCT_UR, encoding="utf-8")
    report = hash_engine.index_paths([kb])
    assert not report.failed and not report.warnings, report.warnings

    chunks = [c for c in hash_engine.store.all_chunks() if c.source == "conduct.md"]
    assert len(chunks) > 1  # the sentence is cut between passages
    rule = hash_engine.full_rule(chunks[0].id, "en")
    assert rule is not None
    assert rule.text.splitlines() == [LONG_SENTENCE, "Breaches are reported."]
    urdu = hash_engine.full_rule(chunks[0].id, "ur")
    assert urdu is not None and urdu.language == "ur"
