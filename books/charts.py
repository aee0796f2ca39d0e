"""Charts of the analytics page, drawn on the server by pygal as inline SVG.

pygal escapes every text it writes (labels, titles, product names: ElementTree serialises
them), so the SVG is safe to put in the page as Markup; a test holds a product named with
markup to that. What pygal adds for its interactive mode is taken out (`_for_our_page`):
its `<script>` (the page's Content-Security-Policy runs no inline script), its `<style>` and
`style` attributes (the policy allows only our stylesheet: the chart's look is in app.css,
`.analytics-chart`). The SVG has a viewBox and no fixed size, so it fills the width of a
360 px phone and of a desktop column alike.
"""
from __future__ import annotations

import pygal
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from marketplace.i18n import local_date, number

WIDTH, HEIGHT = 480, 300


def _for_our_page(root):
    """pygal's xml filter: drop its scripts, styles and inline style attributes."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.rsplit("}", 1)[-1] in ("script", "style"):
                parent.remove(child)
    for node in root.iter():
        if "style" in node.attrib:
            del node.attrib["style"]
    root.attrib.pop("id", None)
    root.set("role", "img")
    return root


def _config(**extra):
    config = pygal.Config()
    config.js = []
    config.css = []
    config.disable_xml_declaration = True
    config.show_legend = False
    config.width, config.height = WIDTH, HEIGHT
    config.margin = 8
    config.x_label_rotation = 0
    config.truncate_label = 12
    config.show_minor_x_labels = False
    for key, value in extra.items():
        setattr(config, key, value)
    return config


def _label(point, bucket: str) -> str:
    if bucket == "month":
        return format_date(point.start, "LLL yyyy")  # "Des 2026"
    return local_date(point.start)


def revenue_chart(points, bucket: str) -> Markup:
    """Revenue per day (week, month) of the period as a bar chart."""
    chart = pygal.Bar(_config(title=_("Pendapatan per %(unit)s", unit=_unit(bucket)),
                              value_formatter=lambda v: "Rp" + number(v)))
    labels = [_label(p, bucket) for p in points]
    chart.x_labels = labels
    step = max(1, len(labels) // 6)
    chart.x_labels_major = labels[::step]
    chart.add(_("Pendapatan"), [p.revenue_idr for p in points])
    return _svg(chart)


def top_products_chart(products) -> Markup:
    """The top products' revenue as horizontal bars, named by their (escaped) titles."""
    chart = pygal.HorizontalBar(_config(title=_("Produk terlaris"), truncate_label=24,
                                        value_formatter=lambda v: "Rp" + number(v)))
    chart.x_labels = [p.title for p in reversed(products)]
    chart.add(_("Pendapatan"), [p.revenue_idr for p in reversed(products)])
    return _svg(chart)


def _svg(chart) -> Markup:
    """The chart's SVG for the page (pygal escaped its texts; see the module's docstring)."""
    chart.add_xml_filter(_for_our_page)
    return Markup(chart.render())


def _unit(bucket: str) -> str:
    return {"day": _("hari"), "week": _("minggu"), "month": _("bulan")}[bucket]
