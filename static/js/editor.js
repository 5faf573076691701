// Progressive enhancement for the staff pages; every control also works without this script.
(function () {
  "use strict";

  // Forms marked data-confirm ask before doing something that cannot be undone; a form with a
  // `confirmed` field tells the server it was asked (else the server asks, on a page of its own).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var confirmed = form.querySelector("input[name=confirmed]");
      if (confirmed) confirmed.value = "yes";
    });
  });

  // A citation's "new instrument" fields matter only when "New instrument" is chosen.
  function syncInstrument(select) {
    var group = document.querySelector('.new-instrument[data-for="' + select.id + '"]');
    if (!group) return;
    var hasErrors = group.querySelector(".field-error") !== null;
    group.hidden = select.value !== "new" && !hasErrors;
  }
  document.querySelectorAll("select.instrument-select").forEach(function (select) {
    syncInstrument(select);
    select.addEventListener("change", function () { syncInstrument(select); });
  });

  // After a failed save, take the keyboard to the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary && !document.querySelector("[autofocus]")) summary.focus();
})();
