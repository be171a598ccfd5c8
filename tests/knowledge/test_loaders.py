from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import DocumentLoadError
from knowledge.loaders import (
    _pdf_lines_to_markdown,
    find_effective_date,
    iter_document_files,
    load_document,
)


def test_markdown_title_from_front_matter_and_effective_date(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "licence.md")
    assert document.title == "Licence rules"
    assert document.effective_date == "2025-01-15"
    assert "## Inactivity" in document.markdown
    assert "title:" not in document.markdown


def test_html_keeps_main_text_and_drops_boilerplate(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "helpdesk.html")
    assert document.title == "Helpdesk and focal persons"
    assert document.url == "https://dlsei.example.pk/helpdesk"
    assert "## Contacting the helpdesk" in document.markdown
    assert "helpdesk@dlsei.example.pk" in document.markdown
    assert "- The focal person forwards applications to HEC." in document.markdown
    for furniture in ("SCRIPT", "HEADER", "NAV", "ASIDE", "FOOTER"):
        assert f"{furniture}_SHOULD_NOT_APPEAR" not in document.markdown
    assert "color: red" not in document.markdown


def test_text_file_first_line_is_title(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "notice.txt")
    assert document.title == "Webinar notice"
    assert document.effective_date == "2025-03-03"
    assert "first Monday" in document.markdown


def test_docx_headings_come_from_heading_styles(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "certificates.docx")
    assert document.title == "Certificates and credit"
    assert "## Getting your certificate" in document.markdown
    assert "## Academic credit" in document.markdown
    assert "Form DLSEI-F4" in document.markdown


def test_pdf_text_and_numbered_headings(fixture_kb: Path) -> None:
    document = load_document(fixture_kb / "eligibility.pdf")
    assert document.title == "Eligibility rules"
    assert "## 1. Who can apply" in document.markdown
    assert "valid CNIC" in document.markdown


def test_a_pdf_heading_after_the_effective_date_line_is_a_heading_without_bookmarks() -> None:
    lines = ["Reading rooms", "Effective date: 2025-01-01", "Opening hours", "Open 8 am to 10 pm."]
    markdown = _pdf_lines_to_markdown(lines, "Reading rooms")
    assert "## Opening hours" in markdown
    # A line that only mentions a date mid-sentence does not end a statement.
    lines = ["Fees are due before the effective date 1 March 2025 and", "Late fees apply"]
    assert "## Late fees" not in _pdf_lines_to_markdown(lines, "Fees")


@pytest.mark.parametrize(
    ("name", "reason_word"),
    [
        ("junk.md", "binary"),
        ("empty.txt", "empty"),
        ("scanned.pdf", "no text layer"),
        ("broken.docx", "malformed"),
    ],
)
def test_bad_files_raise_a_named_reason(fixture_kb: Path, name: str, reason_word: str) -> None:
    with pytest.raises(DocumentLoadError) as caught:
        load_document(fixture_kb / "bad" / name)
    assert name in caught.value.source
    assert reason_word in caught.value.reason


def test_unsupported_suffix_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"data")
    with pytest.raises(DocumentLoadError, match="unsupported"):
        load_document(path)


def test_folder_walk_is_recursive_sorted_and_filters_types(fixture_kb: Path) -> None:
    names = [p.relative_to(fixture_kb).as_posix() for p in iter_document_files(fixture_kb)]
    assert names == sorted(names)
    assert "bad/scanned.pdf" in names
    assert "licence.md" in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Effective date: 2025-01-15", "2025-01-15"),
        ("effective from 1 July 2025", "2025-07-01"),
        ("Effective: March 3, 2024", "2024-03-03"),
        ("No date here", None),
    ],
)
def test_effective_date_formats(text: str, expected: str | None) -> None:
    assert find_effective_date(text) == expected


def test_html_keeps_an_items_words_before_its_sub_list_and_a_headed_tables_columns(
    tmp_path: Path,
) -> None:
    page = tmp_path / "exams.html"
    page.write_text(
        "<main><h1>Online exams</h1><h2>During the exam</h2><ul>"
        "<li>If your internet drops:<ul><li>rejoin within 10 minutes;</li>"
        "<li>after that, email the exams office.</li></ul></li>"
        "<li>Phones must be out of reach.</li></ul>"
        "<h2>Timetable</h2><table><thead><tr><th>Exam</th><th>Duration</th></tr></thead>"
        "<tbody><tr><td>Final exam</td><td>2 hours</td></tr></tbody></table>"
        "<h2>Helpdesk</h2><table><tr><th>Email</th><td>help@example.pk</td></tr></table></main>",
        encoding="utf-8",
    )
    markdown = load_document(page).markdown
    assert "- If your internet drops:\n  - rejoin within 10 minutes;" in markdown
    # A table with a header row is a Markdown table (read row by row with its columns'
    # names); a table of labelled values stays one "label | value" line a row.
    assert "| Exam | Duration |\n|---|---|\n| Final exam | 2 hours |" in markdown
    assert "Email | help@example.pk" in markdown and "| Email" not in markdown


def test_a_docx_table_stays_in_the_section_it_is_written_in(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Recordings", style="Heading 1")
    document.add_paragraph("Recordings are kept for these periods:")
    table = document.add_table(rows=2, cols=2)
    for column, text in enumerate(("Live class", "120 days")):
        table.cell(1, column).text = text
    document.add_paragraph("Laptops", style="Heading 1")
    document.add_paragraph("A laptop is lent for 14 days.")
    document.save(str(tmp_path / "recordings.docx"))
    markdown = load_document(tmp_path / "recordings.docx").markdown
    assert markdown.index("Live class | 120 days\n\n") < markdown.index("## Laptops")


def test_a_plain_text_faqs_questions_are_headings_over_their_answers(tmp_path: Path) -> None:
    (tmp_path / "faq.txt").write_text(
        "Helpdesk FAQ\n\nQ: How do I contact the helpdesk?\nA: Email help@example.pk.\n\n"
        "Question 2. Can I sit an exam on my phone?\nAnswer: No. Exams need a webcam.\n"
        "Bring your card to every exam.\n",
        encoding="utf-8",
    )
    document = load_document(tmp_path / "faq.txt")
    assert document.title == "Helpdesk FAQ"
    assert "## How do I contact the helpdesk?\n\nEmail help@example.pk." in document.markdown
    assert "## Can I sit an exam on my phone?\n\nNo. Exams need a webcam." in document.markdown
    assert "Q:" not in document.markdown and "Answer:" not in document.markdown
    assert "Bring your card to every exam." in document.markdown
