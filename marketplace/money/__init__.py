"""Money display: rupiah always; other currencies for export buyers at rates an admin sets.

Prices, totals and charges are integer rupiah. A buyer may choose to *see* an approximate
amount in another currency next to the rupiah price; the rate and its date are shown with it,
and nothing is ever charged in it.

- `rates`: the `ExchangeRate` model and its rules (`set_rate`, `current_rate`, `convert`, ...).
- `views`: the `price` template global (the one way a page shows a price: rupiah, plus the
  approximate amount in the chosen currency), `currency_notice` (the rate and its date, or that
  the chosen currency has no rate, under the header of every page: `money/_notice.html`), the
  header's currency switch (`/mata-uang`, kept across login) and the admins' rates page
  (`/admin/kurs`).
- `forms`: the two forms of those pages.
"""
from flask import Blueprint

bp = Blueprint("money", __name__, template_folder="templates")


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from marketplace.accounts.views import kept_on_login
    from marketplace.money import rates, views  # noqa: F401  (the model and routes register on import)
    from marketplace.navigation import NavLink, nav_links

    app.register_blueprint(bp)
    kept_on_login.register(app, views.SESSION_KEY)
    nav_links.register(app, NavLink("money.exchange_rates", _l("Kurs"), audience="admin", order=85))
