"""An operator's knowledge base of yet another shape (`outside8`): one long learner handbook
(BOM, CRLF, numbered chapters in ALL CAPS and sections in Title Case, the same heading in
several chapters, bullet-only and table-only sections, emoji and Urdu inside English, links and
email addresses, a paragraph longer than a passage, a section longer than a Telegram message),
its Urdu version naming sections of the same heading by their chapter, an Urdu version of one
section named in its front matter, an HTML page whose table's header row is bold cells, a page
from a site builder with its words in <div>s (no <p>), a DOCX whose table's header row is bold,
a PDF printed without bookmarks or title, a notice saved by Notepad as "Unicode" (UTF-16) and a
redirect file of its own with a topic that says nowhere to go. Built here and indexed with
`hecbot kb index PATH --as NAME`, then asked through `hecbot ask --json` and the real bot on the
fake Bot API.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate

from bot.i18n import Catalogue
from bot.telegram.container import AppServices
from tests.e2e.harness import (
    Learner,
    first_source,
    hecbot,
    hecbot_ask,
    own_kb_fixtures,
    running_bot,
    stored_questions,
)
from tests.fakebotapi import FakeTelegram

# Each test runs `hecbot` as an operator does, in subprocesses that load the model (the edits
# test runs six): 30 s on a quiet machine, over pytest's 120 s default in a full run at load 10
# (2026-12-06). The watchdog still ends a real hang at 300 s.
pytestmark = pytest.mark.timeout(240)

CATALOGUE = Catalogue.load()
HANDBOOK_TITLE = "Indus Digital Learning Programme — Learner Handbook 2027"
SOURCES = {
    "handbook.md",
    "ur/handbook.md",
    "ur/certificates.md",
    "exam-centres.html",
    "stipend.htm",
    "notices/ramazan-timings.txt",
    "fee-and-laptop-rules.pdf",
    "mentors.docx",
    "not-ours.md",
}

LONG_CONDUCT = (
    "Every learner in the Indus Digital Learning Programme agrees to treat mentors, staff and "
    "other learners with respect in every channel the programme runs, including live classes, "
    "discussion forums, WhatsApp groups and email, and this applies whether the message is "
    "public or private, written in English or Urdu, and sent during class hours or late at "
    "night; harassment of any kind, including repeated unwanted messages, sharing another "
    "learner's photo or phone number without consent, mocking someone's accent or spelling, "
    "and posting sexual, sectarian or political content in programme groups, is a breach of "
    "this code and is reported to the Conduct Committee, which may issue a written warning "
    "for a first breach, suspend the learner for up to 30 days for a second breach, and "
    "remove the learner from the programme for a third breach or for any single serious "
    "breach such as threats of violence, in which case the learner's seat is given to the "
    "next person on the waiting list and the registration fee is not refunded. Learners who "
    "see a breach should report it within 7 days to conduct@idlp.example.pk so the committee "
    "can act while the messages are still available."
)

# A section longer than one Telegram message (4096 characters): "Show the full rule" of it.
HEARING_STEPS = (
    "The Conduct Committee writes to the learner at the email address on the portal, naming"
    " the breach reported, the messages or work it concerns and the date of the hearing, at"
    " least 7 days before the hearing",
    "The learner may send a written statement and any screenshots or documents to"
    " conduct@idlp.example.pk up to 2 days before the hearing; anything sent later is read only"
    " if the committee agrees",
    "The hearing is held on Zoom with at least three committee members, one of whom is a"
    " mentor from another course and one of whom is a woman, and it is recorded",
    "The learner may bring one person to the hearing, a parent, a guardian or a teacher, who"
    " may speak for the learner only if the chair allows it",
    "The committee decides within 5 working days of the hearing and writes to the learner with"
    " its decision, the reasons for it and the penalty, if any",
    "A learner who does not attend the hearing without a reason sent beforehand is heard in"
    " their absence, and the decision is made on the written record",
)
HEARINGS = "\n\n".join(
    f"Step {number} of the hearing. {step}, as rule 8.4.{number} of this handbook requires."
    f" The committee keeps a note of step {number} in the learner's file, and the learner may"
    f" ask for a copy of the note on step {number} at any time by writing to the committee."
    for number, step in enumerate(HEARING_STEPS * 2, start=1)
)

HANDBOOK = f"""# Indus Digital Learning Programme — Learner Handbook 2027

