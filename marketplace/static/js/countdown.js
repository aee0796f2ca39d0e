// The event page: count down to the start (or, while the event runs, to its end). The server's
// text stays when scripts are off. <time datetime="..." data-countdown data-units='{"d": [one,
// other], "h": ..., "m": ..., "s": ...}'> holds the moment and the unit words ("{n}" is the
// number); its parent's data-done is the text once that moment has passed. At zero the count
// stops and the text changes: it never counts past zero.
(function () {
  "use strict";
  var el = document.querySelector("time[data-countdown]");
  if (!el) return;
  var target = Date.parse(el.getAttribute("datetime")), units = JSON.parse(el.dataset.units);
  function say(unit, n) { return units[unit][n === 1 ? 0 : 1].replace("{n}", n); }
  function tick() {
    var left = Math.floor((target - Date.now()) / 1000);
    if (!(left > 0)) { el.parentNode.textContent = el.parentNode.dataset.done; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600),
        m = Math.floor(left % 3600 / 60), s = left % 60;
    var parts = [];
    if (d) parts.push(say("d", d));
    if (d || h) parts.push(say("h", h));
    if (d || h || m) parts.push(say("m", m));
    parts.push(say("s", s));
    el.textContent = parts.join(" ");
    setTimeout(tick, 1000);
  }
  tick();
})();
