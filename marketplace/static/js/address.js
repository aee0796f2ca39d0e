// Address forms (checkout, accepting a quote): show only the chosen province's regencies, and
// the free-text region and city instead when the country is not Indonesia (and the postal-code
// hint for that country). Progressive
// enhancement: without JavaScript every field shows and the server validates regardless.
(function () {
  document.querySelectorAll("form[data-address-form]").forEach(function (form) {
    var country = form.querySelector("#country"), province = form.querySelector("#province"),
        regency = form.querySelector("#regency");
    if (!country || !province || !regency) return;
    var all = Array.prototype.slice.call(regency.options);
    function filter() {
      var chosen = regency.value;
      regency.innerHTML = "";
      all.forEach(function (opt) {
        if (!opt.dataset.province || opt.dataset.province === province.value) regency.appendChild(opt);
      });
      regency.value = all.some(function (o) { return o.value === chosen && o.parentNode; }) ? chosen : "";
    }
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
    province.addEventListener("change", filter);
    country.addEventListener("change", groups);
    document.documentElement.classList.add("js");
    filter();
    groups();
  });
})();
