"""A learner's licence story end to end: the real bot against the fake Bot API, codes mailed
through a real SMTP server on loopback, Coursera reports imported by the CLI's service."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.i18n import pakistan_today
from bot.services.licences_intakes import IntakeService
from bot.services.licences_nudges import NudgeService
from bot.services.licences_reports import ReportImportService
from bot.services.licences_selection import SelectionService
from bot.storage.licence_models import ApplicationStatus, ReportKind
from bot.storage.models import Role
from bot.telegram.container import AppServices
from handlers.buttons import TelegramButtons
from tests.e2e.harness import BotHarness, Learner
from tests.factories import make_user
from tests.fakebotapi import ChatMessage, FakeTelegram
from tests.licences.conftest import MailRecorder, intake_source
from tests.licences.factories import make_application
from tests.licences.test_intakes_and_applying import open_intake_source

ALI = 8101
RULE_SOURCE = (
    Path(__file__).resolve().parents[2] / "docs/examples/nudges/invited-not-joined.yaml"
).read_text(encoding="utf-8")
ADMIN = 8100
OTHERS = [8110 + n for n in range(6)]


@dataclass
class World:
    fake: FakeTelegram
    running: BotHarness
    services: AppServices
    mails: MailRecorder


@pytest.fixture
async def world(settings: Settings, smtp_server) -> AsyncIterator[World]:
    smtp, mails = smtp_server
    settings.smtp = smtp
    async with FakeTelegram() as fake:
        running = BotHarness(fake, settings)
        services = await running.start()
        await IntakeService(services.database).add(open_intake_source())
        try:
            yield World(fake, running, services, mails)
        finally:
            await running.stop()


async def test_apply_verify_and_submit(world: World) -> None:
    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)

    intro, first = await ali.says("/apply", replies=2)
    assert "Apply for a Coursera licence" in intro.text
    assert "HEC-recognised" in first.text
    (second,) = await ali.presses(first, "Yes", replies=1)
    assert "another programme" in second.text
    (domains,) = await ali.presses(second, "No", replies=1)
    assert "priority areas" in domains.text
    await ali.presses(domains, "Artificial intelligence")
    (ask_email,) = await ali.presses(domains, "Done", replies=1)
    assert "edu.pk" in ask_email.text
    (refused,) = await ali.says("ali@gmail.com")
    assert "not a university e-mail" in refused.text
    (sent,) = await ali.says("ali@qau.edu.pk")
    assert "ali@qau.edu.pk" in sent.text
    (wrong,) = await ali.says("12345x")
    assert "not right" in wrong.text
    verified, tracks = await ali.says(world.mails.last_code(), replies=2)
    assert "verified" in verified.text
    await ali.presses(tracks, "Data Analysis")
    await ali.presses(tracks, "Cloud Computing")
    await ali.presses(tracks, "Web Development")  # a third is refused: max_tracks is 2
    (confirm,) = await ali.presses(tracks, "Done", replies=1)
    assert "Data Analysis, Cloud Computing" in confirm.text
    (done,) = await ali.presses(confirm, "Submit", replies=1)
    assert "is submitted" in done.text

    (status,) = await ali.says("/mylicence")
    assert "waiting for HEC" in status.text
    (again,) = await ali.says("/apply")
    (withdrawn,) = await ali.presses(again, "Withdraw", replies=1)
    assert "withdrawn" in withdrawn.text
    _intro, first = await ali.says("/apply", replies=2)
    assert "HEC-recognised" in first.text
    (bye,) = await ali.says("/cancel")
    assert "Cancelled" in bye.text or "stopped" in bye.text.lower()


async def test_a_form_keeps_its_intake_and_is_told_when_that_intake_closed(
    world: World,
) -> None:
    """Each /apply step read whichever intake was open now: a second intake opening mid-form
    (closing sooner, so "open now") put its choices in the form, and the form's own intake
    closing was "no intake is taking applications" with the form left open. The form keeps
    its intake; once that closes, the learner is told so by name and the form ends."""
    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)
    intakes = IntakeService(world.services.database)
    _intro, first = await ali.says("/apply", replies=2)

    today = datetime.now(UTC).date()
    summer = intake_source(
        id="2027-summer",
        opens=str(today - timedelta(days=1)),
        deadline=str(today + timedelta(days=10)),
    ).replace("Artificial intelligence", "Robotics")
    await intakes.add(summer)
    (second,) = await ali.presses(first, "Yes", replies=1)
    (domains,) = await ali.presses(second, "No", replies=1)
    assert domains.reply_markup is not None
    labels = [b["text"] for row in domains.reply_markup["inline_keyboard"] for b in row]
    assert any("Artificial intelligence" in label for label in labels), labels
    assert not any("Robotics" in label for label in labels), labels

    await intakes.close("2027-spring")
    await ali.presses(domains, "Artificial intelligence")
    told = str(world.fake.requests("answerCallbackQuery")[-1].params.get("text", ""))
    assert "Coursera licences, spring 2027" in told and "stopped taking applications" in told
    await ali.presses(domains, "Done")  # the form has ended: its buttons are over
    assert "stopped taking applications" not in str(
        world.fake.requests("answerCallbackQuery")[-1].params.get("text", "")
    )


async def apply_until_the_address(learner: Learner) -> None:
    """/apply with eligible answers and one domain, up to the bot asking for the address."""
    _intro, first = await learner.says("/apply", replies=2)
    (second,) = await learner.presses(first, "Yes", replies=1)
    (domains,) = await learner.presses(second, "No", replies=1)
    await learner.presses(domains, "Cloud computing")
    await learner.presses(domains, "Done", replies=1)


async def apply_until_submit(world: World, learner: Learner, email: str) -> ChatMessage:
    """/apply with eligible answers, one domain, ``email`` verified and one track: the
    confirmation with its Submit button."""
    await apply_until_the_address(learner)
    await learner.says(email)
    _verified, tracks = await learner.says(world.mails.last_code(), replies=2)
    await learner.presses(tracks, "Cloud Computing")
    (confirm,) = await learner.presses(tracks, "Done", replies=1)
    return confirm


async def apply_in_chat(world: World, learner: Learner, email: str) -> None:
    """The /apply conversation with eligible answers, one domain and one track."""
    confirm = await apply_until_submit(world, learner, email)
    (done,) = await learner.presses(confirm, "Submit", replies=1)
    assert "is submitted" in done.text


async def test_apply_approve_two_reports_mylicence_a_nudge_with_holdout_and_reclaim(
    world: World, tmp_path: Path
) -> None:
    database = world.services.database
    services = world.services
    for user_id in (ALI, ADMIN, *OTHERS):
        world.fake.add_user(user_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, ALI, learner_kind="faculty", university_id=1)
    ali = Learner(world.fake, ALI)
    admin = Learner(world.fake, ADMIN)
    await apply_in_chat(world, ali, "ali@qau.edu.pk")
    intake_id = (await services.applications.mine(ALI)).intake_id
    # Six more applicants, stored directly: five approved, one waitlisted below.
    for number, user_id in enumerate(OTHERS):
        await make_user(database, user_id, university_id=1)
        await make_application(
            database,
            intake_id=intake_id,
            user_id=user_id,
            email=f"o{number}@qau.edu.pk",
            university_id=1,
            status=ApplicationStatus.SUBMITTED,
        )
    selection = SelectionService(database, services.outbox, services.catalogue)
    ranked = await selection.ranked("2027-spring")
    waiting = ranked[-1].id
    decisions = "application_id,decision,reason\n" + "".join(
        f"{r.id},{'waitlist' if r.id == waiting else 'approve'},\n" for r in ranked
    )
    await selection.import_decisions(decisions, decided_by="hec-admin", source="round1.csv")
    (approved,) = await ali._replies(1, 20)
    assert "approved" in approved.text

    # Report 1: everyone approved is invited 10 days ago, nobody has joined.
    today = datetime.now(UTC).date()
    first_day = today - timedelta(days=20)
    invited = (first_day - timedelta(days=10)).isoformat()
    emails = ["ali@qau.edu.pk"] + [f"o{n}@qau.edu.pk" for n in range(len(OTHERS) - 1)]
    reports = ReportImportService(database)
    await reports.import_stream(
        io.StringIO(
            "Email,Invitation Date,Join Date,Member State\n"
            + "".join(f"{e},{invited},,INVITED\n" for e in emails)
        ),
        kind=ReportKind.MEMBERSHIP,
        as_of=first_day,
    )
    (status,) = await ali.says("/mylicence")
    assert "Coursera has invited you" in status.text and "Days left" in status.text

    # A nudge to those invited and not joined, half of them held out.
    nudges = NudgeService(
        database,
        services.outbox,
        services.catalogue,
        buttons=TelegramButtons(services.catalogue),
    )
    await nudges.add(RULE_SOURCE.replace("holdout: 0.10", "holdout: 0.5"))
    midday = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
    plan = await nudges.plan("invited-not-joined", as_of=first_day, now=midday)
    assert plan.eligible == len(emails) and plan.held_out == 3 and plan.nudged == 3
    groups = {a.user_id: a.group for a in (await nudges_assignments(nudges))}
    for user_id, group in groups.items():
        chat = Learner(world.fake, user_id)
        if group == "nudge":
            await chat._replies(2, 20)  # the approval, then the nudge
            assert "licence is waiting" in world.fake.messages_to(user_id)[-1].text
        else:
            await chat._replies(1, 20)
            assert "waiting for you" not in world.fake.messages_to(user_id)[-1].text
    if groups[ALI] == "nudge":
        ali.seen += 1

    # Report 2, two weeks later: Ali joined and finished a course; o0 joined but is idle.
    second_day = today - timedelta(days=6)
    joined_day = (first_day + timedelta(days=2)).isoformat()
    await reports.import_stream(
        io.StringIO(
            "Email,Invitation Date,Join Date,Member State\n"
            + "".join(f"{e},{invited},{joined_day if e in emails[:2] else ''},X\n" for e in emails)
        ),
        kind=ReportKind.MEMBERSHIP,
        as_of=second_day,
    )
    await reports.import_stream(
        io.StringIO(
            "Email,Course,Last Course Activity Time,Learning Hours Spent,Completed,"
            "Completion Time\n"
            f"ali@qau.edu.pk,Google Cloud,{second_day}T10:00:00Z,12.5,Yes,{second_day}\n"
            f"ali@qau.edu.pk,Python for Everybody,{second_day}T11:00:00Z,3.25,No,\n"
        ),
        kind=ReportKind.USAGE,
        as_of=second_day,
    )
    (status,) = await ali.says("/mylicence")
    assert "active" in status.text
    assert "Courses completed: 1 of 2" in status.text and "learning hours: 15.8" in status.text
    assert (
        f"report of {second_day.day} {second_day:%b %Y}" in status.text
    )  # Pakistan time, written out

    report = await nudges.report("invited-not-joined", as_of=today)
    assert report.nudge.learners == 3 and report.holdout.learners == 3
    joined = {ALI, OTHERS[0]}
    assert report.nudge.successes == sum(
        1 for u, g in groups.items() if g == "nudge" and u in joined
    )
    (chart,) = await admin.says("/nudgereport invited-not-joined")
    assert chart.raw.get("photo") and "invited-not-joined" in chart.caption
    (funnel,) = await admin.says("/funnel")
    assert funnel.raw.get("photo")
    assert "7 applied, 6 approved, 6 invited, 2 joined, 1 active" in funnel.caption

    # Reclaim: the four who never joined are warned, then their licences go to the waiting list.
    warned = await selection.reclaim(today)
    assert warned.warned == 4
    later = await selection.reclaim(today, now=datetime.now(UTC) + timedelta(days=8))
    assert later.reclaimed == 4 and later.promoted == 1
    promoted = next(r for r in await selection.ranked("2027-spring") if r.id == waiting)
    assert promoted.status == "approved"
    waiting_user = OTHERS[-1]
    await Learner(world.fake, waiting_user)._replies(2, 20)  # waitlisted, then promoted
    assert "seat freed" in world.fake.messages_to(waiting_user)[-1].text.lower()
    idle = Learner(world.fake, OTHERS[1])
    idle.seen = len(world.fake.messages_to(OTHERS[1]))
    texts = [m.text for m in world.fake.messages_to(OTHERS[1])]
    if not any("given to a learner on the waiting list" in t for t in texts):
        await idle._replies(1, 20)
        texts = [m.text for m in world.fake.messages_to(OTHERS[1])]
    assert any("no activity for 30 days" in t for t in texts)
    assert "given to a learner on the waiting list" in texts[-1]
    (kept,) = await ali.says("/mylicence")  # Ali used the licence: not reclaimed
    assert "is active" in kept.text


async def nudges_assignments(nudges: NudgeService):
    from sqlmodel import select

    from bot.storage.licence_models import NudgeAssignment

    async with nudges._database.session() as session:
        return (await session.exec(select(NudgeAssignment))).all()


async def test_an_urdu_speaker_applies_in_urdu(world: World) -> None:
    world.fake.add_user(8201)
    await make_user(world.services.database, 8201, language="ur")
    sara = Learner(world.fake, 8201)
    intro, first = await sara.says("/apply", replies=2)
    assert "کورسیرا لائسنس کے لیے درخواست" in intro.text
    assert "ایچ ای سی" in first.text
    (second,) = await sara.presses(first, "ہاں", replies=1)
    (stop,) = await sara.presses(second, "ہاں", replies=1)  # holds another licence: not eligible
    assert "اہل نہیں" in stop.text
    (none,) = await sara.says("/mylicence")
    assert "درخواست نہیں دی" in none.text


async def test_a_mistyped_address_or_an_expired_code_is_fixed_without_starting_again(
    world: World,
) -> None:
    """At the code step a learner types the right address instead (the first was mistyped):
    a code goes there. A code that expired asks for the address again. Neither sends them back
    to /apply's first question (the only way out was /apply, answering everything again)."""
    from sqlmodel import update

    from bot.storage.licence_models import EmailVerification
    from bot.storage.types import utcnow

    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)
    await apply_until_the_address(ali)
    (sent,) = await ali.says("ali@qua.edu.pk")
    assert "Mistyped the address?" in sent.text
    (resent,) = await ali.says("ali@qau.edu.pk")
    assert "ali@qau.edu.pk" in resent.text
    assert world.mails.messages[-1]["To"] == "ali@qau.edu.pk"

    async with world.services.database.session() as session:
        await session.exec(update(EmailVerification).values(expires_at=utcnow()))
    (expired,) = await ali.says(world.mails.last_code())
    assert "expired" in expired.text and "e-mail address again" in expired.text
    (again,) = await ali.says("ali@qau.edu.pk")
    assert "I sent a 6-digit code" in again.text
    verified, tracks = await ali.says(world.mails.last_code(), replies=2)
    assert "ali@qau.edu.pk" in verified.text and "verified" in verified.text
    await ali.presses(tracks, "Cloud Computing")
    (confirm,) = await ali.presses(tracks, "Done", replies=1)
    assert "Cloud computing" in confirm.text  # the domain chosen before the mistake


