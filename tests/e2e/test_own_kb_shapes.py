"""An operator's own knowledge base shaped unlike the others: a university's e-learning
helpdesk whose rules sit in sub-folders (`accounts/`, `exams/`), with an Urdu version in
`ur/accounts/` naming its rule by that path, an HTML page with nested headings, a sub-list and a
table with a header row, a DOCX with a table in the middle of a section, a plain-text FAQ
written "Q: ... A: ..." and a redirect document of another name (`out-of-scope.md`) one of
whose topics says nowhere to go. Built here, in a temp dir, and indexed with
`hecbot kb index PATH --as NAME`, as an operator does.
"""

from __future__ import annotations

from pathlib import Path

import docx

from bot.i18n import Catalogue
from bot.telegram.container import AppServices
from tests.e2e.harness import (
    Learner,
    first_source,
    hecbot_ask,
    own_kb_fixtures,
    running_bot,
    stored_questions,
)
from tests.fakebotapi import FakeTelegram

ACCOUNTS = "NHU eLearn Helpdesk — LMS accounts"
EXAMS = "Online exams on eLearn"
RECORDINGS = "Lecture recordings and devices"
SOURCES = {
    "accounts/lms-accounts.md",
    "ur/accounts/lms-accounts.md",
    "exams/online-exams.html",
    "recordings-and-devices.docx",
    "faq.txt",
    "out-of-scope.md",
}
CATALOGUE = Catalogue.load()

ACCOUNTS_MD = f"""---
title: {ACCOUNTS}
effective_date: 2026-02-01
---

# LMS accounts

## Getting your account

Every student enrolled at Northern Hills University gets an account on eLearn within 3 working
days of fee confirmation. The username is the student's registration number.

### Activating the account

To activate your eLearn account:

1. Open elearn.nhu.example.pk and choose "First login".
2. Enter your registration number and the date of birth on your CNIC.
3. Type the one-time code sent to your university email address.

## Forgotten passwords

A forgotten password is reset through the "Forgot password" link on the login page. After 5
wrong passwords in a row the account is locked for 30 minutes.
"""

ACCOUNTS_UR = f"""---
title: ایل ایم ایس اکاؤنٹس | {ACCOUNTS}
kind: translation
translates: accounts/lms-accounts.md
language: ur
---

# ایل ایم ایس اکاؤنٹس | LMS accounts

## اکاؤنٹ حاصل کرنا | Getting your account

### اکاؤنٹ فعال کرنا | Activating the account

اپنا ای لرن اکاؤنٹ فعال کرنے کے لیے:
1. elearn.nhu.example.pk کھولیں اور "First login" منتخب کریں۔
2. اپنا رجسٹریشن نمبر اور شناختی کارڈ پر درج تاریخ پیدائش لکھیں۔
3. اپنے یونیورسٹی ای میل پر بھیجا گیا ون ٹائم کوڈ لکھیں۔
"""

EXAMS_HTML = f"""<!doctype html>
<html><head><title>Online exams | NHU eLearn Helpdesk</title></head><body>
<nav><ul><li><a href="/accounts">Accounts</a></li></ul></nav>
<main>
<h1>{EXAMS}</h1>
<h2>Before the exam</h2>
<h3>Device check</h3>
<p>Every student must pass the device check on eLearn at least 24 hours before their first
online exam.</p>
<h3>Exam timetable</h3>
<p>Online exams follow this timetable each term:</p>
<table>
<thead><tr><th>Exam</th><th>Window</th><th>Duration</th></tr></thead>
<tbody>
<tr><td>Midterm quiz</td><td>Week 8, Monday to Wednesday</td><td>45 minutes</td></tr>
<tr><td>Final exam</td><td>Week 16, Monday to Friday</td><td>2 hours</td></tr>
</tbody>
</table>
<h2>During the exam</h2>
<p>Keep your webcam on for the whole exam.</p>
<ul>
<li>If your internet drops:
  <ul>
  <li>rejoin within 10 minutes and the exam resumes where it stopped;</li>
  <li>after 10 minutes, email exams@nhu.example.pk with a screenshot.</li>
  </ul>
</li>
</ul>
</main>
</body></html>
"""

FAQ_TXT = """eLearn Helpdesk: frequently asked questions

Q: How do I contact the helpdesk?
A: Email elearn-help@nhu.example.pk or call 051-9876543, Monday to Friday, 9 am to 4 pm.

Q: Can I take an online exam on my phone?
A: No. Online exams need a laptop or desktop computer with a webcam.
"""

OUT_OF_SCOPE_MD = """---
title: What the eLearn Helpdesk does not handle
kind: redirect
---

# What the eLearn Helpdesk does not handle

## Fee payments

Where to go: fee challans are handled by the NHU Accounts Office, accounts@nhu.example.pk.

Asked as: fee challan; fee payment; fees; فیس

## Campus Wi-Fi

Asked as: wifi; wi-fi; campus internet; وائی فائی
"""


