"""The evaluation set and the benchmark's scoring (quality only; timing is not tested)."""

from __future__ import annotations

from bench.courses import covers, evaluate, load_eval
from bot.services.course_catalogue import normalise_url
from bot.services.course_recommender import CourseRecommender
from bot.services.course_tracks import load_tracks
from tests.courses.factories import sample_courses


def test_eval_set_has_enough_goals_in_both_languages():
    goals = load_eval()
    assert len(goals) >= 40
    assert sum(goal.language == "ur-Latn" for goal in goals) >= 15
    assert all(goal.skills for goal in goals)
    assert {goal.level for goal in goals} == {"beginner", "intermediate", "advanced"}


def test_coverage_matches_whole_words_and_ignores_aliases():
    assert covers("data visualization", ["Data Visualization (DataViz)"])
    assert covers("machine learning", ["Applied Machine Learning"])
    assert not covers("sql", ["MySQL"])
    assert not covers("r programming", ["Computer Programming"])


def test_the_sample_catalogue_meets_the_level_rule_on_every_goal():
    courses = sample_courses()
    levels = {normalise_url(course.url): course.level for course in courses}
    recommender = CourseRecommender(courses, load_tracks(course_levels=levels))
    outcomes = evaluate(recommender, load_eval())
    assert all(outcome.level_fit for outcome in outcomes), [
        outcome.goal.goal for outcome in outcomes if not outcome.level_fit
    ]
    mean_coverage = sum(outcome.coverage for outcome in outcomes) / len(outcomes)
    assert mean_coverage >= 0.8


def test_held_out_goals_are_a_separate_section():
    heldout = load_eval(section="heldout")
    assert len(heldout) >= 10
    assert not {goal.goal for goal in heldout} & {goal.goal for goal in load_eval()}
