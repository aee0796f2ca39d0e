"""Payments: what money does to checkouts and orders, in one place.

- `service`: paying (`start_card_payment`, `mark_paid`), keeping a checkout's
  payment status in step (`settle_checkout`), refunds (`refund_order`, `record_outside_refund`),
  expiry of unpaid checkouts (`expire_unpaid`) and reconciliation with Stripe (`apply_intent`,
  `reconcile`).
- `webhooks`: Stripe's signed events, processed exactly once, through `service`.
- `stripe`: the gateway; the only module that imports the Stripe SDK.
- `escrow`: the marketplace collects every payment (rekening bersama): its bank accounts and
  merchant QRIS, unique codes for transfers, dynamic QRIS, finance confirming payments one by
  one or from an uploaded statement.
- `qris`, `banks`, `statement`: pure building blocks of payments to the marketplace's own
  account: QRIS payloads and their QR code, the Indonesian banks and account numbers, bank
  statements (CSV) and matching their credits to open payments.
"""
