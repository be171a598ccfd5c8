"""In groups, supergroups and channels the bot shows nothing: at most "write to me privately"."""

from __future__ import annotations

from bot.services.universities import UniversityService
from bot.storage.models import Role, User
from tests.e2e.people.conftest import PeopleBot
from tests.factories import make_user

LEARNER = 5_000_001_001
FOCAL = 5_000_001_002
STRANGER = 5_000_001_003
GROUP = -1001234567890
SMALL_GROUP = -4321


async def test_group_updates_get_no_answers_no_files_and_no_staff_output(
    people_bot: PeopleBot,
) -> None:
    people = people_bot
    universities = UniversityService(people.services.database)
    await universities.ensure_loaded()
    comsats = (await universities.search("comsats"))[0].university.id
    await make_user(people.services.database, FOCAL, role=Role.FOCAL_PERSON, university_id=comsats)
    await people.onboard(LEARNER)

    # Not addressed to the bot: ignored entirely.
    people.tg.push_message(LEARNER, "How do I apply for a licence?", chat_id=GROUP)
    people.tg.push_message(STRANGER, "anyone here from COMSATS?", chat_id=SMALL_GROUP)
    # Addressed: one short "write to me privately" each, nothing else.
    people.tg.push_message(LEARNER, "/mydata", chat_id=GROUP)
    people.tg.push_message(FOCAL, "/insights", chat_id=GROUP)
    people.tg.push_message(STRANGER, "@hecbot_test_bot how do I apply?", chat_id=SMALL_GROUP)
    people.tg.push_message(STRANGER, "/start@hecbot_test_bot", chat_id=SMALL_GROUP)
    people.tg.push_message(STRANGER, "/start@some_other_bot", chat_id=SMALL_GROUP)

    def group_messages() -> list[str]:
        return [m.text or "" for chat in (GROUP, SMALL_GROUP) for m in people.messages(chat)]

    await people.until(lambda: len(group_messages()) >= 4, "four 'write privately' replies")
    # The same person still gets everything in private, after the group updates were handled.
    [reply] = await people.send(LEARNER, "/privacy")
    assert "Privacy" in (reply.text or "")

    assert len(group_messages()) == 4
    assert all("private" in text for text in group_messages()), group_messages()
    for chat in (GROUP, SMALL_GROUP):
        assert people.tg.requests("sendDocument", chat_id=chat) == []
        assert people.tg.requests("sendPhoto", chat_id=chat) == []
    async with people.services.database.session() as session:
        assert await session.get(User, STRANGER) is None  # writing in a group stores nothing