Effective date: 2027-01-15

This handbook is for every learner of the Indus Digital Learning Programme (IDLP). 📘
یہ ہینڈ بک آئی ڈی ایل پی کے ہر طالب علم کے لیے ہے۔

## 1. ABOUT THE PROGRAMME

### 1.1 What IDLP Offers

IDLP gives young people in Sindh free online courses in freelancing, web development, digital marketing and data analysis. Each course runs for 12 weeks with a live class every Saturday. 🎓 Courses are taught in Urdu and English, and the full catalogue is at https://idlp.example.pk/courses.

### 1.2 Who Runs It

IDLP is run by the Sindh Skills Authority with partner universities in Karachi, Hyderabad, Sukkur and Larkana.

### 1.3 CONTACT US

- Email: help@idlp.example.pk
- WhatsApp: 0300-1234567 (text only, no calls)
- Phone: 021-111-435-700, Monday to Friday, 10 am to 5 pm
- Office: IDLP Secretariat, 4th floor, Sindh Skills Authority, Clifton, Karachi

## 2. JOINING

### 2.1 Eligibility

- You must be a resident of Sindh with a valid CNIC or B-Form.
- You must be between 18 and 35 years old on the closing date.
- You must have passed intermediate (FA, FSc, ICS or A levels) or equivalent.
- You may join only one IDLP course per batch.

### 2.2 How To Register

1. Create an account at https://idlp.example.pk/register with your CNIC number.
2. Fill in the application form and upload your documents.
3. Pay the Rs 500 registration fee within 5 days.
4. Take the online aptitude test when the invitation email arrives.

### 2.3 Documents You Need

Upload a scan of your CNIC or B-Form, your intermediate mark sheet and a recent photograph. A domicile certificate is not required.

### 2.4 DEADLINES

Registration for the spring batch closes on 28 February. Registration for the autumn batch closes on 31 August. Late applications are not accepted.

## 3. FEES AND REFUNDS

### 3.1 Course Fee

All IDLP courses are free. The only payment is a Rs 500 registration fee, paid once per batch.

### 3.2 Refunds

The registration fee is refunded in full if you withdraw before the first live class. After the first live class the registration fee is not refunded. Refunds reach your account within 30 days.

### 3.3 Payment Methods

| Method | Where | Fee reaches IDLP |
|---|---|---|
| JazzCash | Mobile app, shop or agent | Same day |
| Easypaisa | Mobile app or shop | Same day |
| Bank challan | Any Sindh Bank branch | 3 working days |

## 4. CLASSES AND ATTENDANCE

### 4.1 Class Schedule

Live classes are held every Saturday from 11 am to 1 pm on Zoom. Recordings are posted on the learning portal within 24 hours.

### 4.2 Attendance

You must attend at least 75% of live classes to receive a certificate. Watching a recording does not count as attendance.

### 4.3 Deadlines

Weekly assignments are due every Sunday at 11:59 pm. A late assignment loses 10% of its marks for each day it is late, and it is not accepted after 3 days.

### 4.4 Leave Of Absence

You may pause your course once, for up to 4 weeks, for illness, exams or a family emergency. Email help@idlp.example.pk with the reason before your leave starts.

## 5. ASSESSMENT

### 5.1 Quizzes

Each module ends with a quiz of 10 questions. You have 2 attempts and the higher score counts.

### 5.2 Final Project

In week 12 you submit a final project that a mentor grades. The final project is 40% of your final mark.

### 5.3 Grading Scale

| Marks | Grade |
|---|---|
| 85 and above | Distinction |
| 70 to 84 | Merit |
| 50 to 69 | Pass |
| Below 50 | Fail |

### 5.4 Re-Sits

If you fail the final project you may resubmit it once within 14 days. A resubmitted project can earn at most a Pass.

## 6. SCHOLARSHIPS

### 6.1 Eligibility

Learners whose family income is below Rs 60,000 a month may apply for a laptop scholarship. Women and learners with disabilities are given priority.

### 6.2 How To Apply

Apply through the Scholarships tab of your portal account and upload a salary slip or income certificate of your parent or guardian.

### 6.3 Deadlines

Scholarship applications close on 15 March for the spring batch and on 15 September for the autumn batch.

## 7. CERTIFICATES

### 7.1 Getting Your Certificate

