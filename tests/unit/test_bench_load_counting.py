"""What the load benchmark counts as a question's reply (bench/load.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bench.load import _is_answer
from handlers.callbacks import AnswerFeedback, ChooseRule


@dataclass
class SentMessage:
    params: dict[str, Any]


def keyboard(*callback_data: str) -> str:
    return json.dumps(
        {"inline_keyboard": [[{"text": "b", "callback_data": data} for data in callback_data]]}
    )


def test_an_answer_and_a_question_back_between_two_rules_are_both_replies():
    answer = SentMessage(
        {"reply_markup": keyboard(AnswerFeedback(question_id=7, helpful=True).pack())}
    )
    choice = SentMessage(
        {
            "reply_markup": keyboard(
                ChooseRule(question_id=7, passage="a" * 20).pack(),
                ChooseRule(question_id=7, passage="b" * 20).pack(),
            )
        }
    )
    assert _is_answer(answer)
    assert _is_answer(choice)  # was counted as a lost question


def test_a_notice_without_buttons_is_not_a_reply_to_the_question():
    assert not _is_answer(SentMessage({"text": "Please wait a moment"}))


def test_the_sustained_rate_offers_only_questions_the_engine_answers():
    """A content-free message gets a reply without the answer's buttons, which the count took
    for a lost answer; the sustained-rate benchmark leaves such messages out of its pool."""
    from bench.sustained import new_questions
    from knowledge.language import is_content_free

    pool = [
        "ok",
        "How do I apply for a licence?",
        "👍",
        "data science ke liye kaunsa course acha hai?",
        "What is the deadline for the intake?",
    ]
    assert new_questions(pool) == [
        "How do I apply for a licence?",
        "What is the deadline for the intake?",
    ]
    assert all(not is_content_free(q) for q in new_questions(pool))


def test_drives_against_one_instance_never_reuse_an_update_id():
    """An instance skips an update id it has handled (a redelivery): every drive of a run, e.g.
    each rate of the sustained-rate benchmark, must send ids the instance has not seen."""
    import inspect

    from bench import load

    first = next(load.UPDATE_IDS)
    assert next(load.UPDATE_IDS) > first
    assert "update_ids = UPDATE_IDS" in inspect.getsource(load._drive)


def test_the_sustained_rate_measures_the_real_budget_and_the_instance_uncapped():
    """One bot's replies stop at the send budget (Telegram's ~30/s a token); the instance's own
    capacity is measured with the budget above any rate offered, and the real-budget run starts
    below the budget, where a rate can pass."""
    import pytest

    from bench.encoder import EncoderLimit
    from bench.sustained import UNCAPPED_SEND_RATE, budget_env, first_share, real_send_rate

    assert budget_env("real") == {}
    assert float(budget_env("uncapped")["UNCAPPED_SEND_RATE"]) == UNCAPPED_SEND_RATE > 30
    with pytest.raises(ValueError, match="unknown send budget"):
        budget_env("fast")
    limit = EncoderLimit(ms_per_question=20.0, cores=2)  # 100/s
    assert first_share("real", 0.6, limit) * limit.per_second < real_send_rate()
    assert first_share("uncapped", 0.6, limit) == 0.6


def test_the_load_report_takes_every_figure_a_drive_returns():
    """`bench load` built its report from `_drive`'s figures and failed at the end of every run
    with a TypeError once `_drive` also returned the machine's and the driver's CPU."""
    import ast
    import dataclasses
    import inspect

    from bench import load

    (function,) = ast.parse(inspect.getsource(load._drive)).body
    assert isinstance(function, ast.AsyncFunctionDef)
    last = function.body[-1]  # the figures, returned at the end
    assert isinstance(last, ast.Return) and isinstance(last.value, ast.Dict)
    returned = last.value
    keys = {key.value for key in returned.keys if isinstance(key, ast.Constant)}
    fields = {field.name for field in dataclasses.fields(load.LoadReport)}
    assert keys and keys <= fields, keys - fields
