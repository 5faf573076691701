// Progressive enhancement for the staff pages; every control also works without this script.
(function () {
  "use strict";

  // Forms marked data-confirm ask before doing something that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
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

  // Warn before leaving the editor with unsaved changes (not when one of its buttons is used).
  var editor = document.getElementById("editor");
  if (editor) {
    var dirty = editor.hasAttribute("data-unsaved");
    editor.addEventListener("input", function () { dirty = true; });
    editor.addEventListener("change", function () { dirty = true; });
    editor.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  // After a failed save, take the keyboard to the list of problems.
  var summary = document.getElementById("error-summary");
  if (summary && !document.querySelector("[autofocus]")) summary.focus();
})();