Learners who pass their course and meet the attendance requirement receive a digital certificate by email within 21 days of the final result. Printed certificates are given at the closing ceremony in each city.

### 7.2 Lost Certificates

A digital certificate can be downloaded again at any time from your portal account. A duplicate printed certificate costs Rs 1,000.

### 7.3 Name Corrections

To correct the spelling of your name on a certificate, email a scan of your CNIC to certificates@idlp.example.pk. A corrected certificate is issued within 10 working days.

## 8. CONDUCT

### 8.1 Code Of Conduct

{LONG_CONDUCT}

### 8.2 Plagiarism

Copying another learner's assignment or submitting work written by someone else gives zero marks for that assignment. A second case of plagiarism removes you from the course.

### 8.3 Complaints

Complaints about a mentor or about IDLP staff go to complaints@idlp.example.pk. Every complaint gets a reference number within 2 working days.

### 8.4 Disciplinary Hearings

{HEARINGS}

## 9. TECHNICAL HELP

### 9.1 Low Bandwidth

- 📶 Download recordings at 360p from the portal when your internet is slow.
- 📱 Turn off your video in live classes to save data.
- 🔇 Join by phone audio if Zoom keeps disconnecting.

### 9.2 Mobile App

The IDLP app for Android is on the Google Play Store. There is no iPhone app; iPhone users use the portal in Safari.

### 9.3 Password Reset

Reset your portal password with the "Forgot password" link. The reset link is sent to your registered email and expires after 1 hour.

## 10. PRIVACY

### 10.1 What We Keep

IDLP keeps your name, CNIC number, contact details, marks and attendance for 3 years after your batch ends.

### 10.2 Deleting Your Data

To have your data deleted, email privacy@idlp.example.pk. Your data is deleted within 30 days, but your certificate record is kept so that employers can verify it.
"""

HANDBOOK_UR = """---
title: لرنر ہینڈ بک | Indus Digital Learning Programme — Learner Handbook 2027
kind: translation
translates: handbook.md
language: ur
---

# انڈس ڈیجیٹل لرننگ پروگرام — لرنر ہینڈ بک | Indus Digital Learning Programme — Learner Handbook 2027

## فیس اور رقم کی واپسی | 3. FEES AND REFUNDS

### رقم کی واپسی | 3.2 Refunds

اگر آپ پہلی لائیو کلاس سے پہلے دستبردار ہو جائیں تو رجسٹریشن فیس پوری واپس کی جاتی ہے۔
پہلی لائیو کلاس کے بعد رجسٹریشن فیس واپس نہیں کی جاتی۔
رقم 30 دن کے اندر آپ کے اکاؤنٹ میں پہنچ جاتی ہے۔

## وظائف | 6. SCHOLARSHIPS

### اہلیت | 6.1 Eligibility

جن طلبہ کی خاندانی آمدنی 60,000 روپے ماہانہ سے کم ہو وہ لیپ ٹاپ وظیفے کے لیے درخواست دے سکتے ہیں۔
خواتین اور معذور طلبہ کو ترجیح دی جاتی ہے۔

## جوائننگ | 2. JOINING

### اہلیت | 2.1 Eligibility

- آپ سندھ کے رہائشی ہوں اور آپ کے پاس درست شناختی کارڈ یا ب فارم ہو۔
- اختتامی تاریخ پر آپ کی عمر 18 سے 35 سال کے درمیان ہو۔
- آپ نے انٹرمیڈیٹ (ایف اے، ایف ایس سی، آئی سی ایس یا اے لیول) یا اس کے مساوی پاس کیا ہو۔
- آپ ایک بیچ میں آئی ڈی ایل پی کا صرف ایک کورس کر سکتے ہیں۔

## تکنیکی مدد | 9. TECHNICAL HELP

### پاس ورڈ ری سیٹ | 9.3 Password Reset

اپنا پورٹل پاس ورڈ "Forgot password" لنک سے ری سیٹ کریں۔
ری سیٹ لنک آپ کے رجسٹرڈ ای میل پر بھیجا جاتا ہے اور 1 گھنٹے بعد ختم ہو جاتا ہے۔
"""

# An Urdu version of one section, named in the front matter by its own heading.
CERTIFICATE_UR = """---
kind: translation
translates: handbook.md
section: 7.1 Getting Your Certificate
language: ur
---

