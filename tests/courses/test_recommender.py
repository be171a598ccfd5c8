"""The recommender over the bundled sample: skills covered, level order, Roman Urdu, bad goals.

Assertions are on skills, levels and tracks, never on course titles, so a better catalogue or
ranking does not break them, while a wrong one does.
"""

from __future__ import annotations

import pytest

from bot.services.course_catalogue import normalise_url
from bot.services.course_recommender import (
    LEVEL_ORDER,
    CourseRecommender,
    Recommendation,
    RecommendationStatus,
    estimated_hours,
    path_length,
)
from bot.services.course_tracks import load_tracks
from tests.courses.factories import HashingEmbedder, sample_courses


@pytest.fixture(scope="module")
def recommender() -> CourseRecommender:
    courses = sample_courses()
    levels = {normalise_url(course.url): course.level for course in courses}
    return CourseRecommender.build(courses, load_tracks(course_levels=levels), HashingEmbedder())


# Relevance and order are tested with time to spare (three licences); fitting the learner's
# time has its own tests.
AMPLE = 18.0


def _skills(result: Recommendation) -> set[str]:
    return {skill.lower() for item in result.courses for skill in item.course.skills}


def _levels(result: Recommendation) -> list[float]:
    return [LEVEL_ORDER[item.course.level] for item in result.courses]


@pytest.mark.parametrize(
    ("goal", "must_cover"),
    [
        ("I want to freelance as a data analyst", {"data analysis", "sql"}),
        ("mujhe data analyst banna hai freelancing ke liye", {"data analysis", "sql"}),
        ("cloud ke liye konsa course", {"cloud computing", "google cloud platform"}),
        ("mujhe angrezi bolna seekhna hai", {"communication", "writing"}),
        ("I want to become a web developer", {"html", "javascript"}),
        ("machine learning seekhna hai", {"machine learning"}),
        ("digital marketing for my small business", {"digital marketing", "social media"}),
    ],
)
def test_goals_get_courses_covering_their_skills(
    recommender: CourseRecommender, goal: str, must_cover: set[str]
):
    result = recommender.recommend(goal, level="beginner", hours_per_week=5, months_available=AMPLE)
    assert result.status is RecommendationStatus.OK
    assert 3 <= len(result.courses) <= 5
    assert must_cover <= _skills(result)
    # Each course says why it fits: skills it actually has, or its place in an HEC track.
    for item in result.courses:
        assert item.reason.skills or item.reason.track_title
        assert set(item.matched_skills) <= set(item.course.skills)


@pytest.mark.parametrize("level", ["beginner", "intermediate", "advanced"])
@pytest.mark.parametrize(
    "goal", ["data analyst", "cloud engineer", "deep learning", "cybersecurity analyst"]
)
def test_paths_go_from_fundamentals_to_advanced(
    recommender: CourseRecommender, goal: str, level: str
):
    result = recommender.recommend(goal, level=level, hours_per_week=8, months_available=AMPLE)
    levels = _levels(result)
    assert levels == sorted(levels)
    if level == "beginner":
        assert result.courses[0].course.level in ("beginner", "mixed")
        assert "advanced" not in {item.course.level for item in result.courses}


def test_advanced_learners_skip_beginner_courses(recommender: CourseRecommender):
    result = recommender.recommend(
        "deep learning", level="advanced", hours_per_week=8, months_available=AMPLE
    )
    assert "beginner" not in {item.course.level for item in result.courses}
    assert "advanced" in {item.course.level for item in result.courses}


def test_hours_per_week_set_the_path_length(recommender: CourseRecommender):
    short = recommender.recommend("data analyst", hours_per_week=2, months_available=AMPLE)
    long = recommender.recommend("data analyst", hours_per_week=10, months_available=AMPLE)
    assert 1 <= len(short.courses) <= path_length(2) == 3
    assert len(short.courses) <= len(long.courses) <= path_length(10) == 5
    item = short.courses[0]
    assert item.weeks_at_pace is not None
    assert item.weeks_at_pace * 2 >= estimated_hours(item.course.duration)


def test_an_hec_track_is_preferred_and_followed_in_order(recommender: CourseRecommender):
    result = recommender.recommend(
        "cloud computing", level="beginner", hours_per_week=5, months_available=AMPLE
    )
    assert result.track is not None and result.track.id == "cloud-computing"
    track = next(t for t in recommender.tracks if t.id == "cloud-computing")
    from_track = [item.course.url for item in result.courses if item.track_id == track.id]
    assert len(from_track) >= 2
    assert from_track == [url for url in track.course_urls if url in from_track]


@pytest.mark.parametrize("goal", ["", "   ", "asdf qwerty", "?!", "zzzz"])
def test_empty_or_nonsense_goals_ask_again(recommender: CourseRecommender, goal: str):
    result = recommender.recommend(goal, months_available=AMPLE)
    assert result.status is RecommendationStatus.UNCLEAR_GOAL
    assert result.courses == ()


def test_a_goal_nothing_fits_suggests_the_nearest_tracks(recommender: CourseRecommender):
    result = recommender.recommend("I want to become a pilot", months_available=AMPLE)
    assert result.status is RecommendationStatus.NO_FIT
    assert result.courses == ()
    assert 1 <= len(result.nearest_tracks) <= 3
    assert {track.id for track in result.nearest_tracks} <= {t.id for t in recommender.tracks}


def test_more_like_this_excludes_the_shown_courses(recommender: CourseRecommender):
    first = recommender.recommend("data analyst", months_available=AMPLE)
    more = recommender.more_like(first.course_ids, months_available=AMPLE)
    assert more.status is RecommendationStatus.OK
    assert not set(more.course_ids) & set(first.course_ids)
    assert "data analysis" in _skills(more)


def test_start_from_basics_gives_a_beginner_path(recommender: CourseRecommender):
    advanced = recommender.recommend(
        "machine learning", level="advanced", hours_per_week=8, months_available=AMPLE
    )
    basics = recommender.from_basics(advanced.course_ids, months_available=AMPLE)
    assert basics.level == "beginner"
    assert basics.courses[0].course.level in ("beginner", "mixed")
    assert "machine learning" in _skills(basics)


def test_lexical_only_still_recommends():
    courses = sample_courses()
    recommender = CourseRecommender(courses)  # no embedder, no tracks
    result = recommender.recommend("python programming", months_available=AMPLE)
    assert result.status is RecommendationStatus.OK
    assert "python programming" in _skills(result)


def test_query_vectors_are_cached(recommender: CourseRecommender):
    embedder = recommender._embedder
    assert isinstance(embedder, HashingEmbedder)
    recommender.recommend("project manager banna hai", months_available=AMPLE)
    calls = embedder.query_calls
    recommender.recommend("project manager banna hai", months_available=AMPLE)
    assert embedder.query_calls == calls
