"""The statements as documents: the PDF's HTML (through marketplace.pdf) and an XLSX workbook
(openpyxl), in the language of the caller's `force_locale`."""
from __future__ import annotations

import io
from datetime import date

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from books.statements import Statements, statements
from catalog.models import Store
from marketplace.spreadsheet import safe_cell
from marketplace.timeutil import utcnow

_MONEY = '#,##0;(#,##0)'


def filename(store: Store, start: date, end: date, lang: str, ext: str) -> str:
    return f"laporan-keuangan-{store.slug}-{start.isoformat()}-{end.isoformat()}-{lang}.{ext}"


def statements_document(s: Statements, lang: str) -> str:
    """The statements as a standalone page: the HTML of the PDF."""
    return render_template("books/books_statements_doc.html", s=s, lang=lang, made_at=utcnow())


def statements_html(store: Store, start: date, end: date, lang: str) -> str:
    """The three statements as an HTML fragment, for a document that includes them (a credit pack)."""
    return render_template("books/_statements_fragment.html", s=statements(store, start, end), lang=lang)


def statements_xlsx(s: Statements) -> bytes:
    """A workbook of three sheets: income statement, financial position, and the fixed assets."""
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title, heading, rows, first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append([safe_cell(str(s.store.name))])
        ws.append([heading])
        ws.append([])
        for label, amount, strong in rows:
            ws.append([safe_cell(str(label)), amount])
            if amount is not None:
                ws.cell(ws.max_row, 2).number_format = _MONEY
            if strong:
                ws.cell(ws.max_row, 1).font = bold
                ws.cell(ws.max_row, 2).font = bold
        ws["A1"].font = bold
        ws.column_dimensions["A"].width = 48
        ws.column_dimensions["B"].width = 18
        return ws

    i, p = s.income, s.position

    def group(lines, name):
        return [(str(line.label), line.amount_idr, False) for line in lines if line.group == name]

    sheet(_("Laba rugi"), _("Laporan laba rugi %(start)s – %(end)s", start=s.start.isoformat(), end=s.end.isoformat()), [
        (_("Pendapatan"), None, True), *group(i.lines, "income"), (_("Jumlah pendapatan"), i.revenue_idr, True),
        (_("Beban pokok penjualan"), None, True), *group(i.lines, "cogs"),
        (_("Jumlah beban pokok penjualan"), i.cogs_idr, True), (_("Laba kotor"), i.gross_profit_idr, True),
        (_("Beban usaha"), None, True), *group(i.lines, "expense"),
        (_("Jumlah beban usaha"), i.operating_expenses_idr, True),
        (_("Laba (rugi) bersih"), i.net_income_idr, True)], first=True)
    sheet(_("Posisi keuangan"), _("Laporan posisi keuangan per %(day)s", day=p.at.isoformat()), [
        (_("Aset"), None, True), *group(p.lines, "asset"), (_("Jumlah aset"), p.assets_idr, True),
        (_("Liabilitas"), None, True), *group(p.lines, "liability"), (_("Jumlah liabilitas"), p.liabilities_idr, True),
        (_("Ekuitas"), None, True), *group(p.lines, "equity"), (_("Jumlah ekuitas"), p.equity_idr, True),
        (_("Jumlah liabilitas dan ekuitas"), p.liabilities_idr + p.equity_idr, True)])
    ws = book.create_sheet(_("Aset tetap")[:31])
    ws.append([_("Aset"), _("Tanggal perolehan"), _("Umur (bulan)"), _("Perolehan"), _("Akumulasi penyusutan"),
               _("Nilai buku")])
    for a in s.notes.assets:
        ws.append([safe_cell(str(a.entry.note or a.entry.category)), a.entry.entry_date, a.entry.useful_life_months,
                   a.entry.amount_idr, a.accumulated_idr, a.book_value_idr])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