# سرٹیفکیٹ حاصل کرنا

جو طلبہ اپنا کورس پاس کریں اور حاضری کی شرط پوری کریں انہیں حتمی نتیجے کے 21 دن کے اندر ای میل پر ڈیجیٹل سرٹیفکیٹ ملتا ہے۔
چھپے ہوئے سرٹیفکیٹ ہر شہر میں اختتامی تقریب میں دیے جاتے ہیں۔
"""

EXAM_CENTRES_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Exam centres – IDLP</title></head>
<body>
<div id="header"><a href="/">IDLP home</a> | <a href="/courses">Courses</a></div>
<div class="content">
<h1>🏫 Exam Centres and Timings</h1>
<p><strong>Last updated:</strong> 10 January 2027</p>
<h2>WHERE TO SIT THE FINAL TEST</h2>
<p>The final test of every course is taken in person at an IDLP exam centre.<br>
Bring your original CNIC and your admit card.<br>
Mobile phones are not allowed in the exam hall.</p>
<table border="1">
<tr><td><b>City</b></td><td><b>Centre</b></td><td><b>Reporting time</b></td></tr>
<tr><td>Karachi</td><td>NED University, Main Auditorium</td><td>9:00 am</td></tr>
<tr><td>Hyderabad</td><td>Mehran University, Jamshoro</td><td>9:30 am</td></tr>
<tr><td>Sukkur</td><td>IBA Sukkur, Block C</td><td>10:00 am</td></tr>
</table>
<h2>Admit Cards</h2>
<p>Admit cards are emailed 7 days before the test. If yours has not arrived 3 days before the
test, write to <a href="mailto:exams@idlp.example.pk">exams@idlp.example.pk</a>.</p>
<h2>Missed The Test?</h2>
<p>A learner who misses the final test for a medical reason may sit it in the next batch's
test, with a medical certificate sent within 7 days of the missed test.</p>
</div>
<div id="footer">© 2027 Sindh Skills Authority</div>
</body></html>
"""

# A page from a site builder: words in <div>s and straight after headings, no <p>.
STIPEND_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Stipend policy</title>
<style>h2 { color: green; }</style></head>
<body class="page has-navbar">
<div class="top-menu"><a href="/">Home</a> | <a href="/stipend">Stipend</a></div>
<h1>Monthly Stipend Policy</h1>
<div class="block"><h2>Who Gets A Stipend</h2>
<div>Learners in the top 10% of each batch after week 6 receive a monthly stipend of
<b>Rs 5,000</b> for the rest of the course.</div></div>
<div class="block"><h2>How The Stipend Is Paid</h2>
<div>The stipend is paid through JazzCash to the mobile number registered on your CNIC, in the
first week of each month.</div></div>
<h2>Losing The Stipend</h2>
The stipend stops if your attendance falls below 75% or if you are found guilty of
plagiarism.
<div class="site-footer">© 2027 Sindh Skills Authority</div>
</body></html>
"""

UTF16_NOTICE = """Ramazan class timings

During Ramazan, live classes are held from 10 am to 11:30 am instead of 11 am to 1 pm.
Assignment deadlines do not change during Ramazan.
"""

NOT_OURS = """---
title: What IDLP does not handle
kind: redirect
---

# What IDLP does not handle

## Hostel and accommodation

Where to go: IDLP is an online programme and has no hostels. Ask the partner university's hostel office.

Asked as: hostel; accommodation; room; rehaish; ہاسٹل; رہائش

## Job placement

Where to go: job placement is handled by the Sindh Employment Exchange, jobs.sindh.example.pk.

Asked as: job; placement; naukri; employment; نوکری; ملازمت

## Transport

