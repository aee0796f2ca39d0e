"""The site header, put together from what each domain registers.

The core's `base.html` knows no domain's endpoints: a domain's `init_app` registers its header
links (`nav_links`, with an optional counter such as the cart's size) and the boxes it adds to
the header (`header_parts`, template names, such as the search box).

    nav_links.register(app, NavLink("orders.cart", _l("Keranjang"), order=20,
                                    counter=cart_size, counter_label=_l("%(n)d produk")))
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request, url_for

from marketplace.hooks import Hook

nav_links = Hook("nav_links", "NavLink entries of the site header.")
header_parts = Hook("header_parts", "Template names included in the header, before the links.")

#: Who sees a link: everyone, signed-in users, sellers, signed-in users without a store yet,
#: trade officers (and admins), admins.
AUDIENCES: dict[str, Callable] = {
    "all": lambda user: True,
    "member": lambda user: user is not None,
    "seller": lambda user: user is not None and user.has_role("seller"),
    "not_seller": lambda user: user is not None and not user.has_role("seller"),
    "officer": lambda user: user is not None and user.is_officer,
    "admin": lambda user: user is not None and user.is_admin,
}


@dataclass(frozen=True)
class NavLink:
    """One header link. `order` places it (lower first); `counter(user)` gives the number shown
    beside it (hidden when 0), read aloud as `counter_label % {"n": count}`; `template` renders
    the link itself (an icon link) with `link`, `href`, `count` and `current`."""

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

    def __post_init__(self):
        if self.audience not in AUDIENCES:
            raise ValueError(f"unknown audience {self.audience!r}")


@dataclass
class ShownLink:
    """A link as the header draws it for this request."""

    link: NavLink
    href: str
    count: int
    current: bool


def links_for(user) -> list[ShownLink]:
    """The header links `user` (None: anonymous) sees on this request, in order."""
    shown = []
    for link in sorted(nav_links.entries(), key=lambda entry: entry.order):
        if not AUDIENCES[link.audience](user):
            continue
        count = link.counter(user) if link.counter is not None else 0
        current = request.endpoint in (link.current_on or (link.endpoint,))
        shown.append(ShownLink(link, url_for(link.endpoint), count, current))
    return shown
