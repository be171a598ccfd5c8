"""Every button, forged: a press from someone without the right is refused and changes nothing.

The presses are generated, not listed: every `CallbackData` class the handlers define (found by
walking `CallbackData.__subclasses__()` after importing them) is filled with ids of objects that
belong to another university's people (a webinar, its RSVP, a ticket, an FAQ entry, a broadcast, a
survey invitation, a course plan entry, a question) and with every short code the bot uses. A new
button is covered the day it is written.

A press is a side effect when it changes any row that is not the presser's own, or sends anything
to anyone else. The presser must get an answer to the press (never a spinner, never "something
went wrong"), and never the other university's meeting link, question or RSVP count.

`make test` presses a sample: every object id with the codes the class's own handler module
names (its string literals) and one unknown code; `make test-all` (slow) presses every code.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import sys
import typing
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from aiogram.filters.callback_data import CallbackData
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

import handlers
from bot.services.audience import Audience
from bot.services.broadcast_drafts import BroadcastDraft, WebinarDraft
from bot.services.permissions import Actor
from bot.storage import all_models  # noqa: F401  (the whole schema)
from bot.storage.broadcast_models import WebinarRsvp
from bot.storage.courses_models import Course, CoursePlanEntry
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import FaqEntry, Ticket, University
from bot.storage.survey_models import SurveyInvitation
from bot.storage.types import utcnow
from tests.e2e.people.conftest import PeopleBot
from tests.factories import make_user

VICTIM, FOCAL_A = 5001, 5002  # a learner and the focal person of university A
LEARNER_B, FOCAL_B = 6001, 6002  # the attackers, of university B
SECRET_LINK = "https://meet.example.org/hec-a?pwd=s3cret"
VICTIM_QUESTION = "Is my scholarship 4411 approved?"

# Short codes the bot's buttons carry; a forged press tries each where a text field is.
CODES = [
    *("answer", "pass", "add", "review", "approve", "reject", "edit", "remove", "rsvp", "ics"),
    *("cancel", "revoke", "reassign", "send", "schedule", "discard", "skip", "yes", "more"),
    *("basics", "save", "everyone", "university", "city", "xx"),
]
# Ids of the other university's objects are filled into number fields; these keep it short.
FIELD_CODES: dict[str, tuple[str, ...]] = {
    "code": ("en", "ur", "xx"),
    "level": ("beginner", "xx"),
    "step": ("privacy", "lang", "kind"),
    "value": ("yes", "en", "student", "1"),
    "a": ("c", "t", "d", "b", "s"),
    "s": ("forged", "xx"),  # a survey button's survey: the seeded one, and one that is not
}
# Number fields whose name is not `<object>_id` of a seeded object.
FIELD_OBJECTS = {"id": "faq", "w": "wave", "wave": "wave", "user_id": "user"}
# Number fields that are not object ids (a survey button's version, question and option): the
# values that reach the seeded survey's first question, varied one at a time like codes.
INT_FIELD_VALUES: dict[str, tuple[int, ...]] = {"v": (1, 2), "q": (0, 1), "o": (0, 1)}


def callback_classes() -> list[type[CallbackData]]:
    """Every CallbackData subclass defined once all handler modules are imported."""
    for module in pkgutil.iter_modules(handlers.__path__):
        importlib.import_module(f"handlers.{module.name}")
    found: list[type[CallbackData]] = []
    pending = list(CallbackData.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: str(cls.__prefix__))


def module_codes(cls: type[CallbackData]) -> list[str]:
    """The codes named as string literals (what handlers compare actions with) by the modules
    that define or use `cls`, and one unknown code: the sample `make test` presses."""
    sources = [
        inspect.getsource(module)
        for name, module in sys.modules.items()
        if name.split(".")[0] == "handlers" and cls.__name__ in inspect.getsource(module)
    ]
    named = [code for code in CODES if any(f'"{code}"' in s or f"'{code}'" in s for s in sources)]
    return [*named, "xx"]


def forged_presses(
    cls: type[CallbackData],
    ids: list[int],
    codes: Sequence[str] | None = None,
    varied_ids: Sequence[int] | None = None,
) -> list[str]:
    """Packed callback data: for each id, every code in each text field (the others first).
    `codes` narrows the codes of fields without codes of their own (default: every code);
    `varied_ids` the ids tried with every code (default: all; the rest get the first codes)."""
    hints = typing.get_type_hints(cls)
    candidates: dict[str, list[Any]] = {}
    for name in cls.model_fields:
        kind = hints[name]
        if kind is bool:
            candidates[name] = [True, False]
        elif kind is int and name in INT_FIELD_VALUES:
            candidates[name] = list(INT_FIELD_VALUES[name])
        elif kind is int:
            candidates[name] = list(ids)
        elif name == "ids":
            candidates[name] = [".".join(str(i) for i in ids[:5])]
        else:
            candidates[name] = list(FIELD_CODES.get(name, codes if codes is not None else CODES))
    numbers = [name for name in candidates if hints[name] is int and name not in INT_FIELD_VALUES]
    packed: set[str] = set()
    for number in ids if numbers else [0]:
        # Every number field names the same object id; the other fields vary one at a time.
        base = {
            name: number if name in numbers else values[0] for name, values in candidates.items()
        }
        packed.add(cls(**base).pack())
        if numbers and varied_ids is not None and number not in varied_ids:
            continue
        for name, values in candidates.items():
            if name not in numbers:
                for value in values[1:]:
                    packed.add(cls(**{**base, name: value}).pack())
    return sorted(packed)


def sampled_presses(cls: type[CallbackData], ids: list[int], named: dict[str, int]) -> list[str]:
    """`make test`'s sample: every id with the first codes, and the codes of the modules that
    use `cls` with the id of the object its number field names (`webinar_id`: the webinar;
    a field naming no seeded object: every id)."""
    hints = typing.get_type_hints(cls)
    targets = [
        named.get(FIELD_OBJECTS.get(name, name.removesuffix("_id")))
        for name in cls.model_fields
        if hints[name] is int and name not in INT_FIELD_VALUES
    ]
    varied = None if not targets or None in targets else [t for t in targets if t is not None]
    return forged_presses(cls, ids, module_codes(cls), varied)


def answered_since(people: PeopleBot, answers: int) -> bool:
    return len(people.tg.requests("answerCallbackQuery")) > answers


async def snapshot(people: PeopleBot) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table, as tuples."""
    rows: dict[str, set[tuple[Any, ...]]] = {}
    async with people.services.database.session() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "fsm_records":  # conversation state, not data
                continue
            result = await session.exec(sa_select(table))  # type: ignore[call-overload]
            rows[table.name] = {tuple(repr(value) for value in row) for row in result}
    return rows


