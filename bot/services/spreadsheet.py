"""Cells a spreadsheet must show as text: what learners typed (a survey comment, a question)
reaches HEC staff's Excel or LibreOffice through the exports, and a cell starting with `=`,
`+`, `-`, `@` (or a tab or carriage return before one) is read there as a formula
("=HYPERLINK(...)", "=cmd|' /C calc'!A0"): CSV injection. OWASP's advice is followed: such a
text cell gets a leading apostrophe in a CSV file (the spreadsheet shows the text, the
apostrophe hidden), and is stored as a string cell, unchanged, in an XLSX file."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """`value` as written to a CSV cell: text a spreadsheet would run is quoted with `'`."""
    return f"'{value}" if starts_like_formula(value) else value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]