Asked as: bus; transport; pick and drop; van; ٹرانسپورٹ
"""

PDF_BLOCKS = (
    ("h1", "IDLP Fee and Laptop Rules"),
    ("h2", "1. Laptop loans"),
    (
        "p",
        "Learners without a computer may borrow an IDLP laptop for the length of their course."
        " A security cheque of Rs 20,000 is required and is returned when the laptop comes back"
        " undamaged.",
    ),
    ("h2", "2. Damaged laptops"),
    (
        "p",
        "A learner who damages a borrowed laptop pays for the repair. A lost laptop is charged"
        " at Rs 45,000.",
    ),
    ("h2", "3. Internet packages"),
    (
        "p",
        "Scholarship holders receive a free 20 GB mobile internet package each month during the"
        " course.",
    ),
)


def build_pdf_without_bookmarks(target: Path) -> None:
    """A PDF as "Save as PDF" makes one: headings are only bigger text, no outline, no title."""
    sheet = getSampleStyleSheet()
    styles = {"h1": sheet["Heading1"], "h2": sheet["Heading2"], "p": sheet["BodyText"]}
    story = [Paragraph(text, styles[kind]) for kind, text in PDF_BLOCKS]
    SimpleDocTemplate(str(target), invariant=True).build(story)


def build_mentors_docx(target: Path) -> None:
    """A DOCX whose table's header row is bold, as Word users mark one."""
    document = docx.Document()
    document.add_paragraph("Mentors and Office Hours", style="Title")
    document.add_paragraph("OFFICE HOURS", style="Heading 1")
    document.add_paragraph("Mentors answer questions in these weekly office hours on Zoom:")
    rows = (
        ("Course", "Mentor", "Office hours"),
        ("Web development", "Sana Baloch", "Tuesday 7 pm to 8 pm"),
        ("Digital marketing", "Imran Qureshi", "Wednesday 6 pm to 7 pm"),
        ("Data analysis", "Farah Memon", "Thursday 8 pm to 9 pm"),
    )
    table = document.add_table(rows=len(rows), cols=3)
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.cell(row, column).paragraphs[0].add_run(text).bold = row == 0
    document.add_paragraph("Changing Your Mentor", style="Heading 1")
    document.add_paragraph(
        "A learner may ask to change mentor once per course by writing to help@idlp.example.pk."
    )
    document.save(str(target))


def build_handbook_kb(root: Path) -> Path:
    def write(relative: str, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace("\n", newline).encode(encoding))

    # Windows Notepad: UTF-8 with a BOM and CRLF line endings; its "Unicode" is UTF-16 LE.
    write("handbook.md", HANDBOOK, encoding="utf-8-sig", newline="\r\n")
    write("ur/handbook.md", HANDBOOK_UR)
    write("ur/certificates.md", CERTIFICATE_UR)
    write("exam-centres.html", EXAM_CENTRES_HTML, newline="\r\n")
    write("stipend.htm", STIPEND_HTML)
    write("notices/ramazan-timings.txt", UTF16_NOTICE, encoding="utf-16", newline="\r\n")
    write("not-ours.md", NOT_OURS)
    build_pdf_without_bookmarks(root / "fee-and-laptop-rules.pdf")
    build_mentors_docx(root / "mentors.docx")
    return root


own_kb_data_dir, answering_engine = own_kb_fixtures("idlp", SOURCES, build_handbook_kb)


EXAMS = "🏫 Exam Centres and Timings"
TELEGRAM_TEXT_LIMIT = 4096


