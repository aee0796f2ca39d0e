"""The cart: kept in the session for guests and in the database for buyers, merged at login.

Quantities are checked against stock and the minimum order quantity as they change, and each
line's unit price follows the product's wholesale tiers. Totals are always computed here, on
the server, from the database.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from catalog.models import Product, ProductStatus, Store, WholesaleTier
from marketplace.accounts.models import User
from marketplace.errors import Conflict, NotFound, ValidationError
from marketplace.extensions import db
from marketplace.hooks import Hook
from orders.models import CartItem
from orders.shipping import ShippingOption, ShippingPlan, plan_for, shipping_options, zone_for

SESSION_KEY = "cart"
MAX_LINES = 100

#: Other domains offer special prices through this hook (promotions: event prices while the
#: event runs). Each takes product ids and returns {product_id: (unit_price_idr, source)}; the
#: lowest of the tier price and the offered prices wins, and its source is kept on the order.
price_offers = Hook("price_offers", "Functions (product_ids) -> {id: (unit_price_idr, source)}.")


class Bag:
    """Where a cart's quantities live. `GuestBag` (a session mapping) or `UserBag` (the database)."""

    def quantities(self) -> dict[int, int]:
        raise NotImplementedError

    def put(self, product_id: int, quantity: int) -> None:
        raise NotImplementedError

    def remove(self, product_id: int) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError


class GuestBag(Bag):
    def __init__(self, session: MutableMapping):
        self.session = session

    def quantities(self) -> dict[int, int]:
        return {int(k): int(v) for k, v in (self.session.get(SESSION_KEY) or {}).items()}

    def _save(self, data: dict[int, int]) -> None:
        self.session[SESSION_KEY] = {str(k): v for k, v in data.items()}

    def put(self, product_id: int, quantity: int) -> None:
        data = self.quantities()
        data[product_id] = quantity
        self._save(data)

    def remove(self, product_id: int) -> None:
        data = self.quantities()
        data.pop(product_id, None)
        self._save(data)

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)


class UserBag(Bag):
    def __init__(self, user: User):
        self.user = user

    def quantities(self) -> dict[int, int]:
        return dict(db.session.execute(
            sa.select(CartItem.product_id, CartItem.quantity)
            .where(CartItem.user_id == self.user.id).order_by(CartItem.added_at)).all())

    def put(self, product_id: int, quantity: int) -> None:
        item = db.session.get(CartItem, (self.user.id, product_id))
        if item is None:
            db.session.add(CartItem(user_id=self.user.id, product_id=product_id, quantity=quantity))
        else:
            item.quantity = quantity
        db.session.flush()

    def remove(self, product_id: int) -> None:
        db.session.execute(sa.delete(CartItem).where(CartItem.user_id == self.user.id,
                                                     CartItem.product_id == product_id))

    def clear(self) -> None:
        db.session.execute(sa.delete(CartItem).where(CartItem.user_id == self.user.id))


def bag_for(user: User | None, session: MutableMapping) -> Bag:
    if user is not None and getattr(user, "is_authenticated", False):
        return UserBag(user)
    return GuestBag(session)


