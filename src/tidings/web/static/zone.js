// Tidings: the browser's time zone (an IANA name) into the sign-in and setup forms'
// hidden field, so times are shown in it (#15). Without it, times are in UTC until
// the zone is picked in Settings.
"use strict";
(function () {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  for (const field of document.querySelectorAll("input[data-browser-zone]")) {
    field.value = zone;
  }
})();