async def test_a_learner_reads_the_handbook_its_tables_notices_and_long_rules(
    fake_telegram: FakeTelegram, services: AppServices
) -> None:
    learner = Learner(fake_telegram, user_id=5_000_000_801, language_code="en")
    async with running_bot(fake_telegram, services):
        await learner.onboards()

        # A table-only section of the handbook (BOM, CRLF): the row with its columns' names,
        # cited by the chapter and section as numbered and written (ALL CAPS, Title Case).
        (challan,) = await learner.says("How long does a bank challan payment take?")
        assert "Bank challan: Where: Any Sindh Bank branch; Fee reaches IDLP: 3 working days" in (
            challan.text
        )
        assert (
            first_source(challan) == f"{HANDBOOK_TITLE} › 3. FEES AND REFUNDS › 3.3 Payment Methods"
        )

        # An HTML table whose header row is bold cells, not <th>: read with its columns.
        (karachi,) = await learner.says("What time should I report for the test in Karachi?")
        assert "Karachi: Centre: NED University, Main Auditorium; Reporting time: 9:00 am" in (
            karachi.text
        )
        assert "City | Centre" not in karachi.text
        assert first_source(karachi) == f"{EXAMS} › WHERE TO SIT THE FINAL TEST"

        # A link followed by a full stop keeps it ("exams@... ." was "exams@...." with a gap).
        (admit,) = await learner.says("What if my admit card has not arrived?")
        assert "write to exams@idlp.example.pk. [1]" in admit.text, admit.text

        # A notice saved by Notepad as "Unicode" (UTF-16) is indexed and answers.
        (ramazan,) = await learner.says("What are the class timings in Ramazan?")
        assert "10 am to 11:30 am" in ramazan.text
        assert first_source(ramazan) == "Ramazan class timings"

        # A PDF printed without bookmarks or a title: its first line is the title, never
        # ReportLab's "(anonymous)".
        (laptop,) = await learner.says("What if I lose the laptop?")
        assert "Rs 45,000" in laptop.text
        assert first_source(laptop) == "IDLP Fee and Laptop Rules › 2. Damaged laptops"

        # A DOCX table whose header row is bold: the row with its columns' names.
        (mentor,) = await learner.says("Who is the mentor for data analysis?")
        assert "Data analysis: Mentor: Farah Memon; Office hours: Thursday 8 pm to 9 pm" in (
            mentor.text
        )

        # A paragraph longer than a passage is split after a clause's mark, never before it:
        # no answer opens with the "; " of the clause before.
        (breach,) = await learner.says("What happens on a third breach of the code of conduct?")
        assert not breach.text.lstrip().startswith((";", ".", ",")), breach.text
        assert "late at night. ;" not in breach.text

        # A section longer than one message: "Show the full rule" sends all of it, in messages
        # Telegram accepts (the fake refuses any over 4096 characters or with broken HTML).
        (father,) = await learner.says("Can I bring my father to the disciplinary hearing?")
        assert "bring one person to the hearing" in father.text
        parts = await learner.presses(father, "Show the full rule", replies=2)
        assert all(len(part.text or "") <= TELEGRAM_TEXT_LIMIT for part in parts)
        whole = "\n".join(part.text or "" for part in parts)
        for number in range(1, 2 * len(HEARING_STEPS) + 1):
            assert f"Step {number} of the hearing." in whole
        hearings = f"{HANDBOOK_TITLE} › 8. CONDUCT › 8.4 Disciplinary Hearings"
        assert (parts[0].text or "").startswith(hearings)
        # The second message names the rule it continues (it had no heading).
        assert (parts[1].text or "").startswith(f"{hearings} (continued)\n"), parts[1].text

        # The operator's own redirect file: where to go, and a topic that says nowhere.
        (hostel,) = await learner.says("Can I get a hostel room?")
        assert hostel.text.startswith("This is not covered by the programme's rules. IDLP is")
        (bus,) = await learner.says("Is there a van or bus service?")
        assert "Please ask the people who run the programme" in bus.text
        for redirect in (hostel, bus):
            assert CATALOGUE.text("en", "ticket-button-escalate") in str(redirect.reply_markup)
            assert first_source(redirect).startswith("What IDLP does not handle › ")

    stored = await stored_questions(services)
    assert [q.abstained for q in stored] == [False] * 8 + [True, True]
    assert {c["source"] for q in stored for c in q.citations} <= SOURCES


async def test_an_urdu_reader_reads_the_urdu_version_of_sections_of_the_same_name(
    fake_telegram: FakeTelegram, services: AppServices
) -> None:
    learner = Learner(fake_telegram, user_id=5_000_000_802, language_code="ur")
    async with running_bot(fake_telegram, services):
        await learner.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")

        # The Urdu version's line names its section once: the Urdu title over a "#" heading
        # written otherwise ("لرنر ہینڈ بک" over "انڈس ... — لرنر ہینڈ بک") is not shown twice.
        (refund,) = await learner.says("رجسٹریشن فیس واپس ملے گی؟")
        assert "رجسٹریشن فیس پوری واپس کی جاتی ہے" in refund.text
        assert "اردو ترجمہ: لرنر ہینڈ بک › فیس اور رقم کی واپسی › رقم کی واپسی" in refund.text

        # "6.1 Eligibility" and "2.1 Eligibility": each Urdu section renders its own chapter's.
        (scholarship,) = await learner.says("وظیفے کے لیے کون اہل ہے؟")
        assert "60,000 روپے ماہانہ" in scholarship.text
        assert "وظائف › اہلیت" in scholarship.text

        # A one-section Urdu version named by its heading in the front matter: read in Urdu,
        # its line naming the section once.
        (certificate,) = await learner.says("سرٹیفکیٹ کب ملے گا؟")
        assert "21 دن کے اندر ای میل پر ڈیجیٹل سرٹیفکیٹ ملتا ہے" in certificate.text
        assert "اردو ترجمہ: سرٹیفکیٹ حاصل کرنا\n" in certificate.text + "\n", certificate.text
        assert "اس اصول کا اردو ترجمہ ابھی دستیاب نہیں" not in certificate.text.split("\n\n")[0]

        # A redirect without an Urdu version: the bot's lead in Urdu, the escalate button.
        (hostel,) = await learner.says("کیا ہاسٹل ملے گا؟")
        assert hostel.text.startswith("یہ سوال پروگرام کے قواعد میں شامل نہیں۔")
        assert CATALOGUE.text("ur", "ticket-button-escalate") in str(hostel.reply_markup)


