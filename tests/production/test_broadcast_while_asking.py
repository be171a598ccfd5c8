"""Issue 14's first fault, against the real PostgreSQL and Redis: replies dropped during a
broadcast. Telegram's flood limits are on in the fake (30 a second per bot, 1 a second per
chat, 429 beyond); two workers with their own budget handles (as two processes) send a broadcast
while learners ask 4 questions a second through the webhook. Every question is answered, every
recipient gets the notice once. (`python -m bench.broadcast_and_questions` is the same run at
10,000 recipients, with the figures.)"""

from __future__ import annotations

import pytest

from bench.broadcast_and_questions import run

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(600)]


async def test_every_question_is_answered_while_two_workers_broadcast():
    result = await run(recipients=300, questions_per_second=4, workers=2, askers=60)
    assert result.asked > 0
    assert result.unanswered == 0, result.report()
    assert result.delivered == 300, result.report()
    assert result.doubled == 0, result.report()
