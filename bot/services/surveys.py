"""Surveys: saving definitions, starting waves, and taking a learner through a survey.

`SurveyService` is the one service handlers and the CLI use; its parts live in
survey_library.py (definitions), survey_waves.py (waves) and survey_answering.py (answering),
its data access in bot/storage/survey_repository.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.services.survey_answering import (
    ChoiceView,
    QuestionRef,
    QuestionView,
    StepKind,
    SurveyAnswering,
    SurveyStep,
    parse_number,
    refused,
)
from bot.services.survey_library import SurveyLibrary, SurveySummary
from bot.services.survey_waves import SurveyWaves, WaveSummary
from bot.storage.db import Database
from bot.storage.types import utcnow

Clock = Callable[[], datetime]


class SurveyService(SurveyLibrary, SurveyWaves, SurveyAnswering):
    """Plain-Python surveys; the Telegram handlers and the CLI are two faces over it."""

    def __init__(self, database: Database, *, clock: Clock = utcnow) -> None:
        self._database = database
        self._clock = clock


__all__ = [
    "ChoiceView",
    "Clock",
    "QuestionRef",
    "QuestionView",
    "StepKind",
    "SurveyService",
    "SurveyStep",
    "SurveySummary",
    "WaveSummary",
    "parse_number",
    "refused",
]
