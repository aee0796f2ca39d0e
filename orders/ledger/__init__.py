"""The ledger: double-entry, append-only books in integer rupiah of the money the marketplace
holds for buyers and sellers ("rekening bersama").

- `models.py`: accounts, journal entries and lines, commission rates; the append-only guard.
- `posting.py`: `post` (one balanced entry per idempotency key), `balance_of`, `replay`.
- `service.py`: what payments, orders, refunds and payouts post; store balances and statements;
  the `release_blockers` hook.
- `commission.py`: the admin's commission rates per category or store.
- `views.py`, `api.py`: the seller's "Saldo" page and CSV, the admin's commission page, the
  balance and statement API.
"""
