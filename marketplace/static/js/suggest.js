// Suggestions under the search box as the buyer types (products, categories, stores).
// Progressive enhancement: without JavaScript the box is a plain search form.
// The API answers in the Accept-Language it is sent (the public API's rule), and a browser sends its own
// (often English on an Indonesian page): ask in the page's language, so the suggestions are
// in the language the buyer chose for the site.
(function () {
  var input = document.querySelector("input[data-suggest-url]");
  if (!input) return;
  var list = document.createElement("ul");
  list.className = "suggest-list";
  list.hidden = true;
  list.setAttribute("role", "listbox");
  input.parentNode.appendChild(list);
  var timer = null, seq = 0;
  function kind(type) { return input.dataset["kind" + type.charAt(0).toUpperCase() + type.slice(1)] || type; }
  function render(items) {
    list.innerHTML = "";
    items.forEach(function (s) {
      var li = document.createElement("li"), a = document.createElement("a"), k = document.createElement("span");
      a.href = s.url; a.textContent = s.text; k.className = "kind"; k.textContent = kind(s.type);
      a.appendChild(k); li.appendChild(a); list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { render([]); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json", "Accept-Language": document.documentElement.lang || "id"}})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) { if (mine === seq) render(data.suggestions || []); })
        .catch(function () { render([]); });
    }, 150);
  });
  input.addEventListener("keydown", function (e) { if (e.key === "Escape") render([]); });
  document.addEventListener("click", function (e) { if (!list.contains(e.target) && e.target !== input) render([]); });
})();
