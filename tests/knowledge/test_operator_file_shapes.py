"""Files as an operator on Windows and a web editor save them (`outside8`): a text notice in
Notepad's "Unicode" (UTF-16 with a byte order mark), CRLF line endings, an HTML table whose
header row is bold cells rather than ``<th>``, a link followed by a full stop, and a paragraph
longer than a passage, split inside a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.chunking import split_document
from knowledge.errors import DocumentLoadError
from knowledge.loaders import load_document

NOTICE = "Ramazan class timings\r\n\r\nDuring Ramazan, live classes start at 10 am.\r\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_text_file_saved_as_utf16_or_utf32_with_a_bom_is_read(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "notice.txt"
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")
    path.write_bytes((bom + NOTICE).encode(encoding))
    document = load_document(path)
    assert document.title == "Ramazan class timings"
    assert "live classes start at 10 am." in document.markdown
    assert "\r" not in document.markdown


def test_utf16_html_and_markdown_are_read_too(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes("<h1>Exam centres</h1><p>Bring your CNIC.</p>".encode("utf-16"))
    assert "Bring your CNIC." in load_document(page).markdown
    rules = tmp_path / "rules.md"
    rules.write_bytes("# Rules\r\n\r\n## Refunds\r\n\r\nRefunds take 30 days.\r\n".encode("utf-16"))
    assert load_document(rules).markdown == "# Rules\n\n## Refunds\n\nRefunds take 30 days.\n"


def test_a_file_in_another_8_bit_encoding_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_bytes("Eid holidays \u2019 notice\n\nNo classes on Eid.\n".encode("cp1252"))
    with pytest.raises(DocumentLoadError, match="save it as UTF-8"):
        load_document(path)


def test_a_crlf_markdown_files_front_matter_and_headings_read_as_with_lf(tmp_path: Path) -> None:
    text = "---\ntitle: Handbook\nkind: rule\n---\n\n# Handbook\n\n## 3.2 Refunds\n\nIn 30 days.\n"
    lf, crlf = tmp_path / "lf.md", tmp_path / "crlf.md"
    lf.write_bytes(text.encode("utf-8"))
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    assert load_document(crlf) == load_document(lf)


def test_an_html_tables_bold_first_row_is_its_header_row(tmp_path: Path) -> None:
    path = tmp_path / "centres.html"
    path.write_text(
        "<h1>Exam centres</h1><h2>Where</h2><table border=1>"
        "<tr><td><b>City</b></td><td><strong>Centre</strong></td><td><b>Reporting</b> "
        "<b>time</b></td></tr>"
        "<tr><td>Karachi</td><td>NED University</td><td>9:00 am</td></tr>"
        "<tr><td><b>Sukkur</b></td><td>IBA Sukkur</td><td>10:00 am</td></tr>"
        "</table><h2>Labels</h2><table>"
        "<tr><td><b>Email</b></td><td>exams@idlp.example.pk</td></tr>"
        "<tr><td><b>Phone</b></td><td>021-111</td></tr></table>",
        encoding="utf-8",
    )
    markdown = load_document(path).markdown
    assert "| City | Centre | Reporting time |\n|---|---|---|" in markdown
    assert "| Karachi | NED University | 9:00 am |" in markdown
    assert "| Sukkur | IBA Sukkur | 10:00 am |" in markdown
    # A label/value table (only the first cell bold) reads a row a line, as before.
    assert "Email | exams@idlp.example.pk" in markdown and "| Email |" not in markdown


def test_an_html_link_or_bold_word_keeps_the_punctuation_after_it(tmp_path: Path) -> None:
    path = tmp_path / "admit.html"
    path.write_text(
        "<h1>Admit cards</h1><p>Write to <a href='mailto:e@x.pk'>e@x.pk</a>. Bring your "
        "<b>CNIC</b>, your card (<i>printed</i>) and a pen; <em>no</em> phones.</p>"
        "<ul><li>Ask <a href='/help'>the helpdesk</a>:<ul><li>by email.</li></ul></li></ul>",
        encoding="utf-8",
    )
    markdown = load_document(path).markdown
    assert "Write to e@x.pk. Bring your CNIC, your card (printed) and a pen; no phones." in (
        markdown
    )
    assert "- Ask the helpdesk:" in markdown


def test_a_paragraph_longer_than_a_passage_is_split_with_each_mark_kept_by_its_sentence(
    tmp_path: Path,
) -> None:
    clause = "learners treat mentors and staff with respect in every channel the programme runs"
    paragraph = "; ".join(f"{clause} ({n})" for n in range(20)) + "."
    path = tmp_path / "conduct.md"
    path.write_text(f"# Handbook\n\n## 8.1 Code Of Conduct\n\n{paragraph}\n", encoding="utf-8")
    chunks = split_document(load_document(path), source="c.md", root="kb", file_hash="h")
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text[0].isalnum(), chunk.text[:20]
        assert chunk.text.endswith((";", ".")), chunk.text[-20:]


@pytest.mark.parametrize(
    "stamped", [None, "Microsoft Word - fee-rules.docx", "fee-rules.html", "Untitled document"]
)
def test_a_pdf_title_no_author_wrote_gives_way_to_its_first_line(
    tmp_path: Path, stamped: str | None
) -> None:
    """ReportLab stamps "(anonymous)" when no title is set; Word's "Save as PDF" and browsers
    stamp the file's name: the PDF's first line is its title then, as for one with none."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    sheet = getSampleStyleSheet()
    path = tmp_path / "fee-rules.pdf"
    SimpleDocTemplate(str(path), invariant=True, **({"title": stamped} if stamped else {})).build(
        [
            Paragraph("IDLP Fee and Laptop Rules", sheet["Heading1"]),
            Paragraph("2. Damaged laptops", sheet["Heading2"]),
            Paragraph("A lost laptop is charged at Rs 45,000.", sheet["BodyText"]),
        ]
    )
    document = load_document(path)
    assert document.title == "IDLP Fee and Laptop Rules"
    assert "## 2. Damaged laptops" in document.markdown


