// No lost work: the warning before the session ends (WCAG 2.2.1) and the prompt before leaving a
// form with unsaved changes. Everything also works without this script: the notice is then a
// plain line, its button a form, and a form posted after the end is kept (auth/expiry.py).
(function () {
  "use strict";

  // --- Unsaved changes: the browser asks before leaving a form that was typed in. -------------
  var forms = [];
  document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
    var state = { dirty: form.hasAttribute("data-unsaved") };
    form.addEventListener("input", function () { state.dirty = true; });
    form.addEventListener("change", function () { state.dirty = true; });
    form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) state.dirty = false;  // a cancelled confirmation stays dirty
    });
    forms.push(state);
  });
  window.addEventListener("beforeunload", function (event) {
    if (forms.some(function (state) { return state.dirty; })) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // --- The session warning. --------------------------------------------------------------------
  var notice = document.getElementById("session-notice");
  if (!notice || !window.fetch) return;
  var text = document.getElementById("session-text");
  var live = document.getElementById("session-live");
  var extendForm = document.getElementById("session-extend-form");
  var button = extendForm.querySelector("button");
  var signIn = notice.querySelector(".session-ended-link");
  var warnBefore = Number(notice.dataset.warnBefore) * 1000;
  var endsAt = Date.now() + Number(notice.dataset.remaining) * 1000;
  var extendable = notice.dataset.extendable === "yes";
  var timer = null;
  var ticker = null;
  var countdown = document.createElement("span");
  countdown.className = "session-countdown";
  countdown.setAttribute("aria-hidden", "true");
  live.insertAdjacentElement("afterend", countdown);
  notice.classList.add("session-scripted");

  function clock(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, endsAt - warnBefore - Date.now()));
  }

  function quiet() {
    clearInterval(ticker);
    notice.classList.remove("session-warning");
    countdown.textContent = "";
  }

  function ended() {
    clearTimeout(timer);
    clearInterval(ticker);
    notice.classList.add("session-warning", "session-ended");
    text.hidden = true;
    countdown.textContent = "";
    if (button) button.hidden = true;
    signIn.hidden = false;
    live.textContent = notice.dataset.textEnded;
  }

  function tick() {
    var left = endsAt - Date.now();
    countdown.textContent = "(" + clock(left) + ")";
    if (left <= 0) { clearInterval(ticker); check(); }
  }

  function warn(endsAtText) {
    var template = extendable ? notice.dataset.textWarning : notice.dataset.textFinal;
    text.hidden = true;
    if (button) button.hidden = !extendable;
    notice.classList.add("session-warning");
    live.textContent = template.replace("{time}", endsAtText);
    clearInterval(ticker);
    tick();
    ticker = setInterval(tick, 1000);
  }

  function learn(data) {
    if (!data.signed_in) return ended();
    endsAt = Date.now() + data.remaining * 1000;
    extendable = data.extendable;
    if (endsAt - Date.now() > warnBefore + 2000) { quiet(); schedule(); }
    else if (data.remaining <= 0) ended();
    else warn(data.ends_at);
  }

  function answer(response) {
    return response.status === 401 ? { signed_in: false } : response.json();
  }

  // Another tab may have kept the session going: ask before warning.
  function check() {
    fetch(notice.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(answer).then(learn)
      .catch(function () { if (Date.now() >= endsAt) ended(); else warn(""); });
  }

  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();  // the script extends the session without leaving the page
      fetch(extendForm.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new FormData(extendForm),
        credentials: "same-origin",
      }).then(answer).then(function (data) {
        if (!data.signed_in) return ended();
        endsAt = Date.now() + data.remaining * 1000;
        extendable = data.extendable;
        clearInterval(ticker);
        countdown.textContent = "";
        button.hidden = true;
        live.textContent = notice.dataset.textExtended;
        schedule();
        setTimeout(function () {  // long enough to be read, then out of the way
          if (endsAt - Date.now() <= warnBefore) return;
          quiet();
          live.textContent = "";
          button.hidden = !extendable;
        }, 5000);
      });
    });
  }
  schedule();
})();
