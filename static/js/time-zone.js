// The quote form sends the browser's time zone (an IANA name such as "Europe/Madrid"), so the
// patient's dates and deadlines can be shown in it. Without this file the field stays empty and
// they are shown in UTC, named.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (field) {
    field.value = zone;
  });
})();