def build_recordings(target: Path) -> None:
    """A DOCX whose table sits in the middle of its first section, as Word users write one."""
    document = docx.Document()
    document.add_paragraph(RECORDINGS, style="Title")
    document.add_paragraph("Lecture recordings", style="Heading 1")
    document.add_paragraph("Every live class on eLearn is recorded.")
    document.add_paragraph("How long recordings are kept", style="Heading 2")
    document.add_paragraph("Recordings are kept for these periods:")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate((("Live class", "120 days"), ("Lab demonstration", "1 year"))):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.add_paragraph("Borrowing a laptop", style="Heading 1")
    document.add_paragraph("Students may borrow a laptop from IT Services for up to 14 days.")
    document.core_properties.title = RECORDINGS
    document.save(str(target))


def build_helpdesk(root: Path) -> Path:
    for relative, text in (
        ("accounts/lms-accounts.md", ACCOUNTS_MD),
        ("ur/accounts/lms-accounts.md", ACCOUNTS_UR),
        ("exams/online-exams.html", EXAMS_HTML),
        ("faq.txt", FAQ_TXT),
        ("out-of-scope.md", OUT_OF_SCOPE_MD),
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    build_recordings(root / "recordings-and-devices.docx")
    return root


own_kb_data_dir, answering_engine = own_kb_fixtures("elearn", SOURCES, build_helpdesk)


async def test_a_learner_reads_tables_sub_lists_nested_sections_and_the_faq_as_written(
    fake_telegram: FakeTelegram, services: AppServices
):
    learner = Learner(fake_telegram, user_id=5_000_000_701, language_code="en")
    async with running_bot(fake_telegram, services):
        await learner.onboards()

        # An HTML table with a header row: the row is read with its columns' names, and the
        # nested section is cited "title › section › subsection".
        (final,) = await learner.says("How long is the final exam?")
        assert "Final exam: Window: Week 16, Monday to Friday; Duration: 2 hours" in final.text
        assert first_source(final) == f"{EXAMS} › Before the exam › Exam timetable"
        (full,) = await learner.presses(final, "Show the full rule", replies=1)
        assert "Midterm quiz" in full.text and "45 minutes" in full.text

        # A sub-list's item keeps its own words ("If your internet drops:").
        (drops,) = await learner.says("What happens if my internet drops during the exam?")
        assert "If your internet drops" in drops.text and "10 minutes" in drops.text
        assert first_source(drops) == f"{EXAMS} › During the exam"

        # A DOCX table stays in the section it is written in.
        (kept,) = await learner.says("How long is a live class recording kept?")
        assert "120 days" in kept.text
        assert (
            first_source(kept)
            == f"{RECORDINGS} › Lecture recordings › How long recordings are kept"
        )

        # A plain-text FAQ: each question line heads its answer, which is what the learner
        # reads, not the question read back, nor the next question's answer.
        (desk,) = await learner.says("How do I contact the helpdesk?")
        assert desk.text.startswith("Email elearn-help@nhu.example.pk"), desk.text
        assert "webcam" not in desk.text
        assert first_source(desk) == (
            "eLearn Helpdesk: frequently asked questions › How do I contact the helpdesk?"
        )

        # A topic listed without "Where to go": not an empty pointer, but the people who run
        # the programme, and the button to reach one.
        (wifi,) = await learner.says("The campus wifi is not working")
        assert wifi.text.startswith(
            "This is not covered by the programme's rules. Please ask the people who run"
        ), wifi.text
        assert CATALOGUE.text("en", "ticket-button-escalate") in str(wifi.reply_markup)

        # Urdu script: the Urdu version in ur/accounts/ names its rule by its sub-folder path.
        (activate,) = await learner.says("ای لرن اکاؤنٹ کیسے فعال کروں؟")
        assert "ون ٹائم کوڈ" in activate.text, activate.text
        assert first_source(activate).startswith(f"{ACCOUNTS} › ")

    stored = await stored_questions(services)
    assert [q.abstained for q in stored] == [False, False, False, False, True, False]
    assert {c["source"] for q in stored for c in q.citations} <= SOURCES


def test_hecbot_ask_reads_the_urdu_lead_of_a_redirect_without_an_urdu_version(
    own_kb_data_dir: Path,
) -> None:
    questions = ["فیس کہاں جمع کراؤں؟", "وائی فائی نہیں چل رہا"]
    fee, wifi = hecbot_ask(own_kb_data_dir, questions)
    for answer in (fee, wifi):
        assert answer["redirect"] and answer["citations"][0]["source"] == "out-of-scope.md"
        assert answer["answer"].startswith("یہ سوال پروگرام کے قواعد میں شامل نہیں۔ ")
    assert "NHU Accounts Office" in fee["answer"]
    assert "پروگرام چلانے والوں سے پوچھیں" in wifi["answer"]
