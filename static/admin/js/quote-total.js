// The facility quote page in the admin: a running total of the lines included at a price, updated
// as the coordinator types. The saved total (computed by the server) stays the one that counts.
(function () {
  "use strict";
  function lines() {
    return Array.from(document.querySelectorAll("select[name$='-state']")).map(function (state) {
      var prefix = state.name.replace(/-state$/, "");
      var amount = document.querySelector("input[name='" + prefix + "-amount']");
      var remove = document.querySelector("input[name='" + prefix + "-DELETE']");
      return { state: state, amount: amount, removed: remove && remove.checked };
    });
  }
  function render(output) {
    var total = 0;
    lines().forEach(function (line) {
      if (line.removed || line.state.value !== "included" || !line.amount) return;
      var value = parseFloat((line.amount.value || "").replace(/,/g, ""));
      if (isFinite(value)) total += value;
    });
    var currency = document.getElementById("id_currency");
    output.textContent = output.dataset.label + " " +
      total.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) +
      (currency ? " " + currency.value : "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    // The line and its translated label are in the page (templates/admin/quotes/facilityquote/).
    var output = document.getElementById("quote-running-total");
    if (!output) return;
    document.addEventListener("input", function () { render(output); });
    document.addEventListener("change", function () { render(output); });
    render(output);
  });
})();
