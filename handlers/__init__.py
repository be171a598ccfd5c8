"""Telegram routers, one module per feature. Each module offers `create_router()`.

Routers are built fresh for every Dispatcher (an aiogram router belongs to one parent), which
lets tests and the terminal chat build as many dispatchers as they need.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    broadcast,
    catalogue_upload,
    course_tracks,
    courses,
    dashboard,
    errors,
    fallback,
    faq_review,
    insights,
    licences,
    licences_staff,
    onboarding,
    privacy,
    questions,
    roles,
    start,
    survey_results,
    surveys,
    tickets,
)


def feature_routers() -> list[Router]:
    """Every feature's router, in the order updates should try them; the fallback comes last."""
    return [
        errors.create_router(),
        onboarding.create_router(),
        start.create_router(),
        roles.create_router(),
        tickets.create_router(),
        faq_review.create_router(),
        insights.create_router(),
        dashboard.create_router(),
        privacy.create_router(),
        licences_staff.create_router(),
        licences.create_router(),  # before surveys and questions: its typed steps are stateful
        surveys.create_router(),  # before courses: typed survey answers come first
        survey_results.create_router(),
        course_tracks.create_router(),
        catalogue_upload.create_router(),
        courses.create_router(),  # before questions: it takes course-choice questions
        broadcast.create_router(),
        questions.create_router(),
        fallback.create_router(),
    ]
