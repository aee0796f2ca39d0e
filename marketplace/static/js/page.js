// Small behaviours shared by every page, kept out of the HTML so the Content-Security-Policy can
// forbid inline scripts and event handlers:
//   <select data-autosubmit>      submits its form when the choice changes (sort, currency);
//                                 a <noscript> button does the same without JavaScript.
//   <button data-confirm="...">   asks before submitting (e.g. cancelling an event).
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) e.preventDefault();
  });
})();
