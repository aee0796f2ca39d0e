// The store form: offer only the chosen province's regencies; the server checks the pair either way.
(function () {
  "use strict";
  var province = document.getElementById("province_code");
  var regency = document.getElementById("regency_code");
  if (!province || !regency) return;
  var all = Array.prototype.slice.call(regency.options);
  function filter() {
    var chosen = regency.value;
    regency.innerHTML = "";
    all.forEach(function (opt) {
      if (!opt.dataset.province || opt.dataset.province === province.value) regency.appendChild(opt);
    });
    regency.value = all.some(function (o) { return o.value === chosen && o.parentNode; }) ? chosen : "";
  }
  province.addEventListener("change", filter);
  filter();
})();
