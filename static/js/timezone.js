// Tell the server this browser's time zone, so that staff times read in local time until the
// account page names one (assess/i18n.py: select_timezone). Without it, times stay in UTC.
(function () {
  "use strict";
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (error) { return; }
  if (!zone || document.cookie.indexOf("tz=" + zone) !== -1) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
})();
