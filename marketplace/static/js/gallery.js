// The product page: a thumbnail shows its photo as the main one without leaving the page
// (without JavaScript the thumbnail link opens the photo itself).
(function () {
  "use strict";
  var main = document.getElementById("gallery-main");
  if (!main) return;
  document.querySelectorAll(".gallery .thumbs a[data-full]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      main.src = a.dataset.full;
    });
  });
})();