def changes_to_others(
    before: dict[str, set[tuple[Any, ...]]], after: dict[str, set[tuple[Any, ...]]], presser: int
) -> dict[str, set[tuple[Any, ...]]]:
    """Rows added, removed or changed, except rows that mention the presser (their own data)."""
    changed: dict[str, set[tuple[Any, ...]]] = {}
    for name, rows in before.items():
        difference = rows ^ after.get(name, set())
        others = {row for row in difference if repr(presser) not in row}
        if others:
            changed[name] = others
    return changed


async def seed_university_a(people: PeopleBot) -> tuple[int, int, list[int], dict[str, int]]:
    """Objects of university A's people; returns (A, B, candidate ids, named ids)."""
    services = people.services
    async with services.database.session() as session:
        universities = list(
            (await session.exec(select(University).order_by(col(University.id)))).all()
        )
    uni_a, uni_b = universities[0].id, universities[1].id
    assert uni_a is not None and uni_b is not None
    await make_user(services.database, VICTIM, university_id=uni_a)
    await make_user(services.database, FOCAL_A, role=Role.FOCAL_PERSON, university_id=uni_a)
    await make_user(services.database, LEARNER_B, university_id=uni_b)
    await make_user(services.database, FOCAL_B, role=Role.FOCAL_PERSON, university_id=uni_b)
    named: dict[str, int] = {}
    async with services.database.session() as session:
        question = QuestionLog(
            user_id=VICTIM, university_id=uni_a, question=VICTIM_QUESTION, answer="?"
        )
        course = Course(url="https://www.coursera.org/learn/forged", title="Forged course")
        session.add_all([question, course])
        await session.flush()
        assert question.id and course.id
        named["question"], named["course"] = question.id, course.id
        ticket = Ticket(
            question_id=question.id,
            learner_id=VICTIM,
            learner_kind="student",
            university_id=uni_a,
            question=VICTIM_QUESTION,
        )
        plan = CoursePlanEntry(user_id=VICTIM, course_id=course.id)
        session.add_all([ticket, plan])
        await session.flush()
        assert ticket.id and plan.id
        named["ticket"], named["plan"] = ticket.id, plan.id
        entry = FaqEntry(
            ticket_id=ticket.id,
            question="Scholarships at A?",
            answer="Ask the office.",
            author_id=FOCAL_A,
            author_role="focal_person",
            university_id=uni_a,
            file_name="faq-a.md",
        )
        session.add(entry)
        await session.flush()
        assert entry.id
        named["faq"] = entry.id
    starts = utcnow() + timedelta(days=3)
    summary = await services.broadcasts.create(
        Actor(id=FOCAL_A, role=Role.FOCAL_PERSON, university_id=uni_a),
        BroadcastDraft(
            audience=Audience(universities=frozenset({uni_a})),
            text_en="Webinar for A",
            webinar=WebinarDraft("A's webinar", starts, 60, SECRET_LINK),
        ),
        send_at=utcnow() + timedelta(days=1),
    )
    assert summary.webinar_id
    named["broadcast"], named["webinar"] = summary.id, summary.webinar_id
    await services.webinars.rsvp(
        Actor(id=VICTIM, role=Role.LEARNER, university_id=uni_a), summary.webinar_id
    )
    await services.courses.warm_up()  # as `hecbot run` does before polling
    surveys = services.surveys
    await surveys.add_survey(
        "id: forged\nversion: 1\ntitle: {en: F, ur: ف}\nquestions:\n"
        "  - {id: q1, type: yes_no, text: {en: Agree, ur: ہاں}}\n"
    )
    [wave] = await surveys.start_waves("forged")
    async with services.database.session() as session:
        invitation = SurveyInvitation(wave_id=wave.id, user_id=VICTIM)
        session.add(invitation)
        await session.flush()
        assert invitation.id
        named["wave"], named["invitation"] = wave.id, invitation.id
    named["user"], named["university"] = FOCAL_A, uni_a
    ids = sorted({*named.values(), VICTIM, 0})
    return uni_a, uni_b, ids, named


