"""An operator's knowledge base as office tools leave it (`operator10`): a Word handbook with a
change still tracked and numbered steps, a policy printed from Word to PDF (a running header and
footer, "Page N of M"), a contact page saved from a CMS (cookie notice, breadcrumbs and share
buttons inside <main>), an Urdu version of one handbook section headed "Urdu | English", and the
operator's programme named in `PROGRAMME_*`. Learners ask through the bot; what they read is the
document's text, cited by readable titles, without any page furniture."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from bot.config import Settings
from bot.telegram.container import build_services
from knowledge.engine import KnowledgeEngine
from tests.databases import sqlite_started
from tests.e2e.harness import Learner, first_source, own_kb_fixtures, running_bot
from tests.fakebotapi import ChatMessage, FakeTelegram

HANDBOOK = "KOLF Fellowship Handbook"
POLICY = "Certificates and Assessment Policy"
CONTACT = "Contact the KOLF support desk"
SOURCES = {"handbook.docx", "policy.pdf", "contact.html", "ur/deadlines.md"}
FURNITURE = ("Page ", "KOLF Policy 2027", "Khyber Education Foundation", "cookies", "Share")

CONTACT_HTML = f"""<!DOCTYPE html><html><head><title>Contact us | KOLF</title></head><body>
<nav><a href="/">Home</a> <a href="/apply">Apply</a></nav>
<main><div class="page-header"><h1>{CONTACT}</h1></div>
<div id="cookie-notice"><p>We use cookies to improve your experience.</p></div>
<ol class="breadcrumb"><li><a href="/">Home</a></li><li>Contact us</li></ol>
<h2>Support hours</h2>
<p>The support desk answers from 9 am to 5 pm, Monday to Friday.</p>
<div class="share-buttons"><p>Share this page:</p><ul><li><a href="#">Facebook</a></li></ul></div>
</main></body></html>"""

DEADLINES_UR = """---
kind: translation
translates: handbook.docx
language: ur
section: 3. Deadlines
title: کے او ایل ایف فیلوشپ ہینڈ بک
---
## 3. آخری تاریخیں | 3. Deadlines
بہار کے داخلے کے لیے درخواستیں 31 مارچ 2027 کو بند ہو جاتی ہیں۔
دیر سے آنے والی درخواستیں قبول نہیں کی جاتیں۔
"""


def _handbook(path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = HANDBOOK
    document.sections[0].header.paragraphs[0].text = "KOLF Handbook 2027 - DRAFT"
    document.add_paragraph(HANDBOOK, style="Title")
    document.add_heading("2. How to apply", level=1)
    document.add_paragraph("Apply in four steps:")
    for step in [
        "Create an account on the KOLF portal with your university email.",
        "Upload your latest transcript as a PDF.",
        "Choose one learning track.",
        "Submit the form before the intake deadline.",
    ]:
        document.add_paragraph(step, style="List Number")
    document.add_heading("3. Deadlines", level=1)
    paragraph = document.add_paragraph("Applications for the spring intake close on ")
    for change, text in (("del", "15 March"), ("ins", "31 March 2027")):
        element = OxmlElement(f"w:{change}")
        element.set(qn("w:id"), change)
        element.set(qn("w:author"), "Ayesha")
        run, words = OxmlElement("w:r"), OxmlElement("w:delText" if change == "del" else "w:t")
        words.text = text
        run.append(words)
        element.append(run)
        paragraph._p.append(element)
    paragraph.add_run(". Late applications are not accepted.")
    document.save(str(path))


def _policy(path: Path) -> None:
    def furniture(canvas: Canvas, template: BaseDocTemplate) -> None:
        canvas.drawString(72, A4[1] - 40, "KOLF Policy 2027")
        canvas.drawString(72, 40, "Khyber Education Foundation")
        canvas.drawRightString(A4[0] - 72, 40, f"Page {template.page} of 2")

    pdf = BaseDocTemplate(str(path), pagesize=A4, title="Microsoft Word - policy.docx")
    pdf.addPageTemplates([PageTemplate(frames=[Frame(72, 72, 451, 698)], onPage=furniture)])
    styles = getSampleStyleSheet()
    filler = "Fellows keep up with the weekly work of their track and ask their mentor early. "
    story: list[Flowable] = [Paragraph(POLICY, styles["Heading1"])]
    story.append(Paragraph("1. Final assessment", styles["Heading2"]))
    story.append(
        Paragraph("The pass mark of the final assessment is 60 percent.", styles["BodyText"])
    )
    story += [Paragraph(filler * 14, styles["BodyText"])] * 5
    story.append(Paragraph("2. Certificates", styles["Heading2"]))
    story.append(
        Paragraph(
            "Fellows who pass receive a digital certificate within 14 days. " + filler * 14,
            styles["BodyText"],
        )
    )
    story.append(Paragraph("Lost certificates can be downloaded again.", styles["BodyText"]))
    pdf.build(story)


def build_kolf(root: Path) -> Path:
    (root / "ur").mkdir(parents=True)
    _handbook(root / "handbook.docx")
    _policy(root / "policy.pdf")
    (root / "contact.html").write_text(CONTACT_HTML, encoding="utf-8")
    (root / "ur" / "deadlines.md").write_text(DEADLINES_UR, encoding="utf-8")
    return root


def _text(message: ChatMessage) -> str:
    assert message.text is not None
    return message.text


own_kb_data_dir, answering_engine = own_kb_fixtures("kolf", SOURCES, build_kolf)


async def test_learners_read_the_office_files_text_without_furniture_under_readable_titles(
    fake_telegram: FakeTelegram, settings: Settings, answering_engine: KnowledgeEngine
) -> None:
    own = Settings(  # type: ignore[call-arg]
        HECBOT_DATA_DIR=settings.data_dir,
        HECBOT_THROTTLE_SECONDS=0,
        PROGRAMME_NAME="Khyber Online Learning Fellowship",
        PROGRAMME_OPERATOR="KOLF",
        PROGRAMME_HELP_DESK="the KOLF support desk",
        PROGRAMME_EXAMPLE_QUESTION="When do applications close?",
    )
    await sqlite_started(own)
    services = await build_services(own, answerer=answering_engine)
    learner = Learner(fake_telegram, user_id=5_000_001_001, language_code="en")
    reader = Learner(fake_telegram, user_id=5_000_001_002, language_code="ur")
    try:
        async with running_bot(fake_telegram, services):
            notice, *_ = await learner.onboards()
            assert "Khyber Online Learning Fellowship" in _text(notice)

            (closes,) = await learner.says("When do applications close?")
            assert _text(closes).startswith("Applications for the spring intake close on 31 March")
            assert "15 March" not in _text(closes)
            assert first_source(closes) == f"{HANDBOOK} › 3. Deadlines"

            (steps,) = await learner.says("What are the steps to apply?")
            order = [_text(steps).index(s) for s in ("Create an account", "Upload", "Submit")]
            assert order == sorted(order), _text(steps)
            assert first_source(steps) == f"{HANDBOOK} › 2. How to apply"

            (lost,) = await learner.says("Can I download a lost certificate again?")
            assert first_source(lost) == f"{POLICY} › 2. Certificates"
            (full,) = await learner.presses(lost, "Show the full rule", replies=1)
            assert "within 14 days" in _text(full) and "downloaded again" in _text(full)

            (hours,) = await learner.says("What are the support desk hours?")
            assert first_source(hours) == f"{CONTACT} › Support hours"
            (page,) = await learner.presses(hours, "Show the full rule", replies=1)
            for message in (closes, steps, lost, full, hours, page):
                assert not any(word in _text(message) for word in FURNITURE), _text(message)

            await reader.onboards(language="اردو", kind="طالب علم", university_button="کامسیٹس")
            (urdu,) = await reader.says("درخواستیں کب بند ہوتی ہیں؟")
            assert "31 مارچ 2027" in _text(urdu)
            assert "3. Deadlines | 3. Deadlines" not in _text(urdu)
    finally:
        await services.database.close()
