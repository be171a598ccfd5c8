"""Build the PDF and DOCX documents of the sample knowledge base.

Provenance script: it documents where ``certificates-and-credit.docx`` and
``data-privacy-and-surveys.pdf`` come from. It is run by hand when their text changes
(``.venv/bin/python knowledge/data/_build_binary_docs.py``), never at bot run time, and
its output is committed next to it. Both documents exist so that the PDF and DOCX loaders
are exercised on real files with a text layer and real heading styles.

It needs the dev dependency reportlab, so it is not importable in a production install.
The file name starts with an underscore so that the knowledge-base loader can skip it
(it is not a document type the loader reads anyway).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate
from reportlab.platypus.flowables import Flowable

BlockKind = Literal["h1", "h2", "h3", "p", "li"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


def h1(text: str) -> Block:
    return Block("h1", text)


def h2(text: str) -> Block:
    return Block("h2", text)


def h3(text: str) -> Block:
    return Block("h3", text)


def p(text: str) -> Block:
    return Block("p", text)


def li(text: str) -> Block:
    return Block("li", text)


EFFECTIVE_DATE = "2025-07-01"
# Fixed timestamp so that rebuilding unchanged text gives byte-identical files.
FIXED_TIMESTAMP = dt.datetime(2025, 7, 1, 9, 0, 0)

CERTIFICATES_AND_CREDIT: list[Block] = [
    h1("Certificates and academic credit"),
    p(f"Effective date: {EFFECTIVE_DATE}"),
    p(
        "SAMPLE: for HEC to replace. The HEC advisory on certifications is public; "
        "how certificates appear follows Coursera's public help centre; the credit rules, "
        "limits and Form DLSEI-F4 are invented samples."
    ),
    h2("Certificates you can earn"),
    li(
        "A course certificate, when you pass all graded assignments of a course. "
        "Certificates earned during your licence are free."
    ),
    li("A Specialization certificate, when you complete every course in the Specialization."),
    li("A Professional Certificate, when you complete every course in the series."),
    li("A certificate of completion for each guided project you finish."),
    p(
        "You cannot earn a certificate by auditing a course. After your licence ends, "
        "unfinished courses switch to audit mode."
    ),
    h2("When your certificate appears"),
    p(
        "A certificate normally appears on the Accomplishments page of your Coursera account "
        "as soon as your final grade is recorded, and always within 48 hours. If it has not "
        "appeared after 48 hours, contact the Coursera Learner Help Center; your focal person "
        "cannot issue certificates."
    ),
    h2("Name on the certificate"),
    p(
        "The certificate shows the name on your Coursera profile. Before you complete a course, "
        "set your full name as on your CNIC in Account Settings. Universities may refuse credit "
        "for a certificate whose name does not match their records."
    ),
    h2("Identity verification"),
    p(
        "Some courses ask you to verify your identity before a certificate is issued. You need "
        "a computer with a webcam, or an Android or iOS phone with a camera and the Coursera app."
    ),
    h2("Sharing and verifying certificates"),
    li("Every certificate has a unique verification link that employers can open."),
    li("You can download each certificate as a PDF file."),
    li("You can add certificates to your LinkedIn profile directly from Coursera."),
    p("Certificates do not mention HEC or the DLSEI licence."),
    h2("Academic credit at your university"),
    p(
        "HEC has issued an advisory to all Pakistani HEIs urging them to make relevant "
        "certifications mandatory for students as part of their degree programmes, and has "
        "urged universities to give credit to students who complete Coursera courses."
    ),
    p(
        "Each university decides whether and how it gives credit. Where a university accepts "
        "DLSEI certificates, the following sample rules apply:"
    ),
    li(
        "Credit is given only for a Specialization or Professional Certificate of at least "
        "4 courses, not for single courses or guided projects."
    ),
    li("One such certificate can count for up to 3 credit hours as an elective course."),
    li("A student can receive at most 6 credit hours from Coursera certificates in one degree."),
    li("The transcript shows the grade Pass; credit from certificates does not change your CGPA."),
    h2("How to request credit"),
    p(
        'Submit Form DLSEI-F4 "Credit Recognition Request" through your department to the '
        "Controller of Examinations within 60 days of the date on the certificate. Attach the "
        "certificate's verification link. The university decides within 30 days."
    ),
    h2("Certificates for faculty members"),
    p(
        "Faculty members may list DLSEI certificates in their annual performance evaluation "
        "report as professional development. Faculty certificates are not converted into "
        "credit hours."
    ),
]

DATA_PRIVACY_AND_SURVEYS: list[Block] = [
    h1("Data privacy and surveys"),
    p(f"Effective date: {EFFECTIVE_DATE}"),
    p(
        "SAMPLE: for HEC to replace. No public DLSEI privacy notice was found. Everything in "
        "this notice, including retention periods, survey limits and the privacy email "
        "address, is an invented sample."
    ),
    h2("Who is responsible for your data"),
    p(
        "HEC is responsible for the data collected through the DLSEI application form, the "
        "DLSEI portal and the hecbot Telegram assistant. Coursera processes your learning data "
        "on its platform under its own privacy policy."
    ),
    h2("What is collected when you apply"),
    p(
        "Form DLSEI-F1 collects your full name, CNIC number, university email address, "
        "university registration number, department, degree level, expected graduation year, "
        "gender and district. The CNIC number is used only to make sure that each person holds "
        "one licence. Gender and district are used only for statistics."
    ),
    h2("What Coursera shares with HEC"),
    p(
        "Coursera shares with HEC the courses you enrol in, your progress, your learning hours, "
        "the courses you complete and the certificates you earn. Coursera does not share your "
        "quiz answers, assignment texts or messages in course forums."
    ),
    h2("What hecbot stores"),
    li("Your Telegram user ID and your language choice."),
    li("Your university, if you tell hecbot."),
    li("The questions you ask, to improve answers; they are kept for 12 months."),
    li("Your answers to micro-surveys."),
    p("hecbot never asks for your password or your CNIC number. Do not send them in the chat."),
    h2("Micro-surveys"),
    p(
        "HEC uses short micro-surveys to learn how the programme is working. A micro-survey has "
        "1 to 3 questions and takes about 1 minute. You receive at most 2 micro-surveys per "
        "month. At the end of each cohort there is one longer survey of about 10 minutes."
    ),
    p(
        "All surveys are voluntary. Answering or not answering has no effect on your licence, "
        "your priority in later cohorts or your certificates."
    ),
    h2("How to opt out of surveys"),
    p(
        "Send /surveys off to hecbot to switch micro-surveys off (/surveys on switches them "
        "back on). The change takes effect "
        "immediately. Opting out of surveys "
        "does not stop important notices such as deadline reminders from your focal person."
    ),
    h2("How survey results are used"),
    p(
        "Survey answers are reported only in aggregate. Results for groups of fewer than 10 "
        "learners are never reported. Your university sees only aggregate results for its own "
        "learners, never individual answers."
    ),
    h2("Who your data is shared with"),
    p(
        "Your university's focal person sees your application and the progress of learners of "
        "that university, to verify enrolment and manage licences. HEC does not sell your data "
        "and does not share it with employers or advertisers."
    ),
    h2("How long data is kept"),
    p(
        "Application data and learning records are kept for 3 years after the end of your "
        "cohort and then deleted. hecbot question logs are kept for 12 months."
    ),
    h2("Your rights"),
    p(
        "You can ask to see, correct or delete your personal data by emailing "
        "privacy@example.pk. HEC replies within 30 days. Deleting your application data while "
        "your licence is active ends the licence."
    ),
]


class OutlinedHeading(Paragraph):  # type: ignore[misc]
    """A heading paragraph that also adds itself to the PDF outline (bookmarks)."""

    def __init__(
        self, markup: str, style: ParagraphStyle, key: str, level: int, title: str
    ) -> None:
        super().__init__(markup, style)
        self.outline_key = key
        self.outline_level = level
        self.outline_title = title

    def draw(self) -> None:
        super().draw()
        self.canv.bookmarkHorizontal(self.outline_key, 0, self.height)
        self.canv.addOutlineEntry(self.outline_title, self.outline_key, self.outline_level)


SAMPLE_AUTHOR = "HEC DLSEI (SAMPLE: for HEC to replace)"


def build_docx(blocks: list[Block], target: Path, author: str = SAMPLE_AUTHOR) -> None:
    document = Document()
    styles = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "p": "Normal"}
    for block in blocks:
        if block.kind == "li":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text, style=styles[block.kind])
    properties = document.core_properties
    properties.title = blocks[0].text
    properties.author = author
    properties.created = FIXED_TIMESTAMP
    properties.modified = FIXED_TIMESTAMP
    properties.revision = 1
    document.save(str(target))


def build_pdf(blocks: list[Block], target: Path, author: str = SAMPLE_AUTHOR) -> None:
    sheet = getSampleStyleSheet()
    styles = {"h1": sheet["Heading1"], "h2": sheet["Heading2"], "h3": sheet["Heading3"]}
    story: list[Flowable] = []
    pending_items: list[Flowable] = []

    def flush_list() -> None:
        if pending_items:
            story.append(ListFlowable(list(pending_items), bulletType="bullet"))
            pending_items.clear()

    for block in blocks:
        if block.kind == "li":
            pending_items.append(ListItem(Paragraph(block.text, sheet["BodyText"])))
            continue
        flush_list()
        if block.kind == "p":
            story.append(Paragraph(block.text, sheet["BodyText"]))
        else:
            # The outline entry lets PDF readers (and loaders) see the heading structure.
            level = {"h1": 0, "h2": 1, "h3": 2}[block.kind]
            key = f"heading-{len(story)}"
            anchor = f'<a name="{key}"/>'
            story.append(
                OutlinedHeading(anchor + block.text, styles[block.kind], key, level, block.text)
            )
    flush_list()

    document = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        title=blocks[0].text,
        author=author,
        subject="SAMPLE: for HEC to replace",
        invariant=True,
    )
    document.build(story)


def main() -> None:
    here = Path(__file__).resolve().parent
    build_docx(CERTIFICATES_AND_CREDIT, here / "certificates-and-credit.docx")
    build_pdf(DATA_PRIVACY_AND_SURVEYS, here / "data-privacy-and-surveys.pdf")


if __name__ == "__main__":
    main()
