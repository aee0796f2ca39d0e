"""Orders fixtures: shoppers with carts, addresses, and the local Stripe API."""
from __future__ import annotations

import urllib.request

import pytest

from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)
from tests.conftest import local_stripe_api, require_service

JAKARTA = {"name": "Budi Santoso", "phone": "081234567890", "line1": "Jl. Merdeka 10",
           "district": "Gambir", "regency": "31.71", "province": "31", "postal_code": "10110",
           "country": "ID"}
BANDAR_LAMPUNG = {"name": "Siti", "phone": "0812000111", "line1": "Jl. Kartini 5",
                  "regency": "18.71", "province": "18", "postal_code": "35111", "country": "ID"}
TOKYO = {"name": "Yamada Trading", "phone": "+81 3 1234 5678", "line1": "1-2-3 Nihonbashi",
         "regency": "Chuo-ku", "province": "Tokyo", "postal_code": "103-0027", "country": "JP"}

WEBHOOK_SECRET = "whsec_test_pasar"


@pytest.fixture
def buyer_client(app, make_user, login):
    """buyer_client() -> (client, buyer): a logged-in buyer."""

    def make():
        buyer = make_user()
        client = app.test_client()
        login(client, buyer)
        return client, buyer

    return make


@pytest.fixture
def stripe_api(app):
    """The local Stripe API (localstripe) that `make test` starts (one per xdist worker);
    emptied for each test."""
    base, why_not = local_stripe_api()  # under xdist, this worker's own
    require_service("local Stripe API", bool(base), why_not)
    req = urllib.request.Request(f"{base}/_config/data", method="DELETE")
    urllib.request.urlopen(req, timeout=10).close()
    saved = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_pasar", STRIPE_API_BASE=base,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    yield base
    app.config.update(saved)


def card(base: str, number: str = "4242424242424242") -> str:
    """A PaymentMethod id for a test card, made the way Stripe.js would make it."""
    import stripe

    client = stripe.StripeClient("sk_test_pasar", base_addresses={"api": base}, max_network_retries=0)
    return client.v1.payment_methods.create({"type": "card", "card": {
        "number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}).id
