"""Property-based: random sequences of checkouts, payments (a whole checkout, or one order's
transfer), deliveries, receipts, refunds, cancellations, payout reservations, payouts paid or
failed, and replays of what was posted, with the ledger's invariants checked after every step
against a model kept apart from it (Hypothesis)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.orders.ledger_checks import assert_books_hold, buy, deliver

index = st.integers(min_value=0, max_value=30)
advance = st.tuples(st.just("advance"), index, st.booleans(), st.integers(1, 3))
reserve = st.tuples(st.just("reserve"), st.integers(0, 1), st.integers(1, 100))
settle = st.tuples(st.just("settle"), index, st.booleans())
# (moving orders along their life is most of what happens; payouts need released money first,
# so they are drawn more often than they can happen)
steps = st.one_of(
    advance,  # (first: Hypothesis draws the first branch most, and shrinks towards it)
    reserve, settle, advance,
    st.tuples(st.just("refund"), index, st.integers(1, 100)),
    advance,
    st.tuples(st.just("checkout"), st.sampled_from([(0,), (1,), (0, 1)]), st.integers(1, 3)),
    st.tuples(st.just("cancel"), index),
    reserve, settle,
    st.tuples(st.just("replay")),
)


class World:
    """The marketplace under test and, beside the ledger, what each store should have."""

    def __init__(self, db, make_user, make_product, rate_bp: int):
        from orders.ledger.commission import set_commission_rate

        self.db = db
        self.buyer = make_user()
        self.products = [make_product(price_idr=price, stock=10_000) for price in (12_345, 40_000)]
        self.stores = [p.store for p in self.products]
        admin = make_user(roles=("admin",))
        set_commission_rate(rate_bp=rate_bp, store_slug=self.stores[0].slug, actor=admin)
        db.session.commit()
        self.rate_bp = rate_bp
        self.checkouts, self.orders = [], []
        self.available = {s.id: 0 for s in self.stores}
        self.payouts = []  # [store id, amount, settled?]
        self.paid_out = {s.id: 0 for s in self.stores}
        self.step(("checkout", (0, 1), 1))  # a first checkout of both stores to start from

    def pick(self, items, i):
        """The i-th (modulo) of the items a step can act on, or None: the step does nothing."""
        return items[i % len(items)] if items else None

    def where(self, *statuses):
        return [o for o in self.orders if o.status in statuses]

    def step(self, step) -> None:  # noqa: C901 (one branch per kind of step)
        from marketplace.errors import DomainError
        from orders import services
        from orders.ledger import service as ledger
        from orders.payments import service as payments

        kind, *args = step
        db = self.db
        try:
            if kind == "checkout":
                which, quantity = args
                checkout = buy(self.buyer, {self.products[i]: quantity for i in which})
                self.checkouts.append(checkout)
                self.orders += checkout.orders
            elif kind == "advance":
                # one order one to three steps on: paid (its whole checkout at once, or by
                # itself), then shipped and delivered, then received by the buyer
                order, whole, stages = self.pick(self.where("pending_payment", "paid", "delivered"),
                                                  args[0]), args[1], args[2]
                for _ in range(stages if order is not None else 0):
                    self.advance(order, whole)
            elif kind == "refund":
                order, percent = self.pick([o for o in self.orders if any(e.action == "pay" for e in o.events)
                                            and o.total_idr > o.refunded_idr], args[0]), args[1]
                if order is not None:
                    amount = max(1, (order.total_idr - order.refunded_idr) * percent // 100)
                    after_release = order.status == "completed"
                    payments.refund_order(order, amount, reason="acak", actor=order.store.owner)
                    if after_release:
                        self.available[order.store_id] -= amount
            elif kind == "cancel":
                order = self.pick(self.where("pending_payment", "paid"), args[0])
                if order is not None:
                    services.act(order, "cancel", actor=self.buyer)
            elif kind == "reserve":
                store_id, percent = self.stores[args[0]].id, args[1]
                amount = self.available[store_id] * percent // 100
                if amount > 0:
                    self.payouts.append([store_id, amount, False])
                    ledger.payout_reserved(store_id, amount, payout_id=len(self.payouts))
                    self.available[store_id] -= amount
            elif kind == "settle":
                open_ = [(n, p) for n, p in enumerate(self.payouts, 1) if not p[2]]
                chosen = self.pick(open_, args[0])
                if chosen is not None:
                    number, payout = chosen
                    store_id, amount, _ = payout
                    if args[1]:
                        ledger.payout_paid(store_id, amount, payout_id=number)
                        self.paid_out[store_id] += amount
                    else:
                        ledger.payout_failed(store_id, amount, payout_id=number)
                        self.available[store_id] += amount
                    payout[2] = True
            elif kind == "replay":
                before = assert_books_hold()
                for checkout in self.checkouts:
                    if checkout.payment_status == "paid":
                        ledger.record_payment(checkout)
                for order in self.orders:
                    if order.status == "completed":
                        ledger.release_order(order)
                db.session.flush()
                assert assert_books_hold() == before
            db.session.commit()
        except DomainError:
            db.session.rollback()
            raise

    def advance(self, order, whole: bool) -> None:
        from orders import services
        from orders.payments import service as payments

        if order.status == "pending_payment":
            payments.mark_paid(order.checkout)  # the whole checkout's money at once (its live orders)
        elif order.status == "paid":
            deliver(order)
        elif order.status == "delivered":
            released = order.total_idr - order.refunded_idr
            services.confirm_receipt(order, actor=self.buyer)
            fee = 0
            if order.store_id == self.stores[0].id:
                goods = max(0, min(order.subtotal_idr, released - order.shipping_idr))
                fee = goods * self.rate_bp // 10_000
            self.available[order.store_id] += released - fee
        self.db.session.flush()

    def check(self) -> None:
        """The books hold, and every balance is what the model says."""
        from orders.ledger.service import store_balance

        balances = assert_books_hold()
        owed_to_buyer = 0
        for store in self.stores:
            pending = 0
            for order in self.orders:
                paid = any(e.action == "pay" for e in order.events)
                held = balances.get(f"held:order:{order.id}", 0)
                assert held >= 0
                if order.store_id == store.id and paid:
                    expected = 0 if order.status in ("completed", "cancelled") else order.total_idr - order.refunded_idr
                    assert held == expected, (order.id, order.status)
                    pending += expected
            in_transit = sum(p[1] for p in self.payouts if p[0] == store.id and not p[2])
            assert store_balance(store) == {"pending_idr": pending, "available_idr": self.available[store.id],
                                            "in_transit_idr": in_transit, "paid_out_idr": self.paid_out[store.id]}
        for order in self.orders:
            owed_to_buyer += order.refunded_idr
        assert balances.get(f"refunds_payable:buyer:{self.buyer.id}", 0) == owed_to_buyer
        received = sum(o.total_idr for o in self.orders if any(e.action == "pay" for e in o.events))
        # a transfer also brought its unique code, the platform's revenue
        received += sum(c.unique_code for c in self.checkouts if c.payment_status in ("paid", "refunded"))
        assert balances.get("cash:bank", 0) == received - sum(self.paid_out.values())


@settings(max_examples=20, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rate_bp=st.sampled_from([0, 250, 1000]), sequence=st.lists(steps, min_size=15, max_size=35))
def test_random_money_paths_keep_the_books(app, db, make_user, make_product, rate_bp, sequence):
    from tests.conftest import add_platform_account, clean_database

    # given a clean marketplace: two stores, one with a commission rate, and a buyer
    db.session.remove()  # (this context's session lets go of its rows before the truncation)
    clean_database(app)
    add_platform_account(app)  # where the buyers transfer to
    world = World(db, make_user, make_product, rate_bp)
    # when the steps happen one by one, then after each the books and the model agree
    for step in sequence:
        world.step(step)
        world.check()
