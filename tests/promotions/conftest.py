"""Promotion fixtures: an officer, a seller with products, and an event at any stage."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.timeutil import utcnow
from tests.catalog.conftest import make_product, make_store  # noqa: F401  (fixtures)


def event_data(**overrides) -> dict:
    start = utcnow() + timedelta(days=10)
    data = {"title": "Forum Promosi Ekspor Lampung 2026", "title_en": "Lampung Export Promotion Forum 2026",
            "description": "Temu bisnis UMKM Lampung dengan pembeli dari Jepang dan Singapura.",
            "kind": "export_forum", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=2)).isoformat(), "venue": "Bandar Lampung",
            "target_markets": ["JP", "SG"], "categories": ["kopi", "lada"], "exhibitor_quota": 20,
            "application_deadline": (start - timedelta(days=3)).isoformat()}
    data.update(overrides)
    return data


@pytest.fixture
def officer(make_user):
    return make_user(roles=("buyer", "officer"))


@pytest.fixture
def make_event(app, ctx, officer):
    """make_event(status="open", **fields) -> Event moved along its life cycle to `status`."""
    from marketplace.extensions import db
    from promotions.services import create_event, transition_event

    path = ["open", "curate", "publish", "start", "close"]
    reached = {"draft": 0, "open": 1, "curation": 2, "published": 3, "live": 4, "closed": 5}

    def make(status="open", **fields):
        event = create_event(event_data(**fields), actor=officer)
        for action in path[:reached[status]]:
            # a test event "live" before its dates was started early, as an officer confirms
            transition_event(event, action, actor=officer, early=True)
        db.session.commit()
        return event

    return make
