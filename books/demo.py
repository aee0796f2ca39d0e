"""Demo books: last month of a few demo stores (the demo seller's first), so the books page and
the statements show a real month on `make run`."""
from __future__ import annotations

import random
from datetime import timedelta

from books.services import record_entry, record_stock_count
from catalog.models import Store
from marketplace.money.rates import today_wib

#: (day of the month, kind, category, method, share of the month's cash sales, note)
MONTH = (
    (1, "owner_in", "capital", "bank", 1.0, "Modal awal bulan"),
    (3, "expense", "materials", "bank", 0.35, "Bahan baku"),
    (8, "income", "cash_sale", "cash", 0.4, "Penjualan di pasar"),
    (10, "expense", "transport", "cash", 0.03, "Ongkos angkut"),
    (15, "expense", "materials", "credit", 0.1, "Bahan baku, bayar akhir bulan"),
    (20, "income", "cash_sale", "cash", 0.6, "Penjualan pameran"),
    (25, "expense", "wages", "cash", 0.2, "Upah dua pekerja"),
    (27, "expense", "utilities", "bank", 0.02, "Listrik dan internet"),
)


def seed_books(stores: list[Store], rng: random.Random) -> None:
    """Last month's entries and stock count for the first three new demo stores."""
    first = (today_wib().replace(day=1) - timedelta(days=1)).replace(day=1)
    for store in stores[:3]:
        sales = rng.randrange(8_000_000, 30_000_000, 50_000)
        for day, kind, category, method, share, note in MONTH:
            amount = max(1_000, round(sales * share, -3))
            record_entry(store, {"date": first.replace(day=day), "kind": kind, "category": category,
                                 "amount_idr": int(amount), "method": method, "note": note}, actor=store.owner)
        record_entry(store, {"date": first.replace(day=5), "kind": "asset", "category": "equipment",
                             "amount_idr": 4_800_000, "method": "bank", "note": "Mesin pengemas"},
                     actor=store.owner)
        record_stock_count(store, {"date": first.replace(day=28), "amount_idr": int(round(sales * 0.1, -3))},
                           actor=store.owner)
