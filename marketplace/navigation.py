"""The site header and the phone's bottom navigation, put together from what each domain registers.

The core's `base.html` knows no domain's endpoints: a domain's `init_app` registers its header
links (`nav_links`, with an optional counter such as the cart's size), the boxes it adds to
the header (`header_parts`, template names, such as the search box) and the main places of each
role in the bottom navigation of phones (`bottom_nav`, with an icon name of
`partials/icons.html`).

A header link sits in the account menu (`placement="menu"`, the default: a `<details>` that
works without JavaScript) or as an icon in the header's bar (`placement="bar"`: the cart, the
notification bell).

    nav_links.register(app, NavLink("orders.cart", _l("Keranjang"), order=20, placement="bar",
                                    counter=cart_size, counter_label=_l("Keranjang, %(n)d produk")))
    bottom_nav.register(app, NavLink("catalog.home", _l("Beranda"), audience="shopper",
                                     order=10, icon="home"))
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import g, request, url_for

from marketplace.hooks import Hook

nav_links = Hook("nav_links", "NavLink entries of the site header.")
header_parts = Hook("header_parts", "Template names included in the header, before the links.")
bottom_nav = Hook("bottom_nav", "NavLink entries (with an icon) of the phone's bottom navigation.")

PLACEMENTS = ("menu", "bar")

#: Who sees a link: everyone, signed-in users, sellers, signed-in users without a store yet,
#: shoppers (anonymous visitors and users who are not sellers: the buyer's bottom navigation),
#: trade officers (and admins), finance (and admins), admins.
AUDIENCES: dict[str, Callable] = {
    "all": lambda user: True,
    "shopper": lambda user: user is None or not user.has_role("seller"),
    "member": lambda user: user is not None,
    "seller": lambda user: user is not None and user.has_role("seller"),
    "not_seller": lambda user: user is not None and not user.has_role("seller"),
    "officer": lambda user: user is not None and user.is_officer,
    "finance": lambda user: user is not None and (user.has_role("finance") or user.is_admin),
    "admin": lambda user: user is not None and user.is_admin,
}


@dataclass(frozen=True)
class NavLink:
    """One header link. `order` places it (lower first); `counter(user)` gives the number shown
    beside it (hidden when 0), read aloud as `counter_label % {"n": count}`; `template` renders
    the link itself (an icon link) with `link`, `href`, `count` and `current`; `placement` puts
    a header link in the account menu or the header's bar; `icon` names the bottom navigation's
    picture."""

    endpoint: str
    label: object
    audience: str = "all"
    order: int = 50
    counter: Callable | None = None
    counter_label: object = None
    css_class: str = ""
    template: str | None = None
    #: endpoints on which this link is the current page (default: its own)
    current_on: tuple[str, ...] = field(default=())
    placement: str = "menu"
    icon: str | None = None

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")
        if self.placement not in PLACEMENTS:
            raise ValueError(f"unknown placement {self.placement!r}")


@dataclass
class ShownLink:
    """A link as the header draws it for this request."""

    link: NavLink
    href: str
    count: int
    current: bool


def _count(link: NavLink, user) -> int:
    """The link's counter for this request, worked out once even when the header and the bottom
    navigation both show it (the cart's size is a query)."""
    if link.counter is None:
        return 0
    counts = g.setdefault("_nav_counts", {})
    key = (link.counter, getattr(user, "id", None))
    if key not in counts:
        counts[key] = link.counter(user)
    return counts[key]


def _shown(entries: list[NavLink], user) -> list[ShownLink]:
    shown = []
    for link in sorted(entries, key=lambda entry: entry.order):
        if not AUDIENCES[link.audience](user):
            continue
        current = request.endpoint in (link.current_on or (link.endpoint,))
        shown.append(ShownLink(link, url_for(link.endpoint), _count(link, user), current))
    return shown


def links_for(user, placement: str | None = None) -> list[ShownLink]:
    """The header links `user` (None: anonymous) sees on this request, in order; only those of
    `placement` ("menu" or "bar") when given."""
    entries = [e for e in nav_links.entries() if placement in (None, e.placement)]
    return _shown(entries, user)


def bottom_links_for(user) -> list[ShownLink]:
    """The bottom navigation `user` (None: anonymous) sees on this request, in order."""
    return _shown(bottom_nav.entries(), user)
