"""Which general-chat messages go to the recommender instead of the rules knowledge base."""

from __future__ import annotations

import pytest

from bot.services.courses import is_course_question


@pytest.mark.parametrize(
    "text",
    [
        "which course for cloud?",
        "Which course should I take for data analysis?",
        "cloud ke liye konsa course",
        "data science ke liye kaunsa course acha hai",
        "what should I learn to become a data analyst",
        "mujhe web developer banna hai",
        "suggest some courses for digital marketing",
        "I want to learn python, which course is best?",
    ],
)
def test_course_choice_questions_go_to_the_recommender(text: str):
    assert is_course_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "How do I get a Coursera licence?",
        "Which courses are available under the HEC licence?",
        "konsa course free hai",
        "how many courses can I take?",
        "my course is not showing in my account",
        "When is the deadline to complete the course?",
        "certificate kab milega",
        "hello",
        "/courses",
        "",
    ],
)
def test_programme_questions_stay_with_the_knowledge_base(text: str):
    assert not is_course_question(text)
