"""The strict Content-Security-Policy in a real browser (Debian's Chromium, CSRF on).

The pages whose scripts used to be inline (the store form, the product gallery, the event
countdown) and the inline handlers that became data attributes (auto-submitting selects, the
event-cancel confirmation) must keep working with no CSP violation; and the policy really is
enforced: an injected inline script does not run and is reported.
"""
import re

import sqlalchemy as sa

from promotions.models import Event
from tests.browser.csp import watch_csp
from tests.browser.test_buying import log_in
from tests.catalog.conftest import image_bytes, make_product, make_store  # noqa: F401  (fixtures)
from tests.promotions.conftest import make_event, officer  # noqa: F401  (fixtures)


def regency_provinces(page) -> set[str]:
    """The provinces of the regency options on offer (a regency's code starts with its
    province's; the placeholder has none)."""
    return set(page.locator("#regency_code option").evaluate_all(
        "opts => opts.filter(o => o.value).map(o => o.value.slice(0, 2))"))


def wait_for_regencies(page, province: str) -> None:
    """region-picker.js loads a province's regencies from the API: wait until they are offered."""
    page.wait_for_function(
        "p => document.querySelectorAll(`#regency_code option[value^='${p}.']`).length > 0", arg=province)


def test_policy_is_enforced_and_violations_are_seen(live_server, new_page, db):
    page = new_page()
    violations = watch_csp(page)
    response = page.goto(f"{live_server}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert violations == []
    # an inline script slipped into the page (as an XSS would) is refused, and reported
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.injected = true";
        document.body.appendChild(s);
    }""")
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.injected === undefined")
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in violations), violations


def test_store_form_offers_only_the_chosen_provinces_regencies(live_server, new_page, db, make_user):
    user = make_user(name="Sri Wahyuni")
    page = new_page()
    violations = watch_csp(page)
    log_in(page, live_server, user)
    page.goto(f"{live_server}/jual/toko/baru")

    # before a province is chosen, no regency is offered
    assert regency_provinces(page) == set()
    page.get_by_label("Provinsi", exact=True).select_option("18")          # Lampung
    wait_for_regencies(page, "18")
    assert regency_provinces(page) == {"18"}
    assert page.locator("#regency_code option", has_text="Kota Bandar Lampung").count() == 1
    page.get_by_label("Kabupaten/kota", exact=True).select_option("18.71")
    page.get_by_label("Provinsi", exact=True).select_option("31")          # DKI Jakarta
    wait_for_regencies(page, "31")
    assert regency_provinces(page) == {"31"}
    assert page.get_by_label("Kabupaten/kota", exact=True).input_value() == ""  # not a Jakarta city
    assert violations == []


def test_product_thumbnail_shows_its_photo_in_place(live_server, new_page, db, make_product):
    from catalog.images import add_image

    product = make_product(title="Kain Tapis Motif Kapal")
    owner = product.store.owner
    first = add_image(product, image_bytes(color=(200, 40, 40)), actor=owner)
    second = add_image(product, image_bytes(color=(40, 40, 200)), actor=owner)
    db.session.commit()
    page = new_page()
    violations = watch_csp(page)
    url = f"{live_server}/produk/{product.id}"
    page.goto(url)
    main = page.locator("#gallery-main")
    assert main.get_attribute("src") == f"/media/{first.path}"

    page.get_by_role("link", name="Foto 2 dari 2").click()
    assert main.get_attribute("src") == f"/media/{second.path}"
    # the picture shown is the second one too (the main picture chooses from its srcset)
    assert main.evaluate("img => img.currentSrc").endswith((second.path, second.thumb_path))
    assert page.url == url                      # stayed on the page
    # the new picture loads (decode() waits for it, however slow the machine; rejects if broken)
    assert main.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")
    page.get_by_role("link", name="Foto 1 dari 2").click()
    assert main.get_attribute("src") == f"/media/{first.path}"
    assert violations == []


def test_event_countdown_ticks(live_server, new_page, db, make_event):
    event = make_event(status="published")
    page = new_page()
    violations = watch_csp(page)
    response = page.goto(f"{live_server}/acara/{event.slug}")
    # the server's text has no seconds; the script adds them and counts down
    assert re.search(r'data-countdown[^>]*>9 hari \d+ jam</time>', response.text())
    clock = page.locator("time[data-countdown]")
    page.wait_for_function("() => document.querySelector('time[data-countdown]').textContent.includes('detik')")
    assert re.fullmatch(r"9 hari \d+ jam \d+ menit \d+ detik", clock.inner_text().strip())
    before = clock.inner_text()
    page.wait_for_function("(t) => document.querySelector('time[data-countdown]').textContent !== t",
                           arg=before)
    assert violations == []


def test_event_countdown_stops_at_zero_and_switches_its_text(live_server, new_page, db, make_event):
    # given a published event starting in a few seconds
    from datetime import timedelta

    from marketplace.timeutil import utcnow

    start = utcnow() + timedelta(seconds=4)
    event = make_event(status="published", starts_at=start.isoformat(),
                       ends_at=(start + timedelta(hours=2)).isoformat(), application_deadline="")
    page = new_page()
    violations = watch_csp(page)
    page.goto(f"{live_server}/acara/{event.slug}")
    assert "Mulai dalam" in page.locator(".countdown").inner_text()
    # when the start passes, the count stops and the text says the event has started
    page.wait_for_function("() => !document.querySelector('time[data-countdown]')", timeout=15000)
    assert page.locator(".countdown").inner_text().strip() == "Acara sudah dimulai."
    page.wait_for_timeout(1500)
    assert page.locator(".countdown").inner_text().strip() == "Acara sudah dimulai."
    # and a reload shows it live, counting down to its end
    page.reload()
    assert page.locator(".countdown").inner_text().startswith("Berlangsung, berakhir dalam")
    assert violations == []


def test_selects_submit_themselves(live_server, new_page, db, make_product):
    product = make_product(title="Lada Hitam Lampung", price_idr=30000)
    make_product(store=product.store, title="Kopi Luwak Lampung", price_idr=150000)
    page = new_page()
    violations = watch_csp(page)
    page.goto(f"{live_server}/toko/{product.store.slug}")

    # the sort select reloads the store page in the new order
    with page.expect_navigation():
        page.get_by_label("Urutkan").select_option("price_desc")
    assert "sort=price_desc" in page.url
    titles = page.locator(".card").all_inner_texts()
    assert "Kopi Luwak" in titles[0] and "Lada Hitam" in titles[1]

    # the currency select (in the account menu) posts and comes back to the same page
    page.get_by_label("Menu akun").click()
    with page.expect_navigation():
        page.get_by_label("Mata uang tampilan").select_option("USD")
    assert "sort=price_desc" in page.url
    assert page.get_by_label("Mata uang tampilan").input_value() == "USD"
    assert violations == []


def test_cancelling_an_event_asks_first(live_server, new_page, db, make_event, officer):
    event = make_event(status="open")
    slug = event.slug
    page = new_page()
    violations = watch_csp(page)
    log_in(page, live_server, officer)
    page.goto(f"{live_server}/petugas/acara/{slug}")
    asked = []

    # saying no keeps the event
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Batalkan acara").click()
    page.wait_for_timeout(300)
    assert asked == ["Batalkan acara ini? Tindakan ini tidak dapat diurungkan."]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Event.status).where(Event.slug == slug)) == "open"

    # saying yes cancels it
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Batalkan acara").click()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Event.status).where(Event.slug == slug)) == "cancelled"

    # the report page (its bars are SVG, not style attributes) shows without a violation too
    page.goto(f"{live_server}/petugas/acara/{slug}/laporan")
    assert page.get_by_role("heading", name="Laporan acara").is_visible()
    assert violations == []


# A stand-in for Stripe.js, served by Playwright at https://js.stripe.com/v3/ (no network): it
# does what the real one does under our policy, a script from js.stripe.com that frames
# js.stripe.com and calls api.stripe.com.
FAKE_STRIPE_JS = """
window.Stripe = function (key) {
  return {
    elements: function () { return { create: function () { return {
      mount: function (el) {
        var frame = document.createElement("iframe");
        frame.src = "https://js.stripe.com/v3/elements-inner-card.html?key=" + key;
        frame.title = "card";
        el.appendChild(frame);
        fetch("https://api.stripe.com/v1/elements/sessions").then(function (r) { return r.json(); })
          .then(function (body) { window.__stripeFake = body.ok ? "ready" : "bad"; },
                function (err) { window.__stripeFake = "failed: " + err; });
      },
      on: function () {}
    }; } }; }
  };
};
"""


def _fake_stripe(route):
    url = route.request.url
    if url.startswith("https://js.stripe.com/v3/elements-inner"):
        route.fulfill(content_type="text/html", body="<!doctype html><p>card</p>")
    elif url.startswith("https://js.stripe.com/"):
        route.fulfill(content_type="text/javascript", body=FAKE_STRIPE_JS)
    else:  # api.stripe.com
        route.fulfill(content_type="application/json", body='{"ok": true}',
                      headers={"Access-Control-Allow-Origin": "*"})


def test_real_stripe_mode_runs_stripe_js_within_the_policy(live_server, new_page, app, db,
                                                           make_product, make_user):
    from tests.browser.test_buying import add_to_cart

    product = make_product(title="Kopi Robusta Petik Merah", price_idr=48000, stock=20)
    buyer = make_user(name="Rina Wulandari")
    saved = {k: app.config.get(k) for k in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_API_BASE")}
    app.config.update(STRIPE_SECRET_KEY="sk_test_pasar", STRIPE_PUBLISHABLE_KEY="pk_test_pasar",
                      STRIPE_API_BASE=None)  # real-Stripe mode: card.js loads Stripe.js
    try:
        page = new_page()
        violations = watch_csp(page)
        page.route(re.compile(r"^https://(js|api)\.stripe\.com/.*"), _fake_stripe)
        log_in(page, live_server, buyer)
        add_to_cart(page, live_server, product, 2)
        page.goto(f"{live_server}/checkout")
        page.get_by_label("Kartu kredit/debit").check()
        page.wait_for_function("() => window.__stripeFake !== undefined")
        assert page.evaluate("() => window.__stripeFake") == "ready"
        frame = page.locator("#card-fields .card-element iframe")
        assert frame.get_attribute("src").startswith("https://js.stripe.com/v3/elements-inner-card.html")
        assert page.frame_locator("#card-fields .card-element iframe").get_by_text("card").is_visible()
        assert violations == []
    finally:
        app.config.update(saved)
