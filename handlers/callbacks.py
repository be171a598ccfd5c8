"""Callback data factories. They carry ids and short codes only, never user text (64 bytes)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class AnswerFeedback(CallbackData, prefix="fb"):
    question_id: int
    helpful: bool
