// Address forms (checkout, accepting a quote): show only the chosen province's regencies, and
// the free-text region and city instead when the country is not Indonesia. Progressive
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
    }
    province.addEventListener("change", filter);
    country.addEventListener("change", groups);
    document.documentElement.classList.add("js");
    filter();
    groups();
  });
})();