def _buyable(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None or product.status != ProductStatus.ACTIVE:
        raise NotFound(_l("Produk tidak ditemukan atau tidak dijual lagi."))
    return product


def check_quantity(product: Product, quantity: int) -> None:
    """Refuse a quantity under the minimum order (422) or above the stock (409)."""
    if quantity < product.min_order_qty:
        raise ValidationError(fields={"quantity": _l(
            "Minimal pembelian %(n)d.", n=product.min_order_qty)})
    if quantity > product.stock:
        message = (_l("Stok habis.") if product.stock <= 0 else
                   _l("Stok tinggal %(n)d.", n=product.stock))
        raise Conflict(message, code="out_of_stock", fields={"quantity": message})


def set_quantity(bag: Bag, product_id: int, quantity, *, actor: User | None) -> None:
    """Put `quantity` of a product in the cart (0 removes it)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        try:
            quantity = int(str(quantity).strip())
        except ValueError:
            raise ValidationError(fields={"quantity": _l("Harus bilangan bulat.")}) from None
    if quantity < 0:
        raise ValidationError(fields={"quantity": _l("Minimal %(n)s.", n=0)})
    if quantity == 0:
        bag.remove(product_id)
        return
    product = _buyable(product_id)
    if actor is not None and getattr(actor, "is_authenticated", False) and product.store.owner_id == actor.id:
        raise Conflict(_l("Anda tidak dapat membeli produk toko sendiri."), code="own_product")
    check_quantity(product, quantity)
    if product_id not in bag.quantities() and len(bag.quantities()) >= MAX_LINES:
        raise Conflict(_l("Keranjang sudah penuh."), code="cart_full")
    bag.put(product_id, quantity)


def merge_guest_cart(guest: GuestBag, user: User) -> None:
    """At login, move the guest's lines into the buyer's cart (the guest's quantity wins),
    skipping what can no longer be bought; stock problems show on the cart page."""
    into = UserBag(user)
    for product_id, quantity in guest.quantities().items():
        product = db.session.get(Product, product_id)
        if product is None or product.status != ProductStatus.ACTIVE or product.store.owner_id == user.id:
            continue
        into.put(product_id, quantity)
    guest.clear()


@dataclass
class Line:
    product: Product
    quantity: int
    unit_price_idr: int
    line_total_idr: int
    problem: str | None = None   # "out_of_stock", "below_moq", "unavailable"
    source: str | None = None    # where a special price came from ("event:<slug>", "quote:<id>")
    next_tier: WholesaleTier | None = None  # the next cheaper tier the buyer can still reach


def reachable_next_tier(product: Product, quantity: int, unit_price_idr: int) -> WholesaleTier | None:
    """The wholesale tier to suggest ("buy 9 more for ..."): the next one above `quantity`, only
    when the stock holds its minimum and it is cheaper than the price the line already has (an
    event price may be lower). Deeper tiers need even more units, so none is offered past it."""
    upcoming = next((t for t in product.tiers if t.min_qty > quantity), None)
    if upcoming is None or upcoming.min_qty > product.stock:
        return None
    if upcoming.unit_price_idr >= unit_price_idr:
        return None
    return upcoming


@dataclass
class StoreGroup:
    store: Store
    lines: list[Line] = field(default_factory=list)
    subtotal_idr: int = 0
    weight_g: int = 0
    shipping_idr: int | None = None
    zone: str | None = None
    plan: ShippingPlan | None = None
    #: the services the store offers to the destination, cheapest first (once it is known)
    options: list[ShippingOption] = field(default_factory=list)
    #: the buyer's choice among them (the cheapest unless they chose another)
    choice: ShippingOption | None = None
    #: a service code the buyer asked for that the store does not offer there
    refused_choice: str | None = None

    @property
    def missing_for_free(self) -> int | None:
        """Rupiah more to spend here for free shipping (0: reached; None: no threshold)."""
        return self.plan.missing_for_free(self.subtotal_idr) if self.plan else None


@dataclass
class CartView:
    groups: list[StoreGroup]
    total_idr: int
    shipping_known: bool

    @property
    def lines(self) -> list[Line]:
        return [line for g in self.groups for line in g.lines]

    @property
    def problems(self) -> list[Line]:
        return [line for line in self.lines if line.problem]

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def unshippable(self) -> list[StoreGroup]:
        """Stores that offer no service to the destination."""
        return [g for g in self.groups if self.shipping_known and g.choice is None]


def build_cart(quantities: dict[int, int], address: dict | None = None,
               fixed_prices: dict[int, tuple[int, str]] | None = None,
               shipping_choices: dict[str, str] | None = None) -> CartView:
    """Price a cart from the database: tier prices (or a better price a `price_offers` hook entry offers),
    per-store subtotals, shipping (when the address is known) and the total.

    `fixed_prices` ({product_id: (unit price, source)}) are agreed prices, such as an accepted
    quote: they replace every other price and the minimum order quantity.
    `shipping_choices` ({store slug: service code}) are the buyer's courier services; a store
    without one ships with its cheapest, and a code the store does not offer there is kept in
    `refused_choice` (the cheapest is priced meanwhile; placing refuses it).
    """
    if not quantities:
        return CartView([], 0, address is not None)
    products = db.session.scalars(
        sa.select(Product).where(Product.id.in_(quantities))
        .options(so.joinedload(Product.store), so.selectinload(Product.images))).all()
    offers: dict[int, tuple[int, str]] = {}
    for offered in price_offers.call(list(quantities)):
        for product_id, (price, source) in offered.items():
            if product_id not in offers or price < offers[product_id][0]:
                offers[product_id] = (price, source)
    fixed_prices = fixed_prices or {}
    by_store: dict[int, StoreGroup] = {}
    for product in sorted(products, key=lambda p: (p.store_id, p.id)):
        quantity = quantities[product.id]
        problem = None
        if product.status != ProductStatus.ACTIVE:
            problem = "unavailable"
        elif quantity > product.stock:
            problem = "out_of_stock"
        elif quantity < product.min_order_qty and product.id not in fixed_prices:
            problem = "below_moq"
        unit, source = product.unit_price_for(quantity), None
        if product.id in fixed_prices:
            unit, source = fixed_prices[product.id]
        elif product.id in offers and offers[product.id][0] < unit:
            unit, source = offers[product.id]
        group = by_store.setdefault(product.store_id, StoreGroup(product.store))
        hint = None if problem or product.id in fixed_prices else reachable_next_tier(
            product, quantity, unit)
        group.lines.append(Line(product, quantity, unit, unit * quantity, problem, source, hint))
        group.subtotal_idr += unit * quantity
        group.weight_g += product.weight_g * quantity
    total = 0
    choices = shipping_choices or {}
    for group in by_store.values():
        group.plan = plan_for(group.store)
        if address is not None:
            group.zone = zone_for(group.store, address)
            group.options = shipping_options(group.plan, group.zone, group.weight_g, group.subtotal_idr)
            wanted = choices.get(group.store.slug)
            group.choice = next((o for o in group.options if o.code == wanted), None)
            if wanted and group.choice is None:
                group.refused_choice = wanted
            group.choice = group.choice or (group.options[0] if group.options else None)
            if group.choice is not None:
                group.shipping_idr = group.choice.cost_idr
                total += group.shipping_idr
        total += group.subtotal_idr
    return CartView(list(by_store.values()), total, address is not None)
