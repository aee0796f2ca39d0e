// Province -> regency/city -> district selects (catalog/templates/catalog/_region_fields.html):
// a new province loads its regencies, a new regency its districts (with their postal codes), and
// a type-ahead over every regency and district fills all three. Progressive enhancement: without
// JavaScript the form's "show" button reloads it one step further; the server checks the place.
(function () {
  "use strict";
  var regionsOnce = null;
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; });
  }
  function regions() {
    if (!regionsOnce) regionsOnce = getJSON("/api/v1/regions");
    return regionsOnce;
  }
  function fill(select, items, keep) {
    var placeholder = select.options[0];
    select.innerHTML = "";
    if (placeholder) select.appendChild(placeholder);
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = item.name;
      select.appendChild(option);
    });
    select.value = items.some(function (i) { return i.code === keep; }) ? keep : "";
  }
  document.querySelectorAll("[data-region-picker]").forEach(function (box) {
    var province = document.getElementById(box.dataset.province),
        regency = document.getElementById(box.dataset.regency),
        district = document.getElementById(box.dataset.district),
        postal = box.dataset.postal ? document.getElementById(box.dataset.postal) : null,
        postalOf = {};
    if (!province || !regency || !district) return;
    var step = box.querySelector(".region-step");
    if (step) step.remove();  // not even a hidden default button for Enter
    function loadRegencies(keep) {
      return regions().then(function (all) {
        var chosen = all.filter(function (p) { return p.code === province.value; })[0];
        fill(regency, chosen ? chosen.regencies : [], keep);
      });
    }
    function loadDistricts(keep) {
      if (!regency.value) { fill(district, [], ""); return Promise.resolve(); }
      return getJSON("/api/v1/regencies/" + encodeURIComponent(regency.value) + "/districts")
        .then(function (list) {
          postalOf = {};
          list.forEach(function (d) { postalOf[d.code] = d.postal_codes; });
          fill(district, list, keep);
        });
    }
    function suggestPostal() {
      var codes = postalOf[district.value] || [];
      if (postal && codes.length === 1 && !postal.value) postal.value = codes[0];
    }
    province.addEventListener("change", function () {
      loadRegencies("").then(function () { return loadDistricts(""); });
    });
    regency.addEventListener("change", function () { loadDistricts(""); });
    district.addEventListener("change", suggestPostal);
    if (regency.value) loadDistricts(district.value);

    var search = box.querySelector(".region-search input"),
        options = box.querySelector(".region-search datalist"),
        found = {}, timer = null;
    if (!search || !options) return;
    box.querySelector(".region-search").hidden = false;
    function choose(match) {
      province.value = match.province.code;
      loadRegencies(match.regency.code)
        .then(function () { return loadDistricts(match.district ? match.district.code : ""); })
        .then(suggestPostal);
    }
    search.addEventListener("input", function () {
      var q = search.value.trim();
      if (found[q]) { choose(found[q]); return; }
      clearTimeout(timer);
      if (q.length < 2) return;
      timer = setTimeout(function () {
        getJSON("/api/v1/places?q=" + encodeURIComponent(q)).then(function (matches) {
          options.innerHTML = "";
          matches.forEach(function (m) {
            found[m.label] = m;
            var option = document.createElement("option");
            option.value = m.label;
            options.appendChild(option);
          });
        });
      }, 200);
    });
  });
})();
