// Address forms (checkout, accepting a quote): the free-text region and city instead of the
// Indonesian place when the country is not Indonesia, and the postal-code hint for that country
// (js/region-picker.js narrows the Indonesian place). Progressive enhancement: without
// JavaScript every field shows and the server validates regardless.
(function () {
  document.querySelectorAll("form[data-address-form]").forEach(function (form) {
    var country = form.querySelector("#country");
    if (!country) return;
    function groups() {
      var abroad = country.value !== "ID";
      form.querySelector("[data-country-group=id]").hidden = abroad;
      form.querySelector("[data-country-group=abroad]").hidden = !abroad;
      // the postal-code hint follows the country (no Indonesian 5-digit hint for Japan)
      var postal = form.querySelector("#postal_code"),
          hint = postal && postal.parentNode.querySelector(".help");
      if (hint && postal.dataset.hintId) {
        hint.textContent = abroad ? postal.dataset.hintAbroad : postal.dataset.hintId;
      }
    }
    country.addEventListener("change", groups);
    document.documentElement.classList.add("js");
    groups();
  });
})();
