// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // On wide screens the filter panel sits beside the results, so open it; on phones it stays
  // folded until the patient asks for it, keeping the results on the first screen.
  var wide = window.matchMedia("(min-width: 900px)");
  document.querySelectorAll("details[data-open-on-wide]").forEach(function (panel) {
    if (wide.matches) {
      panel.open = true;
    }
  });
})();
