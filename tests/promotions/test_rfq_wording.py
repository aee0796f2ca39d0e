"""The RFQ page's English: a message's time is "Sent" (not "Shipped"), and before a quote is
accepted nothing says an order was already placed."""
from __future__ import annotations

import re
from datetime import date, timedelta

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def text(response) -> str:
    return response.get_data(as_text=True)


def test_an_offered_quote_reads_as_a_choice_and_the_rfq_time_as_sent(
        app, db, login, make_product, make_user):
    from promotions import trade

    # given an RFQ with a quote on offer
    product = make_product(title="Kopi Robusta Tanggamus", price_idr=80000, stock=500)
    buyer_user = make_user(name="Yamada")
    rfq = trade.create_rfq(buyer_user, {
        "product_id": product.id, "quantity": 200, "destination_country": "JP", "incoterm": "FOB",
        "needed_by": (date.today() + timedelta(days=60)).isoformat()})
    trade.make_quote(rfq, {"unit_price_idr": 72000, "min_qty": 100, "lead_time_days": 1, "port": "Panjang",
                           "valid_until": (date.today() + timedelta(days=14)).isoformat()},
                     actor=product.store.owner)
    db.session.commit()
    buyer = app.test_client()
    login(buyer, buyer_user)
    buyer.post("/bahasa", data={"lang": "en"})
    # when the buyer reads it in English
    page = text(buyer.get(f"/rfq/{rfq.id}"))
    # then the request's time is when it was sent, with its zone
    assert re.search(r"<dt>Sent</dt><dd>\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d WIB</dd>", page)
    assert "Shipped" not in page
    # and the accept box says what accepting will do, not that an order was placed
    assert "If you accept, an order is placed at this quoted price." in page
    assert "was placed" not in page
    assert rfq.quotes[0].order_id is None
    # and a one-day lead time is one day
    assert "ready in 1 day " in page and "1 days" not in page
