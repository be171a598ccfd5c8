"""Files as an operator's office tools leave them (`operator10`): a Word document with changes
still tracked, a PDF printed from Word with a running header and page numbers, files Word and
other tools leave beside the documents, and files that are not what their names say."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from knowledge.loaders import load_document


def _tracked(paragraph: Paragraph, change: str, text: str) -> None:
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
