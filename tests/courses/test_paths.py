"""Paths a student can finish (issue 17): within their time, each course once, no two
overlapping certificates, foundations first, goals in Urdu script and misspelt, a reason each."""

from __future__ import annotations

import pytest

from bot.services.course_catalogue import guess_language
from bot.services.course_matching import interpret_goal, is_course_question
from bot.services.course_recommender import (
    LEVEL_ORDER,
    CatalogueCourse,
    CourseRecommender,
    ReasonKind,
    RecommendationStatus,
    licence_months,
)
from bot.services.course_structure import CatalogueStructure


def course(number: int, title: str, *skills: str, **fields: object) -> CatalogueCourse:
    values: dict[str, object] = {
        "id": number,
        "url": f"https://www.coursera.org/learn/c{number}",
        "title": title,
        "partner": "Partner U",
        "kind": "course",
        "level": "beginner",
        "duration": "1 - 4 Weeks",
        "rating": 4.7,
        "skills": tuple(skills),
    }
    values.update(fields)
    return CatalogueCourse(**values)  # type: ignore[arg-type]


def certificate(number: int, title: str, *skills: str, **fields: object) -> CatalogueCourse:
    fields.setdefault("kind", "professional_certificate")
    fields.setdefault("duration", "3 - 6 Months")
    fields.setdefault("url", f"https://www.coursera.org/professional-certificates/p{number}")
    return course(number, title, *skills, **fields)


DATA = [
    certificate(
        1,
        "Google Data Analytics",
        "Data Analysis",
        "SQL",
        "Spreadsheet",
        "Data Visualization",
        partner="Google",
    ),
    certificate(
        2,
        "IBM Data Analyst",
        "Data Analysis",
        "SQL",
        "Microsoft Excel",
        "Data Visualization",
        partner="IBM",
    ),
    course(
        3,
        "Foundations: Data, Data, Everywhere",
        "Data Analysis",
        "Spreadsheet",
        partner="Google",
        description="This is the first course in the Google Data Analytics Certificate.",
    ),
    course(4, "SQL for Data Analysis", "SQL", "Data Analysis"),
    course(5, "Excel Basics for Data Analysis", "Microsoft Excel", "Data Analysis"),
    course(6, "Data Visualization with Tableau", "Data Visualization", "Data Analysis"),
    certificate(7, "Analitik Data Google", "Data Analysis", "SQL", partner="Google", language="id"),
    course(8, "SQL for Data Analysis", "SQL", "Data Analysis", url="https://x.org/sql-copy"),
    course(
        9,
        "Guided Project: Pivot Tables",
        "Spreadsheet",
        kind="guided_project",
        duration="Less Than 2 Hours",
    ),
]


@pytest.fixture(scope="module")
def data_paths() -> CourseRecommender:
    return CourseRecommender(DATA)


def test_a_path_fits_the_licence_at_the_learners_hours(data_paths: CourseRecommender):
    for hours in (1, 2, 5, 10):
        result = data_paths.recommend("become a data analyst", hours_per_week=hours)
        assert result.status is RecommendationStatus.OK
        assert result.weeks_available == pytest.approx(licence_months() * 4.345, abs=0.1)
        assert result.fits, (hours, result.total_weeks, result.weeks_available)


def test_fewer_months_left_give_a_shorter_path(data_paths: CourseRecommender):
    full = data_paths.recommend("become a data analyst", hours_per_week=5)
    month = data_paths.recommend("become a data analyst", hours_per_week=5, months_available=1)
    assert month.fits and month.total_weeks <= 4.4
    assert month.total_weeks < full.total_weeks or len(month.courses) < len(full.courses)


def test_a_goal_that_cannot_fit_is_flagged_with_the_shortest_useful_start():
    catalogue = [
        certificate(1, "Cloud Architecture", "Cloud Computing", "Cloud Architecture"),
        certificate(2, "Cloud Engineering", "Cloud Computing", "Kubernetes", partner="Other"),
    ]
    result = CourseRecommender(catalogue).recommend(
        "cloud computing", hours_per_week=1, months_available=1
    )
    assert result.status is RecommendationStatus.OK
    assert len(result.courses) == 1
    assert not result.fits and result.trimmed_for_time


def test_no_course_twice_and_no_two_overlapping_certificates(data_paths: CourseRecommender):
    result = data_paths.recommend("data analyst sql excel", hours_per_week=15, months_available=12)
    ids = result.course_ids
    assert len(ids) == len(set(ids))
    titles = [item.course.title for item in result.courses]
    assert len(titles) == len(set(titles)), "a near-duplicate title came twice"
    certificates = [i.course.id for i in result.courses if i.course.kind != "course"]
    assert not {1, 2} <= set(certificates)
    # A certificate and its own first course are the same content.
    assert not {1, 3} <= set(ids)


def test_courses_know_their_certificate():
    structure = CatalogueStructure(DATA)
    assert structure.container_of(3) == 1
    assert structure.members[1] == [3]
    assert structure.overlapping(1, 2)
    assert structure.near_duplicate(4, 8)
    assert not structure.near_duplicate(4, 5)


