"""The seller's analytics pages: `/jual/analitik` (cards, a chart, the numbers as tables),
its CSV, and the key figures on the seller's dashboard (`catalog.views.dashboard_sections`)."""
from __future__ import annotations

import csv
import io

from babel import Locale
from flask import Response, render_template, request
from flask_babel import gettext as _

from books import analytics, bp, charts
from catalog.access import store_required
from catalog.home import HomeSection
from catalog.models import Store
from marketplace.errors import ValidationError
from marketplace.spreadsheet import safe_cell
from marketplace.web import acting_user, current_lang


def _country_name(code: str) -> str:
    return Locale.parse(current_lang()).territories.get(code, code)


def _period_from_request() -> tuple[analytics.Period, dict]:
    """The period the query string asks for; on a bad one, the default and the messages."""
    try:
        return analytics.period_from(request.args.get("periode"), request.args.get("from"),
                                     request.args.get("to")), {}
    except ValidationError as exc:
        return analytics.preset_period(analytics.DEFAULT_PRESET), {k: str(v) for k, v in exc.fields.items()}


@bp.get("/jual/analitik")
@store_required
def analytics_page(store: Store):
    """The store's sales for a preset or a chosen range, against the period before."""
    period, errors = _period_from_request()
    report = analytics.report_for(store, period, actor=acting_user(), country_name=_country_name)
    return render_template(
        "books/analytics.html", store=store, report=report, period=period, errors=errors,
        presets=_preset_labels(), chosen_from=request.args.get("from", ""),
        chosen_to=request.args.get("to", ""),
        revenue_chart=charts.revenue_chart(report.series, report.bucket),
        products_chart=charts.top_products_chart(report.top_products) if report.top_products else None)


def _preset_labels() -> list[tuple[str, str]]:
    return [("today", _("Hari ini")), ("7d", _("7 hari")), ("30d", _("30 hari")), ("365d", _("365 hari"))]


def report_csv(report: analytics.Report, delimiter: str = ",") -> str:
    """The page's numbers as CSV: the totals, the series, the products, the regions, the RFQs."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")

    def row(*cells):
        writer.writerow([safe_cell(cell) for cell in cells])

    s, period = report.summary, report.summary.period
    previous = period.previous()
    row(_("Bagian"), _("Dari"), _("Sampai"), _("Pendapatan (Rp)"), _("Pesanan"), _("Unit"),
        _("Rata-rata pesanan (Rp)"), _("Dilihat"))
    for label, when, totals, views in ((_("Periode"), period, s.current, s.views),
                                       (_("Periode sebelumnya"), previous, s.previous, s.previous_views)):
        row(label, when.start.isoformat(), when.end.isoformat(), totals.revenue_idr, totals.orders,
            totals.units, totals.average_order_idr, views)
    row()
    row(_("Tanggal"), _("Sampai"), _("Pendapatan (Rp)"), _("Pesanan"), _("Unit"))
    for point in report.series:
        row(point.start.isoformat(), point.end.isoformat(), point.revenue_idr, point.orders, point.units)
    row()
    row(_("Produk"), _("ID produk"), _("Pendapatan (Rp)"), _("Unit"), _("Pesanan"), _("Dilihat"))
    for product in report.top_products:
        row(product.title, product.product_id, product.revenue_idr, product.units, product.orders,
            product.views)
    row()
    row(_("Negara"), _("Provinsi"), _("Pesanan"), _("Pendapatan (Rp)"))
    for place in report.regions.provinces:
        row("ID", place.name or _("Tidak diketahui"), place.orders, place.revenue_idr)
    for place in report.regions.countries:
        if place.country_code != "ID":
            row(place.name, "", place.orders, place.revenue_idr)
    row()
    row(_("Permintaan penawaran (RFQ) diterima"), _("Ditawar"), _("Berhasil"))
    row(report.rfqs.received, report.rfqs.quoted, report.rfqs.won)
    return out.getvalue()


@bp.get("/jual/analitik.csv")
@store_required
def analytics_csv(store: Store):
    """The analytics of the period as CSV (`?pemisah=titik-koma` for Excel in Indonesian)."""
    period, errors = _period_from_request()
    if errors:
        raise ValidationError(fields=errors)
    report = analytics.report_for(store, period, actor=acting_user(), country_name=_country_name)
    delimiter = ";" if request.args.get("pemisah") == "titik-koma" else ","
    filename = f"analitik-{store.slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    return Response(report_csv(report, delimiter), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


def dashboard_figures(store: Store) -> HomeSection:
    """`dashboard_sections` entry: the last 30 days' key figures on the seller's first screen."""
    period = analytics.preset_period("30d")
    found = analytics.summary(store, period.start, period.end)
    return HomeSection("books/analytics_dashboard.html", {"summary": found, "period": period}, order=10)
