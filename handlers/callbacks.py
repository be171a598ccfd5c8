"""Callback data factories. They carry ids and short codes only, never user text (64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class AnswerFeedback(CallbackData, prefix="fb"):
    question_id: int
    helpful: bool


class ShowFullRule(CallbackData, prefix="rule"):
    """Expand the section an answer came from; `passage` is the passage's id (20 hex)."""

    question_id: int
    passage: str


class ChooseRule(CallbackData, prefix="pick"):
    """The learner's pick among two rules a question could mean (passage id, 20 hex)."""

    question_id: int
    passage: str
