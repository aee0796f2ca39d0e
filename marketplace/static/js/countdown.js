// The event page: count down to the start. The server's text stays when scripts are off.
// <time datetime="..." data-countdown data-days data-hours data-minutes data-seconds> holds the
// start and the unit words; its parent's data-started is the text once the event has begun.
(function () {
  "use strict";
  var el = document.querySelector("time[data-countdown]");
  if (!el) return;
  var start = Date.parse(el.getAttribute("datetime")), u = el.dataset;
  function tick() {
    var left = Math.floor((start - Date.now()) / 1000);
    if (left <= 0) { el.parentNode.textContent = el.parentNode.dataset.started; return; }
    var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600),
        m = Math.floor(left % 3600 / 60), s = left % 60;
    el.textContent = (d ? d + " " + u.days + " " : "") + h + " " + u.hours + " " + m + " " +
      u.minutes + " " + s + " " + u.seconds;
    setTimeout(tick, 1000);
  }
  tick();
})();