@pytest.mark.timeout(300)
async def test_forged_presses_of_every_button_are_refused_without_side_effects(
    people_bot: PeopleBot,
) -> None:
    """Every class, every object id, a sample of codes (`sampled_presses`; `make test`)."""
    await press_every_class(people_bot, sampled_presses)


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_forged_presses_with_every_code_are_refused_without_side_effects(
    people_bot: PeopleBot,
) -> None:
    """Every class, every object id, every code the bot uses anywhere (`make test-all`)."""
    await press_every_class(people_bot, lambda cls, ids, named: forged_presses(cls, ids))


async def press_every_class(
    people: PeopleBot,
    presses_of: Callable[[type[CallbackData], list[int], dict[str, int]], list[str]],
) -> None:
    _, uni_b, ids, named = await seed_university_a(people)
    classes = callback_classes()
    assert len(classes) >= 20, [cls.__name__ for cls in classes]
    only = os.environ.get("HECBOT_FORGED_PREFIXES")  # while debugging one button: "wbn,tk"
    if only:
        classes = [cls for cls in classes if cls.__prefix__ in only.split(",")]
    bystanders = (VICTIM, FOCAL_A, 9001)
    generic_error = people.services.catalogue.text("en", "error-generic")
    problems: list[str] = []
    attackers: dict[int, dict[str, Any]] = {
        LEARNER_B: {"university_id": uni_b},
        FOCAL_B: {"university_id": uni_b, "role": Role.FOCAL_PERSON},
    }
    for presser, attributes in attackers.items():
        [anchor] = await people.send(presser, "/help")
        for cls in classes:
            # One class's presses go together; a problem names the class and what went wrong.
            pressed = presses_of(cls, ids, named)
            label = f"{presser} {cls.__name__}"
            before = await snapshot(people)
            sent_before = {chat: len(people.messages(chat)) for chat in bystanders}
            documents = len(people.tg.requests("sendDocument"))
            seen = len(people.messages(presser))
            answers = len(people.tg.requests("answerCallbackQuery"))
            updates = [
                people.tg.push_callback(presser, anchor.message_id, data, check_button=False)
                for data in pressed
            ]
            queries = {
                str(update["callback_query"]["id"]): data
                for update, data in zip(updates, pressed, strict=True)
            }
            try:
                await people.until(
                    partial(answered_since, people, answers + len(pressed) - 1),
                    f"answers to {label}",
                    timeout=10,
                )
            except AssertionError:
                answered = {
                    str(r.params.get("callback_query_id"))
                    for r in people.tg.requests("answerCallbackQuery")
                }
                missing = [data for query, data in queries.items() if query not in answered]
                problems.append(f"{label}: never answered {missing}")
            try:  # what the handlers do after answering
                await people.handled([u["update_id"] for u in updates], f"handlers of {label}")
            except AssertionError as error:
                problems.append(f"{label}: {error}")
            async with people.services.database.session() as session:
                if await session.get(User, presser) is None:  # pressed their own /forget
                    await make_user(people.services.database, presser, **attributes)
            changed = changes_to_others(before, await snapshot(people), presser)
            if changed:
                problems.append(f"{label}: changed {changed}")
            for chat in bystanders:
                if len(people.messages(chat)) != sent_before[chat]:
                    problems.append(f"{label}: sent to {chat}")
            if len(people.tg.requests("sendDocument")) != documents:
                problems.append(f"{label}: sent a file")
            replies = [m.text or "" for m in people.messages(presser)[seen:]]
            alerts = [
                str(r.params.get("text", ""))
                for r in people.tg.requests("answerCallbackQuery")[answers:]
            ]
            for text in {*replies, *alerts}:
                if generic_error in text or "Traceback" in text:
                    problems.append(f"{label}: error reply {text!r}")
                if SECRET_LINK in text or VICTIM_QUESTION in text:
                    problems.append(f"{label}: leaked {text!r}")
    assert not problems, "\n".join(problems)


