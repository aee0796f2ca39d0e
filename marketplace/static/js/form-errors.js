// A form that came back with errors: put the focus on its error summary, so the seller (and a
// screen reader) starts there; a link in the summary moves the focus to its field, opening a
// closed <details> around it and showing the field's label too. Without this script the links
// still jump to the fields.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    event.preventDefault();
    var details = target.closest("details");
    if (details) details.open = true;
    var label = document.querySelector("label[for='" + target.id + "']") || target.closest("label");
    (label || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
})();
