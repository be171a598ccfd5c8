"""Learning plans: saving courses, listing them, marking one done (and the completion hook)."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowedError, NotFoundError
from bot.services.courses import CourseService
from bot.services.permissions import Actor
from bot.storage.db import Database
from bot.storage.models import Role, User
from tests.courses.factories import HashingEmbedder

LEARNER = 7_000_000_001
OWNER = Actor(id=LEARNER, role=Role.LEARNER, university_id=None)


async def done(service: CourseService, course_id: int):
    return await service.mark_done(OWNER, await service.entry_for_course(LEARNER, course_id))


@pytest.fixture
async def service(database: Database) -> CourseService:
    async with database.session() as session:
        session.add(User(id=LEARNER))
    courses = CourseService(database, embedder=HashingEmbedder())
    await courses.ensure_catalogue()
    return courses


async def test_recommended_courses_can_be_saved_and_listed(service: CourseService):
    result = await service.recommend("data analyst", level="beginner", hours_per_week=5)
    assert await service.save_to_plan(LEARNER, result.course_ids) == len(result.course_ids)
    assert await service.save_to_plan(LEARNER, result.course_ids) == 0  # saving twice is fine

    plan = await service.plan(LEARNER)
    assert [item.course.id for item in plan] == result.course_ids
    assert not any(item.done for item in plan)
    assert await service.plan(LEARNER + 1) == []


async def test_marking_done_calls_the_hook_once(service: CourseService):
    calls: list[tuple[int, int]] = []

    async def hook(user_id: int, course_id: int) -> None:
        calls.append((user_id, course_id))

    service.set_completion_hook(hook)
    result = await service.recommend("cloud computing")
    first, second = result.course_ids[:2]
    await service.save_to_plan(LEARNER, [first, second])

    item = await done(service, second)
    assert item.done
    await done(service, second)  # again: no second survey
    assert calls == [(LEARNER, second)]

    plan = await service.plan(LEARNER)
    assert [item.course.id for item in plan] == [first, second]  # unfinished first
    assert [item.done for item in plan] == [False, True]


async def test_a_failing_hook_does_not_undo_the_mark(service: CourseService):
    async def broken(user_id: int, course_id: int) -> None:
        raise RuntimeError("survey service down")

    service.set_completion_hook(broken)
    course_id = (await service.recommend("python")).course_ids[0]
    await service.save_to_plan(LEARNER, [course_id])
    assert (await done(service, course_id)).done
    assert (await service.plan(LEARNER))[0].done


async def test_unknown_courses_are_not_found(service: CourseService):
    with pytest.raises(NotFoundError):
        await service.save_to_plan(LEARNER, [999_999])
    with pytest.raises(NotFoundError):
        await service.entry_for_course(LEARNER, 999_999)


async def test_only_the_learner_whose_plan_it_is_marks_an_entry_done(service: CourseService):
    course_id = (await service.recommend("python")).course_ids[0]
    await service.save_to_plan(LEARNER, [course_id])
    [entry] = await service.plan(LEARNER)
    classmate = Actor(id=LEARNER + 1, role=Role.LEARNER, university_id=None)
    with pytest.raises(NotAllowedError):
        await service.mark_done(classmate, entry.entry_id)
    with pytest.raises(NotAllowedError):  # an entry that does not exist: refused alike
        await service.mark_done(OWNER, entry.entry_id + 1000)
    assert not (await service.plan(LEARNER))[0].done
