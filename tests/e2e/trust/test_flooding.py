"""A learner sending faster than the flood gate admits: what is dropped is said to be dropped."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import Catalogue
from bot.telegram.container import AppServices
from tests.e2e.harness import BotHarness, onboarded_learner
from tests.e2e.people.conftest import FaqAnswerer
from tests.fakebotapi import FakeTelegram

LEARNER = 5_000_003_001
BURST = 5  # FloodGate's default


async def test_a_flood_is_told_it_was_skipped_and_each_dropped_press_is_answered(
    settings: Settings,
) -> None:
    """The notice promised "I will answer each question in turn" of messages it dropped, and
    a press dropped after it was never answered (its button spinning, a survey answer lost
    without a word). The notice says what was skipped; each dropped press gets a toast."""

    async def prepare(services: AppServices) -> None:
        await onboarded_learner(services.database, LEARNER)

    # No token comes back during the test: one every ten minutes.
    slow = settings.model_copy(deep=True)
    slow.telegram.throttle_seconds = 600
    catalogue = Catalogue.load()
    async with (
        FakeTelegram() as fake,
        BotHarness(fake, slow, answerer=FaqAnswerer(), prepare=prepare) as bot,
    ):
        answers = []
        for number in range(BURST):
            answers += await bot.send(LEARNER, f"Can my parrot number {number} attend lectures?")
        [notice] = await bot.send(LEARNER, "And my cat, can it attend too?")
        assert notice.text == catalogue.text("en", "throttled")
        assert "skipped" in notice.text and "in turn" not in notice.text

        presses = len(fake.requests("answerCallbackQuery"))
        for answer in answers[:2]:  # 👍 on two answers: both dropped, both answered
            fake.push_callback(LEARNER, answer.message_id, answer.callback_data[0])
        await fake.wait_for("answerCallbackQuery", count=presses + 2, timeout=20)
        toasts = [r.params.get("text") for r in fake.requests("answerCallbackQuery")[presses:]]
        assert toasts == [catalogue.text("en", "throttled-press")] * 2
        assert len(bot.messages(LEARNER)) == BURST + 1  # nothing else was sent
