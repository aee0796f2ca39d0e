/*
 * Card payments on the checkout page. Card numbers NEVER go to our server in production.
 *
 * The checkout form only ever carries a Stripe PaymentMethod id (hidden input
 * `payment_method_id`); this script makes that id in the browser, then submits the form.
 * The #card-fields box says how, in data-stripe-mode:
 *
 *   "stripe"  Real Stripe (STRIPE_API_BASE not set). Loads Stripe.js from
 *             https://js.stripe.com/v3/ with the publishable key (data-stripe-key), mounts a
 *             card Element (Stripe's own iframe: the number is typed into Stripe's page, not
 *             ours), and on "Bayar" calls stripe.createPaymentMethod({type: "card", card}).
 *
 *   "local"   A local Stripe-compatible TEST server (STRIPE_API_BASE set, e.g. localstripe in
 *             development and the test suite). Stripe.js cannot talk to it, so plain inputs for
 *             a TEST card number, expiry and CVC are shown; they have no `name`, so the form
 *             never posts them. On "Bayar" they go as JSON to data-test-card-url
 *             (orders.test_card, POST /pembayaran/kartu-uji), a route that exists only while
 *             STRIPE_API_BASE is configured (404 otherwise) and creates the PaymentMethod on
 *             the local server. Never type a real card here.
 *
 * On the confirmation page, #card-action[data-client-secret] (real Stripe only) lets the bank
 * ask for 3-D Secure with stripe.confirmCardPayment, then reloads the page.
 *
 * Without JavaScript the card option cannot be used (the page says so in a <noscript>); bank
 * transfer always works.
 */
(function () {
  "use strict";

  function loadStripe(key) {
    return new Promise(function (resolve, reject) {
      if (window.Stripe) { resolve(window.Stripe(key)); return; }
      var script = document.createElement("script");
      script.src = "https://js.stripe.com/v3/";
      script.onload = function () { resolve(window.Stripe(key)); };
      script.onerror = function () { reject(new Error("Stripe.js")); };
      document.head.appendChild(script);
    });
  }

  // The confirmation page: finish a card payment the bank wants to check (3-D Secure).
  var action = document.getElementById("card-action");
  if (action && action.dataset.clientSecret && action.dataset.stripeKey) {
    loadStripe(action.dataset.stripeKey).then(function (stripe) {
      return stripe.confirmCardPayment(action.dataset.clientSecret);
    }).then(function () { window.location.reload(); });
  }

  var box = document.getElementById("card-fields");
  if (!box) return;
  var form = box.closest("form");
  var hidden = form.querySelector("input[name=payment_method_id]");
  var errorBox = box.querySelector(".card-error");
  var mode = box.dataset.stripeMode;
  var makePaymentMethod = null;   // () -> Promise of a "pm_..." id
  var clicked = null;

  function cardChosen() {
    var radio = form.querySelector("input[name=payment_method]:checked");
    return radio && radio.value === "card";
  }
  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }
  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }
  function input(id, label, attrs) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label;
    var el = document.createElement("input");
    el.id = id;   // no name: never part of the form post
    Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    wrap.appendChild(lab);
    wrap.appendChild(el);
    box.insertBefore(wrap, errorBox);
    return el;
  }

  function setUpLocal() {
    var note = document.createElement("p");
    note.className = "meta card-test-note";
    note.textContent = box.dataset.localNote;
    box.insertBefore(note, errorBox);
    var number = input("card-number", box.dataset.labelNumber,
      {inputmode: "numeric", autocomplete: "off", placeholder: "4242 4242 4242 4242"});
    var row = document.createElement("div");
    row.className = "grid-2";
    box.insertBefore(row, errorBox);
    var exp = input("card-exp", box.dataset.labelExp, {inputmode: "numeric", autocomplete: "off", placeholder: "12/30"});
    var cvc = input("card-cvc", box.dataset.labelCvc, {inputmode: "numeric", autocomplete: "off", placeholder: "123"});
    row.appendChild(exp.parentNode);
    row.appendChild(cvc.parentNode);
    makePaymentMethod = function () {
      var parts = exp.value.split("/");
      return fetch(box.dataset.testCardUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({number: number.value, exp_month: (parts[0] || "").trim(),
                              exp_year: (parts[1] || "").trim(), cvc: cvc.value})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok || !body.id) throw new Error((body.error && body.error.message) || box.dataset.failed);
          return body.id;
        });
      });
    };
  }

  function setUpStripe() {
    var mount = document.createElement("div");
    mount.className = "card-element";
    box.insertBefore(mount, errorBox);
    var ready = loadStripe(box.dataset.stripeKey).then(function (stripe) {
      var card = stripe.elements({locale: document.documentElement.lang || "id"}).create("card", {hidePostalCode: true});
      card.mount(mount);
      card.on("change", function (e) { showError(e.error ? e.error.message : ""); });
      return {stripe: stripe, card: card};
    });
    makePaymentMethod = function () {
      return ready.then(function (s) {
        return s.stripe.createPaymentMethod({type: "card", card: s.card});
      }).then(function (result) {
        if (result.error) throw new Error(result.error.message);
        return result.paymentMethod.id;
      });
    };
  }

  var started = false;
  function toggle() {
    box.hidden = !cardChosen();
    if (cardChosen() && !started) {
      started = true;
      if (mode === "local") setUpLocal(); else setUpStripe();
    }
  }
  form.addEventListener("change", function (e) { if (e.target.name === "payment_method") toggle(); });
  toggle();

  form.querySelectorAll("button[type=submit]").forEach(function (b) {
    b.addEventListener("click", function () { clicked = b; });
  });

  form.addEventListener("submit", function (e) {
    var submitter = e.submitter || clicked;
    if (!submitter || submitter.name !== "place" || !cardChosen() || hidden.value || !makePaymentMethod) return;
    e.preventDefault();
    showError("");
    var label = submitter.textContent;
    submitter.disabled = true;
    submitter.textContent = box.dataset.busy;
    makePaymentMethod().then(function (id) {
      hidden.value = id;
      // form.submit() sends no submitter: say which button it was.
      var place = document.createElement("input");
      place.type = "hidden";
      place.name = "place";
      place.value = "1";
      form.appendChild(place);
      form.submit();
    }).catch(function (err) {
      showError(box.dataset.failed + ": " + err.message);
      submitter.disabled = false;
      submitter.textContent = label;
    });
  });
})();