async def test_withdraw_pressed_twice_says_withdrawn_twice(world: World) -> None:
    """A double tap on Withdraw: the second press found the application withdrawn and said it
    "can no longer be changed (decided, or the deadline has passed)", untrue and alarming."""
    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)
    await apply_in_chat(world, ali, "ali@qau.edu.pk")
    (choice,) = await ali.says("/apply")
    _, withdraw = ali.button("Withdraw", choice)
    world.fake.push_callback(ALI, choice.message_id, withdraw)
    world.fake.push_callback(ALI, choice.message_id, withdraw)
    first, second = await ali._replies(2, 20)
    assert "withdrawn" in first.text and "withdrawn" in second.text
    texts = [m.text or "" for m in world.fake.messages_to(ALI)]
    alerts = [str(r.params.get("text", "")) for r in world.fake.requests("answerCallbackQuery")]
    assert not any("no longer be changed" in text for text in texts + alerts)


async def test_submit_pressed_twice_submits_once_and_the_second_press_is_told_why(
    world: World,
) -> None:
    """A double tap on Submit: one application; the second press, whose step is over, was told
    "This button has expired. Send /start to begin again" (/start only says welcome back)."""
    world.fake.add_user(ALI)
    await make_user(world.services.database, ALI, learner_kind="faculty")
    ali = Learner(world.fake, ALI)
    confirm = await apply_until_submit(world, ali, "ali@qau.edu.pk")
    _, submit = ali.button("Submit", confirm)
    answered = len(world.fake.requests("answerCallbackQuery"))
    world.fake.push_callback(ALI, confirm.message_id, submit)
    world.fake.push_callback(ALI, confirm.message_id, submit)
    (done,) = await ali._replies(1, 20)
    assert "is submitted" in done.text
    await world.fake.wait_for("answerCallbackQuery", count=answered + 2)
    alert = str(world.fake.requests("answerCallbackQuery")[-1].params.get("text", ""))
    assert "no longer active" in alert and "/apply" in alert and "/start" not in alert
    assert (await world.services.applications.mine(ALI)) is not None


