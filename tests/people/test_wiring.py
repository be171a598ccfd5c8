"""The people services wire onto the delivery Outbox through `enqueue` and `message_factory`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.config import Settings
from bot.i18n import Catalogue
from bot.people_wiring import build_people_services
from bot.services.users import UserService
from bot.storage.db import Database
from bot.storage.models import Role
from tests.people.conftest import RecordingEnqueue, make_question, make_user


@dataclass(frozen=True)
class OutboxMessage:
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None


class NoAnswers:
    async def ask(self, question: str) -> Any:
        raise AssertionError("not asked here")


async def test_outbox_enqueue_and_message_type_are_used(
    settings: Settings, database: Database
) -> None:
    enqueue = RecordingEnqueue()
    extras = await build_people_services(
        settings,
        database,
        Catalogue.load(),
        NoAnswers(),  # type: ignore[arg-type]
        UserService(database),
        enqueue=enqueue,
        message_factory=OutboxMessage,
    )
    assert extras["direct_delivery"] is None
    assert extras["faq"]._indexer is None  # a double without index_paths is not an indexer
    comsats = (await extras["universities"].search("comsats"))[0].university.id
    learner = await make_user(database, 1, university_id=comsats)
    await make_user(database, 2, role=Role.FOCAL_PERSON, university_id=comsats)

    await extras["tickets"].open_ticket(learner, await make_question(database, learner))

    [job] = enqueue.jobs
    assert job.kind == "ticket" and isinstance(job.messages[0], OutboxMessage)
    assert job.messages[0].chat_id == 2
