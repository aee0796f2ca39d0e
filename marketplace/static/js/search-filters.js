// The search page's filter panel. Without JavaScript it is a <details> the buyer opens and a
// plain GET form; with it, a wide screen shows the panel open as a sidebar, and the form leaves
// its empty fields out of the address (?q=kopi&halal=true, not ?q=kopi&category=&province=...).
(function () {
  "use strict";
  var panel = document.querySelector("[data-filter-panel]");
  var form = document.querySelector("[data-filter-form]");
  if (!panel || !form) return;
  var wide = window.matchMedia("(min-width: 900px)");
  function follow() { if (wide.matches) panel.open = true; }
  follow();
  if (wide.addEventListener) wide.addEventListener("change", follow);
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.tagName === "INPUT" || el.tagName === "SELECT") && el.type !== "checkbox" && el.value === "") {
        el.disabled = true;
      }
    });
    // a page shown again from the back/forward cache gets its fields back
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
    }, {once: true});
  });
})();
