"""Cells of the CSV and XLSX files people download and open in a spreadsheet."""
from __future__ import annotations

#: a text cell starting with one of these is run as a formula by Excel, LibreOffice, Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text cell a spreadsheet will not run as a formula (a leading apostrophe); numbers,
    dates and None stay as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