def test_a_course_in_a_path_says_which_certificate_it_is_part_of(data_paths: CourseRecommender):
    result = data_paths.recommend("data analysis spreadsheet", hours_per_week=3)
    parts = {item.course.id: item.part_of for item in result.courses}
    if 3 in parts:
        assert parts[3] == "Google Data Analytics"


def test_courses_in_other_languages_are_left_out(data_paths: CourseRecommender):
    result = data_paths.recommend("google data analytics", hours_per_week=10, months_available=12)
    assert 7 not in result.course_ids
    assert guess_language("Analitik Data Google dan analisis data untuk pemula yang") == "id"
    assert guess_language("x", title="Google UX Design (PT)") == "pt"
    assert (
        guess_language("x", url="https://www.coursera.org/professional-certificates/g-it-de")
        == "de"
    )


ML_CATALOGUE = [
    course(1, "Introduction to TensorFlow", "TensorFlow", "Deep Learning"),
    course(2, "Deep Learning", "Deep Learning", "Artificial Neural Network"),
    course(3, "Machine Learning", "Machine Learning", "Supervised Learning"),
    course(4, "Python for Everybody", "Python Programming"),
]


@pytest.mark.parametrize("goal", ["deep learning with tensorflow", "machine learning and ai"])
def test_foundations_come_first_machine_learning_before_deep_learning(goal: str):
    result = CourseRecommender(ML_CATALOGUE).recommend(goal, hours_per_week=10)
    titles = [item.course.title for item in result.courses]
    assert "Machine Learning" in titles
    for later in ("Deep Learning", "Introduction to TensorFlow"):
        if later in titles:
            assert titles.index("Machine Learning") < titles.index(later), titles
    if "Python for Everybody" in titles:
        assert titles.index("Python for Everybody") < titles.index("Machine Learning")


def test_a_dependent_course_harder_foundation_is_not_put_after_it():
    catalogue = [
        course(1, "Introduction to TensorFlow", "TensorFlow", "Deep Learning"),
        course(2, "Machine Learning", "Machine Learning", level="intermediate"),
        course(3, "Neural Networks Basics", "Deep Learning", "Machine Learning"),
    ]
    result = CourseRecommender(catalogue).recommend(
        "deep learning tensorflow machine learning", level="intermediate", hours_per_week=10
    )
    levels = [LEVEL_ORDER[item.course.level] for item in result.courses]
    assert levels == sorted(levels)


@pytest.mark.parametrize(
    ("goal", "skill"),
    [
        ("مجھے ویب ڈویلپر بننا ہے", "web development"),
        ("مشین لرننگ سیکھنی ہے", "machine learning"),
        ("machne lerning", "machine learning"),
        ("mashine larning sikhni hai", "machine learning"),
        ("build websites as a freelancer on Fiverr", "html"),
    ],
)
def test_goals_in_urdu_script_misspelt_or_in_career_words_are_understood(goal: str, skill: str):
    query = interpret_goal(goal)
    assert skill in query.expanded_skills, query


def test_career_words_alone_name_sellable_skills_and_add_nothing_to_a_topic():
    alone = interpret_goal("earn online as a freelancer")
    assert "web development" in alone.expanded_skills
    with_topic = interpret_goal("build websites as a freelancer on Fiverr")
    assert "negotiation" not in with_topic.expanded_skills
    assert "freelancing" not in with_topic.query_tokens


@pytest.mark.parametrize(
    "question",
    [
        "ویب ڈویلپمنٹ کے لیے کونسا کورس اچھا ہے",
        "مجھے ویب ڈویلپر بننا ہے",
        "web development ke liye konsa course",
        "which course should I take for web development",
    ],
)
def test_course_questions_in_three_languages_go_to_the_recommender(question: str):
    assert is_course_question(question)


def test_a_licence_question_in_urdu_script_goes_to_the_rules():
    assert not is_course_question("لائسنس کب ختم ہوگا")


def test_every_course_in_a_path_has_a_reason(data_paths: CourseRecommender):
    for goal in ("become a data analyst", "excel", "mujhe data analyst banna hai"):
        result = data_paths.recommend(goal, hours_per_week=10, months_available=12)
        for item in result.courses:
            reason = item.reason
            assert reason.skills or reason.track_title, (goal, item.course.title)
            if reason.kind is ReasonKind.SKILLS:
                assert set(reason.skills) <= set(item.course.skills)


async def test_the_learners_licence_record_sets_the_weeks_available():
    from dataclasses import dataclass
    from datetime import date

    from bot.services.course_licence import licence_months_lookup

    @dataclass
    class View:
        days_left: int | None

    class Source:
        async def status(self, user_id: int, today: date | None = None) -> View | None:
            return {1: View(61), 2: View(None)}.get(user_id)

    lookup = licence_months_lookup(Source())
    assert await lookup(1) == pytest.approx(2.0, abs=0.01)
    assert await lookup(2) is None and await lookup(3) is None
    two_months = CourseRecommender(DATA).recommend(
        "become a data analyst", months_available=await lookup(1)
    )
    assert two_months.weeks_available == pytest.approx(8.7, abs=0.1)
    assert two_months.fits