@pytest.mark.parametrize("marked", ["bold", "repeat as header row"])
def test_a_docx_tables_header_row_names_its_columns(tmp_path: Path, marked: str) -> None:
    """Word users mark a header row in bold or with "Repeat as header row": the table reads as
    a Markdown table (each row with its columns' names); a table without one, as before."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("Recordings", style="Title")
    document.add_paragraph("How long recordings are kept", style="Heading 1")
    table = document.add_table(rows=3, cols=2)
    rows = (("Recording", "Kept for"), ("Live class", "120 days"), ("Lab demo", "1 year"))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            run = table.cell(row, column).paragraphs[0].add_run(text)
            run.bold = marked == "bold" and row == 0
    if marked == "repeat as header row":
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    plain = document.add_table(rows=2, cols=2)
    for row, cells in enumerate((("Email", "help@x.pk"), ("Phone", "021-111"))):
        for column, text in enumerate(cells):
            plain.cell(row, column).text = text
    path = tmp_path / "recordings.docx"
    document.save(str(path))
    assert qn("w:tblHeader")  # the element Word writes for "Repeat as header row"

    markdown = load_document(path).markdown
    table = "| Recording | Kept for |\n|---|---|\n| Live class | 120 days |\n| Lab demo | 1 year |"
    assert table in markdown
    assert "Email | help@x.pk" in markdown and "| Email |" not in markdown
    chunks = split_document(load_document(path), source="r.docx", root="kb", file_hash="h")
    assert [c.section for c in chunks] == ["How long recordings are kept"]


def test_html_words_written_in_divs_or_after_a_heading_without_p_are_read(tmp_path: Path) -> None:
    """A page built without <p> (a CMS or site builder writes <div>s, or words straight after
    a heading) lost every word but its headings, silently; its furniture in <div>s (a bar of
    links, a footer) stays out."""
    path = tmp_path / "stipend.html"
    path.write_text(
        '<html><body class="has-navbar"><div id="header"><a href="/">Home</a> | '
        '<a href="/c">Courses</a></div><h1>Stipend policy</h1><div class="section">'
        "<h2>Who gets a stipend</h2><div>Learners in the top 10% receive <b>Rs 5,000</b>.</div>"
        "<div>It is paid through JazzCash.<br>It stops below 75% attendance.</div></div>"
        "<h2>Contact</h2>Write to <a href='mailto:s@x.pk'>s@x.pk</a> for help."
        '<div class="site-footer">© 2027 Sindh Skills Authority</div></body></html>',
        encoding="utf-8",
    )
    markdown = load_document(path).markdown
    assert "## Who gets a stipend\n\nLearners in the top 10% receive Rs 5,000.\n" in markdown
    assert "It is paid through JazzCash.\n\nIt stops below 75% attendance." in markdown
    assert "## Contact\n\nWrite to s@x.pk for help." in markdown
    assert "Home" not in markdown and "Courses" not in markdown and "©" not in markdown
    chunks = split_document(load_document(path), source="s.html", root="kb", file_hash="h")
    assert {c.section for c in chunks} == {"Who gets a stipend", "Contact"}


def test_a_document_whose_headings_start_at_h2_keeps_its_first_sections_heading(
    tmp_path: Path,
) -> None:
    """A page without <h1> (or Markdown without "#") took its first section's heading as its
    title: that section lost its heading and the next one was cited under it ("Who gets a
    stipend › How the stipend is paid"). The page's <title> (or the file's name) is the title."""
    page = tmp_path / "stipend.html"
    page.write_text(
        "<html><head><title>Stipend policy</title></head><body>"
        "<h2>Who gets a stipend</h2><p>The top 10% get Rs 5,000.</p>"
        "<h2>How the stipend is paid</h2><p>Through JazzCash.</p></body></html>",
        encoding="utf-8",
    )
    notes = tmp_path / "stipend-rules.md"
    notes.write_text(
        "## Who gets a stipend\n\nThe top 10% get Rs 5,000.\n\n"
        "## How the stipend is paid\n\nThrough JazzCash.\n",
        encoding="utf-8",
    )
    for path, title in ((page, "Stipend policy"), (notes, "Stipend rules")):
        chunks = split_document(load_document(path), source=path.name, root="kb", file_hash="h")
        assert {c.title for c in chunks} == {title}
        assert [c.section for c in chunks] == ["Who gets a stipend", "How the stipend is paid"]


def test_setext_headings_are_headings(tmp_path: Path) -> None:
    """A heading written "Refunds" over "-------" (setext, as some editors and converters write) was
    text: the whole handbook one section, its underlines in the answers."""
    path = tmp_path / "handbook.md"
    path.write_text(
        "Learner Handbook\n================\n\nRefunds\n-------\n\n"
        "The fee is refunded before the first class.\nIt takes 30 days.\n\n---\n\n"
        "Attendance\n----------\n\nAttend 75% of live classes.\n\n"
        "```\nnot a heading\n---\n```\n",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.title == "Learner Handbook"
    chunks = split_document(document, source="handbook.md", root="kb", file_hash="h")
    assert [c.section for c in chunks] == ["Refunds", "Attendance"]
    refunds, attendance = (c.text for c in chunks)
    assert refunds.startswith("The fee is refunded") and "===" not in refunds
    assert "not a heading\n---" in attendance  # a code block's lines stay as written


def test_bold_lines_standing_alone_are_the_headings_of_a_document_without_any(
    tmp_path: Path,
) -> None:
    """Word's export to Markdown (and writers who never type "#") set headings apart as bold
    lines: the handbook was one section titled by its file name, "**3.2 Refunds**" in its text.
    A bold lead-in ending with ":" stays text, and a document with "#" headings is left as is."""
    path = tmp_path / "handbook.md"
    path.write_text(
        "\n**Learner Handbook**\n\n**3. FEES AND REFUNDS**\n\n**3.2 Refunds**\n\n"
        "The fee is refunded before the first class.\n\n**Please note:**\n\n"
        "Refunds take 30 days.\n\n**Attendance**\n\nAttend 75% of classes.\n",
        encoding="utf-8",
    )
    document = load_document(path)
    assert document.title == "Learner Handbook"
    chunks = split_document(document, source="handbook.md", root="kb", file_hash="h")
    assert [c.section for c in chunks] == ["3. FEES AND REFUNDS > 3.2 Refunds", "Attendance"]
    assert "**Please note:**" in chunks[0].text and "Refunds take 30 days." in chunks[0].text

    headed = tmp_path / "headed.md"
    headed.write_text("# Rules\n\n**Note**\n\nBe kind.\n", encoding="utf-8")
    assert "**Note**" in load_document(headed).markdown


def test_a_docx_without_heading_styles_takes_its_bold_lines_as_headings(tmp_path: Path) -> None:
    """Word users who never pick a heading style type the heading and press Bold: the whole
    document was one section under its file name. Without any heading style, a short paragraph
    all in bold is a heading (the first line the title; "3.2 Refunds" as deep as its number)."""
    import docx

    document = docx.Document()
    for text, bold in (
        ("Learner Handbook", True),
        ("3. FEES AND REFUNDS", True),
        ("3.2 Refunds", True),
        ("The fee is refunded before the first class.", False),
        ("Please note:", True),
        ("Refunds take 30 days.", False),
        ("Attendance", True),
        ("Attend 75% of classes.", False),
    ):
        document.add_paragraph().add_run(text).bold = bold
    path = tmp_path / "handbook.docx"
    document.save(str(path))
    loaded = load_document(path)
    assert loaded.title == "Learner Handbook"
    chunks = split_document(loaded, source="handbook.docx", root="kb", file_hash="h")
    assert [c.section for c in chunks] == ["3. FEES AND REFUNDS > 3.2 Refunds", "Attendance"]
    assert "Please note:" in chunks[0].text and "Refunds take 30 days." in chunks[0].text
