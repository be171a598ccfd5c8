"""Files as an operator's office tools leave them (`operator10`): a Word document with changes
still tracked, a PDF printed from Word with a running header and page numbers, files Word and
other tools leave beside the documents, and files that are not what their names say."""

from __future__ import annotations

import copy
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph as DocxParagraph
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

import knowledge.loaders
from knowledge.config import KnowledgeConfig
from knowledge.engine import build_engine
from knowledge.errors import DocumentLoadError
from knowledge.loaders import load_document

from .conftest import HashEmbedder, write_pdf


def _tracked(paragraph: DocxParagraph, change: str, text: str) -> None:
    """Append a tracked change (``w:ins`` or ``w:del``) holding one run of ``text``."""
    element = OxmlElement(f"w:{change}")
    element.set(qn("w:id"), str(len(paragraph._p)))
    element.set(qn("w:author"), "Ayesha")
    run = OxmlElement("w:r")
    words = OxmlElement("w:delText" if change == "del" else "w:t")
    words.set(qn("xml:space"), "preserve")
    words.text = text
    run.append(words)
    element.append(run)
    paragraph._p.append(element)


def test_a_docx_reads_tracked_insertions_and_leaves_out_tracked_deletions(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Deadlines", level=1)
    paragraph = document.add_paragraph("Applications close on ")
    _tracked(paragraph, "del", "15 March")
    _tracked(paragraph, "ins", "31 March 2027")
    paragraph.add_run(". Late applications are not accepted.")
    table = document.add_table(rows=2, cols=2)
    for cell, word in zip(table.rows[0].cells, ["Track", "Mentor"], strict=True):
        cell.paragraphs[0].add_run(word).bold = True
    table.rows[1].cells[0].text = "Data analytics"
    _tracked(table.rows[1].cells[1].paragraphs[0], "ins", "Dr. Sana Afridi")
    path = tmp_path / "handbook.docx"
    document.save(str(path))

    markdown = load_document(path).markdown
    assert "Applications close on 31 March 2027. Late applications are not accepted." in markdown
    assert "15 March" not in markdown
    assert "| Data analytics | Dr. Sana Afridi |" in markdown


def _printed_from_word(path: Path, paragraphs: list[str]) -> None:
    """A PDF as Word prints one: a running header and footer and "Page N of M" on each page."""
    pages = 3
    doc = BaseDocTemplate(str(path), pagesize=A4, title="Microsoft Word - policy.docx")

    def furniture(canvas: Canvas, template: BaseDocTemplate) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(72, A4[1] - 40, "KOLF Certificates Policy 2027")
        canvas.drawString(72, 40, "Khyber Education Foundation")
        canvas.drawRightString(A4[0] - 72, 40, f"Page {template.page} of {pages}")

    frame = Frame(72, 72, A4[0] - 144, A4[1] - 144)
    doc.addPageTemplates([PageTemplate(frames=[frame], onPage=furniture)])
    styles = getSampleStyleSheet()
    story: list[Flowable] = [Paragraph("Certificates Policy", styles["Heading1"])]
    story += [Paragraph(text, styles["BodyText"]) for text in paragraphs]
    doc.build(story)
    assert len(PdfReader(str(path)).pages) == pages


def test_a_pdfs_running_header_footer_and_page_numbers_are_not_its_text(tmp_path: Path) -> None:
    filler = "Fellows keep up with the weekly work of their track and ask their mentor early. " * 14
    path = tmp_path / "policy.pdf"
    _printed_from_word(
        path,
        [
            "Fellows who pass receive a digital certificate within 14 days.",
            *[filler] * 12,
            "A fellow may retake the final assessment once, within 30 days.",
        ],
    )

    document = load_document(path)
    assert document.title == "Certificates Policy"
    assert "Page" not in document.markdown
    assert "KOLF Certificates Policy 2027" not in document.markdown
    assert "Khyber Education Foundation" not in document.markdown
    assert "within 14 days." in document.markdown
    assert "once, within 30 days." in document.markdown


def _encrypted_pdf(source: Path, path: Path, *, password: str, aes: bool) -> None:
    """``source`` encrypted with RC4, or claiming AES (pypdf writes AES only with a cryptography
    package hecbot does not have; Word's "Encrypt with password" writes AES)."""
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buffer = BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    if aes:
        aes_filter = b"/V 4\n/R 4\n/Length 128\n/CF << /StdCF << /CFM /AESV2 /Length 16 >> >>\n"
        data = data.replace(b"/V 2\n/R 3\n/Length 128\n", aes_filter + b"/StmF /StdCF\n", 1)
        assert b"/AESV2" in data
    path.write_bytes(data)


@pytest.mark.parametrize(
    ("password", "aes"), [("secret", False), ("", True)], ids=["password", "aes-restrictions"]
)
def test_an_encrypted_pdf_is_refused_saying_so_and_the_rest_is_indexed(
    tmp_path: Path, password: str, aes: bool
) -> None:
    source = tmp_path / "policy-source.pdf"
    write_pdf(source, ["Certificates Policy", "Certificates are issued within 14 days."])
    folder = tmp_path / "kolf"
    folder.mkdir()
    _encrypted_pdf(source, folder / "policy.pdf", password=password, aes=aes)
    (folder / "notice.md").write_text("# Orientation\n\nOrientation is on 5 April.\n")

    with pytest.raises(DocumentLoadError, match="the PDF is encrypted"):
        load_document(folder / "policy.pdf")
    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"), embedder=HashEmbedder())
    with engine:
        report = engine.index_paths([folder])
    assert report.added == ["notice.md"]
    assert [source for source, _ in report.failed] == ["policy.pdf"]
    assert "save or print it again" in report.failed[0][1]


def test_a_file_of_another_format_than_its_name_says_is_refused_naming_both(
    tmp_path: Path,
) -> None:
    handbook = tmp_path / "handbook.docx"
    document = docx.Document()
    document.add_paragraph("Stipends are paid monthly.")
    document.save(str(handbook))
    policy = tmp_path / "policy.pdf"
    write_pdf(policy, ["Certificates Policy", "Certificates are issued within 14 days."])
    misnamed = {
        "policy.docx": (policy.read_bytes(), "not a Word document \\(.docx\\): it is a PDF"),
        "handbook.pdf": (handbook.read_bytes(), "not a PDF: it is a Word document"),
        "handbook.md": (handbook.read_bytes(), "not a text file: it is a Word document"),
        "contact.docx": (b"<!DOCTYPE html><html><p>Hi</p></html>", "it is a web page"),
        "old.docx": (_OLE + b"\0" * 600, "a Word 97-2003 document \\(.doc\\) or a password"),
    }
    for name, (data, message) in misnamed.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(DocumentLoadError, match=message):
            load_document(tmp_path / name)


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def test_a_docx_that_would_expand_past_a_documents_size_is_refused_unopened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zip bomb expands to gigabytes; the limit is lowered to keep the test small.
    monkeypatch.setattr(knowledge.loaders, "DOCX_MAX_UNPACKED_BYTES", 10_000_000)
    normal = tmp_path / "normal.docx"
    docx.Document().save(str(normal))
    bomb = tmp_path / "handbook.docx"
    with zipfile.ZipFile(normal) as source, zipfile.ZipFile(bomb, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * 30_000_000, 1)
            target.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    assert bomb.stat().st_size < 200_000

    with pytest.raises(DocumentLoadError, match=r"expands to 3\d MB .* at most 10 MB; a zip bomb"):
        load_document(bomb)


def test_the_owner_file_word_keeps_beside_an_open_document_is_not_indexed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kolf"
    folder.mkdir()
    document = docx.Document()
    document.add_paragraph("Stipends are paid monthly.")
    document.save(str(folder / "handbook.docx"))
    # Word writes "~$" and the name's end while the document is open: 162 bytes, not a DOCX.
    (folder / "~$ndbook.docx").write_bytes(b"\x06Ayesha" + b"\x00" * 155)

    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"), embedder=HashEmbedder())
    with engine:
        report = engine.index_paths([folder])
    assert report.added == ["handbook.docx"]
    assert not report.failed


def test_documents_of_a_format_hecbot_does_not_read_are_named_not_passed_over(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "kolf"
    (folder / "old").mkdir(parents=True)
    (folder / "faq.md").write_text("# FAQ\n\n## Is it free?\n\nYes, KOLF charges no fee.\n")
    (folder / "extra-faq.csv").write_text("Question,Answer\nIs it free?,Yes.\n")
    (folder / "old" / "handbook.doc").write_bytes(_OLE + b"\0" * 600)
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    engine = build_engine(KnowledgeConfig(data_dir=tmp_path / "data"), embedder=HashEmbedder())
    with engine:
        report = engine.index_paths([folder])
    assert report.added == ["faq.md"]
    [warning] = report.warnings
    assert "not indexed" in warning and "save them as one of those" in warning
    assert warning.endswith(": extra-faq.csv, old/handbook.doc")


CMS_PAGE = """<!DOCTYPE html><html><head><title>Contact us | KOLF</title></head><body>
<nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/a">Apply</a></li></ul></nav>
<main>
<div class="page-header"><h1>Contact the KOLF support desk</h1></div>
<div id="cookie-notice"><p>We use cookies to improve your experience.</p></div>
<ol class="breadcrumb"><li><a href="/">Home</a></li><li>Contact us</li></ol>
<h2>Support hours</h2>
<p>The support desk answers from 9 am to 5 pm, Monday to Friday.</p>
<div class="share-buttons">Share this page:
<ul><li><a href="#">Facebook</a></li><li><a href="#">WhatsApp</a></li></ul></div>
<div class="sharedaddy"><p>Like this: <a href="#">Like</a></p></div>
</main></body></html>"""


def test_a_cms_pages_cookie_notice_breadcrumbs_and_share_buttons_are_not_its_text(
    tmp_path: Path,
) -> None:
    path = tmp_path / "contact.html"
    path.write_text(CMS_PAGE, encoding="utf-8")
    document = load_document(path)
    assert document.title == "Contact the KOLF support desk"
    assert document.markdown == (
        "# Contact the KOLF support desk\n\n\n## Support hours\n\n"
        "The support desk answers from 9 am to 5 pm, Monday to Friday.\n"
    )


WORDPRESS_PAGE = """<!DOCTYPE html><html><head><title>Stipend rules – KOLF</title></head><body>
<header id="masthead"><p class="site-title"><a href="/">KOLF</a></p></header>
<main id="main" class="site-main"><article class="page">
<header><h1 class="entry-title">Stipend rules</h1>Posted on 3 March 2027 by admin
<p class="byline">Last edited by Ayesha</p></header>
<div class="entry-content"><h2>Amount</h2><p>Each fellow receives Rs 10,000 a month.</p></div>
</article></main><footer id="colophon"><p>© 2027 KEF</p></footer></body></html>"""


def test_an_articles_own_header_gives_the_page_its_title_and_nothing_else(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stipend.html"
    path.write_text(WORDPRESS_PAGE, encoding="utf-8")
    document = load_document(path)
    assert document.title == "Stipend rules"
    assert document.markdown == (
        "# Stipend rules\n\n\n## Amount\n\nEach fellow receives Rs 10,000 a month.\n"
    )


def test_a_docx_numbered_list_is_numbered_and_a_bulleted_one_is_not(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("How to apply", level=1)
    document.add_paragraph("Apply in three steps:")
    for step in ["Create an account.", "Upload your transcript.", "Submit the form."]:
        document.add_paragraph(step, style="List Number")
    document.add_paragraph("You will need:")
    document.add_paragraph("a CNIC", style="List Bullet")
    # Word's numbering button on a plain paragraph: its numbering, not its style, says so.
    num_pr = document.styles["List Number"].element.xpath("./w:pPr/w:numPr")[0]
    numbered = document.add_paragraph("a transcript")
    numbered._p.get_or_add_pPr().append(copy.deepcopy(num_pr))
    path = tmp_path / "apply.docx"
    document.save(str(path))

    markdown = load_document(path).markdown
    assert (
        "Apply in three steps:\n\n1. Create an account.\n2. Upload your transcript.\n"
        "3. Submit the form.\n"
    ) in markdown
    assert "\n- a CNIC\n1. a transcript" in markdown