def test_every_button_class_is_found() -> None:
    """The walk finds classes from every handler module, including nested subclasses."""
    names = {cls.__name__ for cls in callback_classes()}
    assert {"WebinarAction", "TicketAction", "FaqAction", "SurveyButton", "CourseAction"} <= names
    assert "PlanEntryDone" in names


async def test_another_universitys_webinar_is_refused_to_a_learner(people_bot: PeopleBot) -> None:
    """The report's case: wbn:ics / wbn:rsvp of university A's webinar, pressed by B's learner."""
    people = people_bot
    _, _, _, named = await seed_university_a(people)
    refusal = people.services.catalogue.text("en", "error-not-allowed")
    [anchor] = await people.send(LEARNER_B, "/help")
    for action in ("ics", "rsvp"):
        await people.press(
            LEARNER_B,
            anchor,
            f"wbn:{action}:{named['webinar']}",
            expect=0,
            check_button=False,
        )
        assert people.last_alert() == refusal
    assert not people.tg.requests("sendDocument")
    async with people.services.database.session() as session:
        rsvps = (await session.exec(select(WebinarRsvp))).all()
    assert [rsvp.user_id for rsvp in rsvps] == [VICTIM]
    # The learner it was sent to still gets both.
    await people.send(VICTIM, "/help")
    [victim_anchor] = people.messages(VICTIM)[-1:]
    await people.press(
        VICTIM, victim_anchor, f"wbn:ics:{named['webinar']}", expect=1, check_button=False
    )
    assert len(people.tg.requests("sendDocument")) == 1


async def test_another_learners_plan_entry_is_refused(people_bot: PeopleBot) -> None:
    """A forged "done" naming another learner's plan entry: refused, the entry unchanged."""
    people = people_bot
    _, _, _, named = await seed_university_a(people)
    refusal = people.services.catalogue.text("en", "error-not-allowed")
    [anchor] = await people.send(LEARNER_B, "/help")
    await people.press(LEARNER_B, anchor, f"cpe:{named['plan']}", expect=0, check_button=False)
    assert people.last_alert() == refusal
    async with people.services.database.session() as session:
        entry = await session.get(CoursePlanEntry, named["plan"])
        assert entry is not None and entry.completed_at is None
    # The learner whose plan it is marks it done from their /myplan.
    [plan] = await people.send(VICTIM, "/myplan")
    assert f"cpe:{named['plan']}" in plan.callback_data
    await people.press(VICTIM, plan, f"cpe:{named['plan']}", expect=0)
    assert people.last_alert() != refusal
    async with people.services.database.session() as session:
        entry = await session.get(CoursePlanEntry, named["plan"])
        assert entry is not None and entry.completed_at is not None