async def test_funnel_names_its_university_and_admins_choose_one(world: World) -> None:
    """`/funnel comsats` from an admin showed the whole programme's figures under a caption that
    named no university. It shows COMSATS's (as the dashboard and `hecbot licences funnel
    --university` count them), the caption names whose funnel it is, and a focal person naming
    another university is refused."""
    database = world.services.database
    focal = 8120
    for user_id in (ADMIN, focal, *OTHERS):
        world.fake.add_user(user_id)
    await make_user(database, ADMIN, role=Role.ADMIN)
    await make_user(database, focal, role=Role.FOCAL_PERSON, university_id=1)
    current = await IntakeService(database).current()
    assert current is not None
    intake_id = current[0]
    for number, user_id in enumerate(OTHERS):
        university_id = 1 if number < 2 else 2  # two at QAU, four at COMSATS
        await make_user(database, user_id, university_id=university_id)
        await make_application(
            database,
            intake_id=intake_id,
            user_id=user_id,
            email=f"o{number}@uni.edu.pk",
            university_id=university_id,
            status=ApplicationStatus.SUBMITTED,
        )
    admin, qau_focal = Learner(world.fake, ADMIN), Learner(world.fake, focal)

    (everyone,) = await admin.says("/funnel")
    assert "of all universities" in everyone.caption and "6 applied" in everyone.caption
    (comsats,) = await admin.says("/funnel comsats")
    assert "of COMSATS" in comsats.caption and "4 applied" in comsats.caption
    dashboard = await world.services.funnel.funnel(as_of=pakistan_today(), university_id=2)
    assert dashboard.total.applied == 4 and dashboard.university == "COMSATS"
    (none,) = await admin.says("/funnel xyzzy")
    assert "could not find a university" in none.text

    (own,) = await qau_focal.says("/funnel")
    assert "of QAU" in own.caption and "2 applied" in own.caption
    (refused,) = await qau_focal.says("/funnel comsats")
    assert "COMSATS" not in (refused.text or "") and not refused.raw.get("photo")
