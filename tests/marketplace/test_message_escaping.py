"""Messages built from user data are text wherever they are shown (issue 8, stored XSS).

Every translatable message with parameters (the English catalogue is the registry of them: flash
messages, service errors, field errors, CSV report lines, error pages) is rendered with hostile
values, in both languages, as a flash on a page, as a page's message, and as a form field
error. Every notification kind (the notification registry, orders and promotions) is rendered on
the notifications page and in its e-mail. None may put markup into the page.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.orders.conftest import buyer_client  # noqa: F401  (fixture)

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
PO = Path(__file__).parents[2] / "marketplace/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)([sdif])")


def assert_inert(html: str, what) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html, (what, html[-2000:])
    assert ESCAPED in html, (what, html[-2000:])


def _parameterised_messages() -> list[tuple[str, str | None]]:
    """(msgid, plural msgid or None) of every catalogue message that takes a string parameter."""
    with PO.open("rb") as f:
        catalog = read_po(f)
    found = []
    for message in catalog:
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id, None)
        if ids[0] and any(kind == "s" and name != "num"
                                for name, kind in PLACEHOLDER.findall(ids[0])):
            found.append((ids[0], ids[1]))
    return found


MESSAGES = _parameterised_messages()


def _hostile_params(msgid: str) -> dict:
    return {name: (HOSTILE if kind == "s" else 3) for name, kind in PLACEHOLDER.findall(msgid)}


def _lazy(msgid: str, plural: str | None):
    from flask_babel import lazy_gettext, lazy_ngettext

    params = _hostile_params(msgid + (plural or ""))
    if plural:
        params.pop("num", None)
        return lazy_ngettext(msgid, plural, 2, **params)
    return lazy_gettext(msgid, **params)


def test_the_registry_is_not_empty():
    # the out-of-stock message of the checkout, the one found exploited, is among them
    assert ("Stok %(title)s tidak cukup.", None) in MESSAGES and len(MESSAGES) > 50


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_parameterised_message_renders_escaped(app, lang):
    from flask import flash, render_template, render_template_string
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class OneField(FlaskForm):
        class Meta:
            csrf = False

        title = StringField("Judul")

    for msgid, plural in MESSAGES:
        with app.test_request_context("/"), force_locale(lang):
            message = _lazy(msgid, plural)
            # as a flash (lazy, as services' messages are flashed) and as a page's message
            flash(message, "error")
            flash(str(message), "info")
            page = render_template("errors/error.html", status=409, message=message)
            assert_inert(page, msgid)
            assert page.count(ESCAPED) >= 3, msgid
            # as a field error under a form field
            form = OneField()
            form.title.errors = [message]
            assert_inert(render_template_string(
                '{% from "partials/form_field.html" import field %}{{ field(form.title) }}',
                form=form), msgid)
            # inside a template's own translated sentence
            assert_inert(render_template_string("{{ _('Masalah: %(m)s', m=m) }}", m=message), msgid)


def test_lazy_messages_in_json_stay_plain_text(app):
    from flask import json
    from flask_babel import lazy_gettext

    with app.test_request_context("/"):
        body = json.loads(json.dumps({"m": lazy_gettext("Stok %(title)s tidak cukup.", title=HOSTILE)}))
    assert body == {"m": f"Stok {HOSTILE} tidak cukup."}


# --- notifications ----------------------------------------------------------------------------

def _notification_kinds() -> dict:
    """Every kind the domains registered (orders, promotions), with its text."""
    from marketplace.notifications import all_messages

    return all_messages()


def test_every_notification_kind_renders_escaped_on_the_page_and_in_mail(
        app, make_user, login, db):
    from flask_babel import force_locale

    from marketplace.mailer import compose
    from marketplace.notifications import Notification, Plural

    kinds = _notification_kinds()
    assert {"order_placed", "quote_received", "application_rejected"} <= set(kinds)
    for lang in ("id", "en"):
        reader = make_user(name=HOSTILE)
        reader.locale = lang
        for kind, template in kinds.items():
            text = template.singular if isinstance(template, Plural) else template._args[0]
            params = {name: HOSTILE for name, _kind in PLACEHOLDER.findall(text)}
            if isinstance(template, Plural):
                params[template.count] = 3
            db.session.add(Notification(user_id=reader.id, kind=kind, params=params, url="/pesanan"))
        db.session.commit()
        client = app.test_client()
        login(client, reader)
        page = "".join(client.get(f"/notifikasi?page={n}").get_data(as_text=True) for n in (1, 2))
        assert_inert(page, lang)
        assert page.count(ESCAPED) >= len(kinds), lang
        # e-mails are plain text only: no part a mail client would render as HTML
        for notification in db.session.scalars(
                db.select(Notification).where(Notification.user_id == reader.id)):
            with force_locale(lang):
                mail = compose(notification, reader, "https://pasar.test")
            assert mail.get_content_type() == "text/plain" and not mail.is_multipart()
            assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]


def test_a_real_order_with_hostile_names_notifies_escaped(app, buyer_client, make_store,
                                                          make_product, login, db):
    from tests.orders.test_state_and_notifications import move, place

    # given a store, a product and a buyer all named with markup
    store = make_store(name="Toko " + HOSTILE)
    product = make_product(store=store, title="Kopi " + HOSTILE, stock=5)
    client, buyer = buyer_client()
    buyer.name = HOSTILE
    db.session.commit()
    # when the buyer orders and cancels with a hostile reason
    order = place(client, product)
    assert move(client, order["id"], "cancel", reason="Batal " + HOSTILE).status_code == 200
    # then the seller's notifications show all of it as text
    seller = app.test_client()
    login(seller, store.owner)
    page = seller.get("/notifikasi").get_data(as_text=True)
    assert_inert(page, "seller notifications")
    assert page.count(ESCAPED) >= 2
    # and so does the buyer's order page
    assert_inert(client.get(f"/pesanan/{order['id']}").get_data(as_text=True), "order page")


def test_csv_import_report_shows_hostile_values_as_text(app, make_store, login):
    import io

    from tests.catalog.test_csv_import import HEADER, csv_bytes, row

    store = make_store()
    client = app.test_client()
    login(client, store.owner)
    data = csv_bytes([row(HOSTILE, category=HOSTILE), row(HOSTILE)], header=HEADER + (HOSTILE,))
    response = client.post("/jual/produk/impor", data={"file": (io.BytesIO(data), "produk.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert_inert(page, "csv report")


def test_no_template_marks_messages_safe():
    """`|safe` and `Markup(` are the ways around autoescaping; only audited uses remain: search
    highlights (`search.text.marked` escapes every character of a fragment anew and keeps only
    `<em>`, so no template needs `|safe`), the currency hint (Markup.format escapes its
    arguments), the home page's sections (the output of render_template, autoescaped) and the
    QRIS code (`orders.payments.qris.qr_svg`: segno's SVG, path data and a title segno escapes)."""
    root = Path(__file__).parents[2]
    safe = {str(p.relative_to(root)) for p in root.glob("*/templates/**/*.html")
            if re.search(r"\|\s*safe\b", p.read_text())}
    assert safe == set(), safe
    markup = {str(p.relative_to(root)) for package in ("marketplace", "catalog", "orders", "search",
                                                      "promotions")
              for p in (root / package).rglob("*.py") if "Markup(" in p.read_text()}
    assert markup <= {"marketplace/money/views.py", "search/text.py", "catalog/home.py",
                      "orders/payments/qris.py"}, markup