QUESTIONS = {
    # English
    "Can I get my registration fee back if I withdraw?": ("handbook.md", "refunded in full"),
    "When do scholarship applications close?": ("handbook.md", "15 March"),
    "When does registration close for the autumn batch?": ("handbook.md", "31 August"),
    "What happens if I submit my assignment late?": ("handbook.md", "10% of its marks"),
    "How much attendance do I need for a certificate?": ("handbook.md", "75%"),
    "Is there an iPhone app?": ("handbook.md", "no iPhone app"),
    "How is the stipend paid?": ("stipend.htm", "JazzCash"),
    "When does the stipend stop?": ("stipend.htm", "below 75%"),
    "I missed the final test because I was sick, what now?": (
        "exam-centres.html",
        "medical certificate",
    ),
    "When are office hours for digital marketing?": ("mentors.docx", "Wednesday 6 pm to 7 pm"),
    # Roman Urdu
    "registration fee wapas milegi?": ("handbook.md", "refunded in full"),
    "laptop gum ho jaye to kitne paise?": ("fee-and-laptop-rules.pdf", "Rs 45,000"),
    "assignment late ho jaye to kya hoga?": ("handbook.md", "10% of its marks"),
    "password kaise reset karun?": ("handbook.md", "Forgot password"),
    # Urdu script
    "پاس ورڈ کیسے ری سیٹ کروں؟": ("handbook.md", "ری سیٹ لنک"),
    "نوکری کے لیے مدد ملے گی؟": ("not-ours.md", "Sindh Employment Exchange"),
}


def test_hecbot_ask_answers_from_every_file_in_three_languages(own_kb_data_dir: Path) -> None:
    answers = hecbot_ask(own_kb_data_dir, QUESTIONS)
    assert [a["question"] for a in answers] == list(QUESTIONS)
    for answer in answers:
        source, fact = QUESTIONS[answer["question"]]
        assert answer["citations"][0]["source"] == source, answer
        assert fact in answer["answer"], answer


def test_an_operator_edits_removes_and_reindexes_the_handbook(
    own_kb_data_dir: Path, tmp_path: Path
) -> None:
    """`kb index` again skips every file; an edited file is replaced and answers at once; a
    removed one no longer answers; `kb stats` counts what is left."""
    # A copy of the module's handbook folder and its index, for this test alone to edit.
    base = shutil.copytree(own_kb_data_dir.parent, tmp_path / "own-kb-handbook-edits")
    kb, data_dir = base / "idlp", base / "data"
    again = hecbot(data_dir, "kb", "index", str(kb), "--as", "idlp")
    assert f"unchanged {len(SOURCES)}" in again and "read again" not in again, again

    notice = kb / "notices" / "ramazan-timings.txt"
    notice.write_bytes(
        UTF16_NOTICE.replace("10 am to 11:30 am", "9 am to 10:30 am").encode("utf-16")
    )
    edited = hecbot(data_dir, "kb", "index", str(kb), "--as", "idlp")
    assert "added 0, replaced 1" in edited, edited
    (ramazan,) = hecbot_ask(data_dir, ["What are the class timings in Ramazan?"])
    assert "9 am to 10:30 am" in ramazan["answer"]

    assert "notices/ramazan-timings.txt" in hecbot(
        data_dir, "kb", "remove", "notices/ramazan-timings.txt"
    )
    listed = hecbot(data_dir, "kb", "list")
    assert "ramazan" not in listed and "handbook.md" in listed
    assert f"documents: {len(SOURCES) - 1}" in hecbot(data_dir, "kb", "stats")
