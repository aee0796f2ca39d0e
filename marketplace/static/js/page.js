// Small behaviours shared by every page, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts and event handlers:
//   <select data-autosubmit>      submits its form when the choice changes (sort, currency);
//                                 a <noscript> button does the same without JavaScript.
//   <button data-confirm="...">   asks before submitting (e.g. cancelling an event).
//   <details class="account-menu"> closes on Escape or a tap outside it (it opens and closes
//                                 on its own summary without JavaScript).
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) e.preventDefault();
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (!menu.contains(e.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
