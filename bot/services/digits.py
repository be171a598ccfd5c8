"""Digits as phone keyboards type them: Urdu (Extended Arabic-Indic) and Arabic-Indic digits
read as the ASCII digits the services compare and store."""

from __future__ import annotations

EASTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


def ascii_digits(text: str) -> str:
    """`text` with every Urdu or Arabic-Indic digit replaced by its ASCII digit."""
    return text.translate(EASTERN_DIGITS)
