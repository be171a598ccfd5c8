"""The broadcast conversation checks the sender's permission at every step, not only at the start.

A focal person whose role is revoked while composing is refused at their next step, whether it is
a typed message or a button, and nothing is queued. Learners' webinar buttons are not guarded:
`test_focal_person_broadcasts_a_webinar_to_their_university_only` has a learner RSVP and take the
calendar file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import func, select

from bot.services.roles import RoleService
from bot.storage.broadcast_models import Broadcast
from bot.storage.delivery_models import Delivery, DeliveryJob
from bot.storage.models import Role
from tests.e2e.broadcast.harness import Harness, running_bot
from tests.fakebotapi import FakeTelegram

FOCAL = 500
ADMIN = 900
LEARNER = 1001
REFUSAL = "not allowed"


@pytest.fixture
async def harness(settings) -> AsyncIterator[Harness]:
    async with FakeTelegram() as fake, running_bot(settings, fake) as running:
        await running.add_person(FOCAL, role=Role.FOCAL_PERSON, university_id=1)
        await running.add_person(ADMIN, role=Role.ADMIN, university_id=None)
        await running.add_person(LEARNER)
        yield running


async def revoke_focal(h: Harness) -> None:
    """The HEC admin revokes the focal person, as the /focals button does."""
    roles: RoleService = h.services.roles
    admin = await h.services.users.get(ADMIN)
    assert admin is not None
    await roles.revoke_focal(admin, FOCAL)


async def nothing_queued(h: Harness) -> bool:
    async with h.services.database.session() as session:
        counts = [
            (await session.exec(select(func.count()).select_from(table))).one()
            for table in (Broadcast, DeliveryJob, Delivery)
        ]
    return counts == [0, 0, 0]


async def test_revoked_while_composing_the_next_message_is_refused(harness: Harness):
    h = harness
    reply = await h.say(FOCAL, "/broadcast")
    assert "notice text" in reply.params["text"]
    await revoke_focal(h)

    reply = await h.say(FOCAL, "Orientation for new Coursera learners")
    assert REFUSAL in reply.params["text"]
    assert not any("image or a PDF" in text for text in h.texts_to(FOCAL))
    assert await nothing_queued(h)


async def test_revoked_while_composing_the_next_button_is_refused(harness: Harness):
    h = harness
    await h.say(FOCAL, "/broadcast")
    await h.say(FOCAL, "Exam week reminder")
    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    assert "webinar" in reply.params["text"]
    await revoke_focal(h)

    sent = len(h.fake.requests("sendMessage"))
    await h.press(FOCAL, h.button(FOCAL, "No"))
    answer = h.fake.requests("answerCallbackQuery")[-1]
    assert REFUSAL in answer.params.get("text", "")
    # The conversation did not move on to the Urdu step.
    assert len(h.fake.requests("sendMessage")) == sent
    assert not any("Urdu" in text for text in h.texts_to(FOCAL))
    assert await nothing_queued(h)
