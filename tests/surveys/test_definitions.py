"""Survey files: the shipped ones parse; each kind of mistake is reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.survey_definitions import (
    QuestionType,
    SurveyDefinitionError,
    parse_survey,
    render_preview,
)

SURVEYS_DIR = Path(__file__).parents[2] / "bot" / "data" / "surveys"

VALID = """\
id: demo
version: 2
title: {en: Demo, ur: ڈیمو}
questions:
  - id: student
    type: yes_no
    text: {en: "Are you a student?", ur: "کیا آپ طالب علم ہیں؟"}
  - id: earnings
    type: number
    min: 0
    max: 100000
    unit: {en: PKR, ur: روپے}
    show_if: {question: student, equals: no}
    text: {en: "Monthly earnings?", ur: "ماہانہ آمدنی؟"}
"""


def problems_of(source: str) -> list[tuple[int | None, str]]:
    with pytest.raises(SurveyDefinitionError) as caught:
        parse_survey(source)
    return [(problem.line, problem.message) for problem in caught.value.problems]


def test_shipped_surveys_parse_with_headlines() -> None:
    impact = parse_survey((SURVEYS_DIR / "impact.yaml").read_text(encoding="utf-8"))
    pulse = parse_survey((SURVEYS_DIR / "answer-pulse.yaml").read_text(encoding="utf-8"))
    assert {h.id for h in impact.headlines} == {
        "skill_gains",
        "career_outcomes",
        "freelance_earnings",
        "keep_learning",
    }
    assert pulse.anonymous and len(pulse.questions) == 1
    assert {q.type for q in impact.questions} >= {
        QuestionType.SINGLE_CHOICE,
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.YES_NO,
        QuestionType.NUMBER,
        QuestionType.NPS,
        QuestionType.TEXT,
    }


def test_yaml_yes_reads_as_the_yes_answer_in_skip_rules() -> None:
    definition = parse_survey(VALID)
    earnings = definition.question("earnings")
    assert earnings.show_if is not None
    assert definition.is_shown(earnings, {"student": "no"})
    assert not definition.is_shown(earnings, {"student": "yes"})
    assert not definition.is_shown(earnings, {})


def test_unknown_type_is_reported_on_its_line() -> None:
    source = VALID.replace("type: number", "type: slider")
    assert problems_of(source)[0][0] == 9
    assert "unknown question type 'slider'" in problems_of(source)[0][1]


def test_missing_options_and_urdu_text_and_dangling_skip_rule() -> None:
    source = (
        VALID.replace("type: yes_no", "type: single_choice")
        .replace(
            'text: {en: "Monthly earnings?", ur: "ماہانہ آمدنی؟"}',
            'text: {en: "Monthly earnings?"}',
        )
        .replace("question: student", "question: studnet")
    )
    found = problems_of(source)
    lines = {line for line, _ in found}
    messages = " | ".join(message for _, message in found)
    assert "needs 'options'" in messages and 5 in lines
    assert "missing Urdu text" in messages and 14 in lines
    assert "'studnet', which is not an earlier question" in messages and 13 in lines


def test_skip_rule_on_a_later_question_is_refused() -> None:
    source = VALID.replace(
        '    text: {en: "Are you a student?", ur: "کیا آپ طالب علم ہیں؟"}',
        '    text: {en: "Are you a student?", ur: "کیا آپ طالب علم ہیں؟"}\n'
        "    show_if: {question: earnings, equals: 5}",
    )
    assert any("not an earlier question" in message for _, message in problems_of(source))


def test_duplicate_ids_and_bad_answer_in_skip_rule() -> None:
    duplicate = problems_of(VALID.replace("id: earnings", "id: student"))
    assert duplicate == [(8, "duplicate question id 'student'")]
    bad_answer = problems_of(VALID.replace("equals: no", "equals: maybe"))
    assert bad_answer[0][0] == 13 and "has no answer maybe" in bad_answer[0][1]


def test_broken_yaml_names_the_line() -> None:
    found = problems_of(VALID.replace("  - id: earnings", "  - id: [earnings"))
    assert found[0][1].startswith("not valid YAML")
    assert found[0][0] is not None and found[0][0] >= 9


def test_number_needs_a_range() -> None:
    found = problems_of(VALID.replace("    min: 0\n", ""))
    assert any("needs 'min'" in message for _, message in found)


def test_preview_shows_each_question_in_the_language() -> None:
    preview = render_preview(parse_survey(VALID), "ur")
    assert "کیا آپ طالب علم ہیں؟" in preview and "روپے" in preview
    assert "only if student = no" in preview


def test_the_example_in_the_docs_is_valid() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "surveys.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    definition = parse_survey(example)
    assert definition.slug == "skills-check"
    assert [q.type for q in definition.questions] == [
        QuestionType.YES_NO,
        QuestionType.NUMBER,
        QuestionType.MULTIPLE_CHOICE,
    ]


def test_anchors_aliases_and_oversized_files_are_refused() -> None:
    from bot.services.survey_definitions import MAX_SURVEY_SOURCE_CHARS, SurveyDefinitionError

    for source in ("id: &x a\nversion: 1\n", "a: [1]\nb: *a\n"):
        with pytest.raises(SurveyDefinitionError, match="anchors and aliases"):
            parse_survey(source)
    with pytest.raises(SurveyDefinitionError, match="too large"):
        parse_survey("#" * (MAX_SURVEY_SOURCE_CHARS + 1))
