"""Callback data of the people feature: ids and short codes only (64 bytes, never user text).

Every privileged button's handler re-checks the presser's permission on the server: a replayed
or forged callback is refused like a typed command.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class OnboardingChoice(CallbackData, prefix="ob"):
    step: str  # "privacy" | "lang" | "kind"
    value: str


class UniversityPick(CallbackData, prefix="obu"):
    university_id: int  # 0: "none of these, let me type again"


class EscalateQuestion(CallbackData, prefix="esc"):
    question_id: int


class TicketAction(CallbackData, prefix="tk"):
    action: str  # "answer" | "pass"
    ticket_id: int


class TicketRating(CallbackData, prefix="tkr"):
    ticket_id: int
    helpful: bool


class FaqAction(CallbackData, prefix="faq"):
    # "add" (id is a ticket id) | "approve" | "edit" | "scope" | "reject" (id is an entry id);
    # "review" and "remove" are the approve and reject of older messages.
    action: str
    id: int


class InviteFor(CallbackData, prefix="inv"):
    university_id: int


class FocalAction(CallbackData, prefix="fp"):
    action: str  # "revoke" | "reassign"
    user_id: int


class FocalMove(CallbackData, prefix="fpm"):
    user_id: int
    university_id: int


class ForgetConfirm(CallbackData, prefix="forget"):
    confirmed: bool
