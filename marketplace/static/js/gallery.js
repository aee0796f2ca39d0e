// The product page: a thumbnail shows its photo as the main one without leaving the page
// (without JavaScript the thumbnail link opens the photo itself).
(function () {
  "use strict";
  var main = document.getElementById("gallery-main");
  if (!main) return;
  document.querySelectorAll(".gallery .thumbs a[data-full]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      // the main picture chooses from its srcset: change that too, or the photo stays the same
      if (a.dataset.srcset) main.srcset = a.dataset.srcset;
      main.src = a.dataset.full;
    });
  });
})();
