"""A focal person broadcasts a webinar to their university, end to end against the fake API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.services.audience import Audience
from bot.services.broadcast_drafts import PAKISTAN_TIME, BroadcastDraft, BroadcastInputError
from bot.services.permissions import Actor
from bot.services.universities import UniversityService
from bot.storage.models import Role
from bot.storage.types import utcnow
from tests.e2e.broadcast.harness import Harness, running_bot
from tests.fakebotapi import ChatStatus, FakeTelegram, RecordedRequest, UserFile

FOCAL = 500
ADMIN = 900
OWN = [1001, 1002, 1003]  # 1002 reads Urdu, 1003's account is gone
OTHER = 2001  # another university


@pytest.fixture
async def harness(settings) -> AsyncIterator[Harness]:
    async with FakeTelegram() as fake, running_bot(settings, fake) as running:
        await UniversityService(running.services.database).ensure_loaded()
        await running.add_person(FOCAL, role=Role.FOCAL_PERSON, university_id=1)
        await running.add_person(ADMIN, role=Role.ADMIN, university_id=None)
        await running.add_person(1001)
        await running.add_person(1002, language="ur")
        await running.add_person(1003)
        await running.add_person(OTHER, university_id=2)
        yield running


def pakistan(moment) -> str:
    return moment.astimezone(PAKISTAN_TIME).strftime("%Y-%m-%d %H:%M")


async def compose_webinar(h: Harness, starts_at) -> None:
    reply = await h.say(FOCAL, "/broadcast")
    assert "notice text" in reply.params["text"]
    reply = await h.say(FOCAL, "Orientation for new Coursera learners & alumni")
    assert "image or a PDF" in reply.params["text"]
    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    assert "webinar" in reply.params["text"]
    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Yes"))
    ask = await h.say(FOCAL, "Coursera orientation")
    # The example date is tomorrow's, computed, not one written into the text.
    tomorrow = (utcnow() + timedelta(days=1)).astimezone(PAKISTAN_TIME)
    assert f"{tomorrow:%Y-%m-%d} 15:00" in ask.params["text"]
    await h.say(FOCAL, pakistan(starts_at))
    await h.say(FOCAL, "60")
    reply = await h.say(FOCAL, "https://zoom.us/j/123456")
    assert "Urdu" in reply.params["text"]


async def test_focal_person_broadcasts_a_webinar_to_their_university_only(harness: Harness):
    h = harness
    h.fake.set_chat_status(1003, ChatStatus.NOT_FOUND)
    starts_at = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    await compose_webinar(h, starts_at)

    before = len(h.fake.requests("sendMessage"))
    h.fake.push_message(FOCAL, "کورسیرا تعارفی سیشن، تمام طلبہ مدعو ہیں")
    # The preview: the English and the Urdu notice, then the summary with the audience size.
    await h.fake.wait_for("sendMessage", count=before + 3)
    english, urdu, summary = (m.text or "" for m in h.fake.messages_to(FOCAL)[-3:])
    assert "Orientation for new Coursera learners & alumni" in english
    assert "https://zoom.us/j/123456" in english and "PKT" in english
    assert "کورسیرا" in urdu
    assert "Recipients: 3" in summary
    university = await UniversityService(h.services.database).get(1)
    assert university.name in summary and "university:1" not in summary  # names, not ids

    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Send now"))
    assert "Queued for <b>3</b> recipients" in reply.params["text"]

    await h.worker.run_until_idle()

    assert "Orientation for new Coursera learners" in h.texts_to(1001)[-1]
    assert "کورسیرا" in h.texts_to(1002)[-1]
    assert h.fake.messages_to(OTHER) == []
    # The chat that no longer exists failed without stopping the others; the sender's status
    # message became the final report, and a short notice followed as a reply to it: the
    # report itself arrives once.
    [report] = [text for text in h.texts_to(FOCAL) if "Delivery finished." in text]
    assert "2 of 3 delivered" in report and "Failed: 1" in report
    notice = h.fake.messages_to(FOCAL)[-1]
    assert "report is in the message above" in (notice.text or "")
    replied = notice.raw.get("reply_to_message") or {}
    assert "Delivery finished." in str(replied.get("text", ""))

    # A learner says they will attend and takes the calendar file.
    await h.press(1001, h.button(1001, "attend"))
    assert h.fake.requests("answerCallbackQuery")[-1].params["text"].startswith("Thank you")
    seen = len(h.fake.requests("sendDocument"))
    await h.press(1001, h.button(1001, "calendar"))
    ics = (await h.fake.wait_for("sendDocument", count=seen + 1))[-1]
    calendar = next(iter(ics.files.values())).data.decode()
    assert "BEGIN:VEVENT" in calendar
    assert f"DTSTART:{starts_at.strftime('%Y%m%dT%H%M%SZ')}" in calendar

    webinars = await h.say(FOCAL, "/webinars")
    assert "Coursera orientation" in webinars.params["text"]
    assert "RSVPs: <b>1</b>" in webinars.params["text"]
    national_view = await h.say(ADMIN, "/webinars")
    assert f"By university: {university.display_name('en')}: 1" in national_view.params["text"]

    # Time passes: a day before, then an hour before, the one who RSVPed is reminded.
    h.clock.elapsed = (
        starts_at - timedelta(hours=24) + timedelta(minutes=1) - h.clock.start
    ).total_seconds()
    await h.worker.run_until_idle()
    assert "Tomorrow" in h.texts_to(1001)[-1]
    assert "https://zoom.us/j/123456" in h.texts_to(1001)[-1]
    h.clock.elapsed = (
        starts_at - timedelta(hours=1) + timedelta(minutes=1) - h.clock.start
    ).total_seconds()
    await h.worker.run_until_idle()
    assert "In one hour" in h.texts_to(1001)[-1]
    reminders = [text for text in h.texts_to(1001) if "⏰" in text]
    assert len(reminders) == 2
    assert not any("⏰" in text for text in h.texts_to(1002))  # no RSVP, no reminder


async def test_an_admin_picks_a_university_by_part_of_its_name_or_its_number(harness: Harness):
    """The prompt pointed at a /universities command the bot does not have, and a name typed
    was "could not understand that audience": a name or a number now offers the matches."""
    h = harness
    await h.say(ADMIN, "/broadcast")
    reply = await h.press_and_reply(ADMIN, h.button(ADMIN, "university"))
    assert "/universities" not in reply.params["text"] and "name" in reply.params["text"]
    reply = await h.say(ADMIN, "zzqxw")
    assert "could not find a university" in reply.params["text"]
    reply = await h.say(ADMIN, "99999")
    assert "could not find a university" in reply.params["text"]
    other = await UniversityService(h.services.database).get(2)
    reply = await h.say(ADMIN, other.short_name or other.name)
    assert "Which university?" in reply.params["text"]
    reply = await h.press_and_reply(ADMIN, h.button(ADMIN, other.display_name("en")[:60]))
    assert "notice text" in reply.params["text"]
    await h.say(ADMIN, "Notice for the second university")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "Skip"))
    await h.press_and_reply(ADMIN, h.button(ADMIN, "No"))
    await h.press_and_reply(ADMIN, h.button(ADMIN, "Skip"))
    await h.fake.wait_for("sendMessage", lambda r: "Recipients" in r.params.get("text", ""))
    [summary_text] = [t for t in h.texts_to(ADMIN) if "Recipients" in t]
    assert "Recipients: 1" in summary_text and other.name in summary_text
    # By its number: the same university is offered.
    await h.say(ADMIN, "/broadcast")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "university"))
    reply = await h.say(ADMIN, "2")
    assert other.display_name("en")[:60] in str(reply.params["reply_markup"])


async def test_a_notice_nobody_would_receive_offers_no_send_button(harness: Harness):
    """A university with no learner on the bot yet: the preview said "Recipients: 0" and offered
    Send now; sent, it said "Queued for 0 recipients. This message will show the progress" and
    never reported (no delivery finishes). Now it says so and offers Cancel only."""
    h = harness
    empty = await UniversityService(h.services.database).get(3)
    await h.say(ADMIN, "/broadcast")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "university"))
    await h.say(ADMIN, "3")
    await h.press_and_reply(ADMIN, h.button(ADMIN, empty.display_name("en")[:60]))
    await h.say(ADMIN, "Notice for nobody")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "Skip"))
    await h.press_and_reply(ADMIN, h.button(ADMIN, "No"))
    told = await h.press_and_reply(ADMIN, h.button(ADMIN, "Skip"))
    assert "Nobody would receive this notice" in told.params["text"]
    assert empty.name in told.params["text"]
    assert "bcs:send" not in str(told.params.get("reply_markup"))
    reply = await h.press_and_reply(ADMIN, h.button(ADMIN, "Cancel"))
    assert "discarded" in reply.params["text"].lower() or "cancel" in reply.params["text"].lower()
    with pytest.raises(BroadcastInputError) as refused:
        await h.services.broadcasts.create(
            Actor(ADMIN, Role.ADMIN, None),
            BroadcastDraft(Audience(universities=frozenset({3})), text_en="Notice for nobody"),
        )
    assert refused.value.message_key == "broadcast-error-no-recipients"


async def test_a_learner_cannot_broadcast(harness: Harness):
    reply = await harness.say(1001, "/broadcast")
    assert "not allowed" in reply.params["text"]


async def test_a_forged_audience_callback_is_refused(harness: Harness):
    h = harness
    await h.say(FOCAL, "/broadcast")
    prompt = h.fake.last_message_to(FOCAL)
    assert prompt is not None
    # The focal person's client sends callback data it was never offered: another university.
    await h.press(FOCAL, "bca:university:2", message=prompt)
    answer = h.fake.requests("answerCallbackQuery")[-1]
    assert "not allowed" in answer.params["text"]
    # Nothing changed: the conversation is still at the text step of their own university.
    reply = await h.say(FOCAL, "Still my own university's notice")
    assert "image or a PDF" in reply.params["text"]


async def test_bad_webinar_input_is_explained_and_asked_again(harness: Harness):
    h = harness
    await h.say(FOCAL, "/broadcast")
    await h.say(FOCAL, "Career fair")
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Yes"))
    await h.say(FOCAL, "Career fair webinar")
    reply = await h.say(FOCAL, pakistan(utcnow() - timedelta(days=1)))
    assert "already passed" in reply.params["text"]
    reply = await h.say(FOCAL, "next friday")
    assert "could not read that time" in reply.params["text"]
    await h.say(FOCAL, pakistan(utcnow() + timedelta(days=2)))
    await h.say(FOCAL, "45")
    reply = await h.say(FOCAL, "zoom.us/j/1")
    assert "not a valid join link" in reply.params["text"]
    reply = await h.say(FOCAL, "http://zoom.us/j/1")
    assert "not a valid join link" in reply.params["text"]
    reply = await h.say(FOCAL, "https://zoom.us/j/1")
    assert "Urdu" in reply.params["text"]


async def test_an_empty_notice_and_a_long_caption_are_refused(harness: Harness):
    h = harness
    await h.say(FOCAL, "/broadcast")
    reply = await h.say(FOCAL, photo=b"\x89PNG fake image")
    assert "as a text message" in reply.params["text"]
    await h.say(FOCAL, "word " * 230)  # 1150 characters: fine as text, too long as a caption
    pdf = UserFile(b"%PDF-1.4 notice", "notice.pdf", "application/pdf")
    reply = await h.say(FOCAL, document=pdf)
    assert "webinar" in reply.params["text"]
    await h.press_and_reply(FOCAL, h.button(FOCAL, "No"))
    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    assert "1,149 characters" in reply.params["text"] and "1,024 at most" in reply.params["text"]
    assert h.fake.requests("sendDocument") == []
    # Only a shorter text is asked for: it goes straight to the preview, with the PDF.
    await h.fake.wait_for("sendMessage", lambda r: "shorter notice" in r.params.get("text", ""))
    preview = await h.say(FOCAL, "Career fair on Friday, all welcome.")
    assert preview.method == "sendDocument"
    assert "Career fair on Friday" in preview.params["caption"]


async def test_a_notice_too_long_with_its_webinar_asks_only_for_a_shorter_text(harness: Harness):
    """4,000 characters fit one message, not with the webinar's details added: the sender is
    told the length and the limit and sends a shorter text; the webinar, typed over five steps,
    and the Urdu version are kept (the steps once started again from the text)."""
    h = harness
    starts_at = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    await h.say(FOCAL, "/broadcast")
    await h.say(FOCAL, "Orientation. " + "x" * 4000)
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Yes"))
    await h.say(FOCAL, "Coursera orientation")
    await h.say(FOCAL, pakistan(starts_at))
    await h.say(FOCAL, "60")
    await h.say(FOCAL, "https://zoom.us/j/123456")
    refused = await h.say(FOCAL, "کورسیرا تعارفی سیشن")
    assert "4,096 at most" in refused.params["text"]
    await h.fake.wait_for("sendMessage", lambda r: "shorter notice" in r.params.get("text", ""))

    before = len(h.fake.requests("sendMessage"))
    english = await h.say(FOCAL, "Orientation for new Coursera learners")
    await h.fake.wait_for("sendMessage", count=before + 3)  # English, Urdu, the summary
    assert "Orientation for new Coursera learners" in english.params["text"]
    assert "https://zoom.us/j/123456" in english.params["text"]
    urdu, summary = (m.text or "" for m in h.fake.messages_to(FOCAL)[-2:])
    assert "کورسیرا" in urdu and "Recipients: 3" in summary
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Send now"))
    await h.worker.run_until_idle()
    assert "https://zoom.us/j/123456" in h.texts_to(1001)[-1]


async def test_a_scheduled_broadcast_can_be_cancelled_until_it_starts(harness: Harness):
    h = harness
    await h.say(FOCAL, "/broadcast")
    await h.say(FOCAL, "Exam week reminder")
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    await h.press_and_reply(FOCAL, h.button(FOCAL, "No"))
    before = len(h.fake.requests("sendMessage"))
    await h.press(FOCAL, h.button(FOCAL, "Skip"))
    await h.fake.wait_for("sendMessage", count=before + 2)
    reply = await h.press_and_reply(FOCAL, h.button(FOCAL, "Schedule"))
    assert "When should it go out" in reply.params["text"]
    reply = await h.say(FOCAL, pakistan(utcnow() + timedelta(hours=5)))
    assert "Scheduled for" in reply.params["text"]
    await h.worker.run_until_idle()
    assert h.fake.messages_to(1001) == []
    await h.press(FOCAL, h.button(FOCAL, "Cancel"))
    assert "cancelled" in h.fake.requests("answerCallbackQuery")[-1].params["text"]
    h.clock.advance(6 * 3600)
    await h.worker.run_until_idle()
    assert h.fake.messages_to(1001) == []


async def test_an_hec_admin_sends_an_urgent_notice_as_a_paid_broadcast(harness: Harness):
    h = harness
    await h.say(ADMIN, "/broadcast")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "Everyone"))
    await h.say(ADMIN, "Exam centres changed: check your email today")
    await h.press_and_reply(ADMIN, h.button(ADMIN, "Skip"))
    await h.press_and_reply(ADMIN, h.button(ADMIN, "No"))
    before = len(h.fake.requests("sendMessage"))
    await h.press(ADMIN, h.button(ADMIN, "Skip"))  # no Urdu text
    await h.fake.wait_for("sendMessage", count=before + 2)
    summary = h.texts_to(ADMIN)[-1]
    # The cost and the time at both rates, before anything is sent.
    assert "Telegram Stars" in summary and "urgent paid broadcast" in summary

    reply = await h.press_and_reply(ADMIN, h.button(ADMIN, "Urgent"))
    assert "Queued for" in reply.params["text"]
    await h.worker.run_until_idle()
    to_learners = [
        r for r in h.fake.requests("sendMessage") if r.ok and r.chat_id in {1001, 1002, 2001}
    ]
    assert to_learners and all(r.params.get("allow_paid_broadcast") for r in to_learners)


async def test_a_focal_person_is_not_offered_a_paid_broadcast(harness: Harness):
    h = harness
    starts_at = (utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    await compose_webinar(h, starts_at)
    before = len(h.fake.requests("sendMessage"))
    h.fake.push_message(FOCAL, "کورسیرا تعارفی سیشن")
    await h.fake.wait_for("sendMessage", count=before + 3)
    summary = h.fake.messages_to(FOCAL)[-1]
    assert "Telegram Stars" in (summary.text or "")  # the estimate is shown to everyone
    assert "Urgent" not in str(summary.reply_markup)  # but only HEC admins may pay


async def test_a_notice_whose_file_went_missing_is_sent_without_it_when_skipped(harness: Harness):
    """The PDF vanished from the server before the preview: the steps start again from the
    text, and pressing Skip at the file step and No at the webinar step means no file and no
    webinar (the draft once kept the missing file, and the preview refused it again forever,
    and kept the webinar of the first pass)."""
    h = harness
    await h.say(FOCAL, "/broadcast")
    await h.say(FOCAL, "Exam week reminder")
    pdf = UserFile(b"%PDF-1.4 notice", "notice.pdf", "application/pdf")
    await h.say(FOCAL, document=pdf)
    files_dir = h.services.broadcasts.files_dir  # the container's, under the settings' data dir
    assert files_dir is not None
    for path in files_dir.iterdir():
        path.unlink()
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Yes"))
    await h.say(FOCAL, "Exam week Q&A")
    await h.say(FOCAL, pakistan(utcnow() + timedelta(days=2)))
    await h.say(FOCAL, "45")
    await h.say(FOCAL, "https://zoom.us/j/987")

    def asks_for_the_text(request: RecordedRequest) -> bool:
        return "notice text" in request.params.get("text", "")

    # /broadcast's first prompt asked for the text too: wait for one more such prompt, or a
    # late one under load would be taken as the reply to the next step.
    asked_before = len([r for r in h.fake.requests("sendMessage") if asks_for_the_text(r)])
    refused = await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    assert "file" in refused.params["text"].lower()
    await h.fake.wait_for("sendMessage", asks_for_the_text, count=asked_before + 1)

    await h.say(FOCAL, "Exam week reminder, no file")
    await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    await h.press_and_reply(FOCAL, h.button(FOCAL, "No"))
    preview = await h.press_and_reply(FOCAL, h.button(FOCAL, "Skip"))
    assert preview.method == "sendMessage"
    assert "Exam week reminder, no file" in preview.params["text"]
    assert "zoom.us/j/987" not in preview.params["text"]  # No: not a webinar any more
