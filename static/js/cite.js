// The citation's access date is the reader's today, and a button copies the citation.
// Without script the text is still there to select, with the date the page was made.
document.addEventListener("DOMContentLoaded", () => {
  const text = document.getElementById("cite-text");
  const button = document.getElementById("copy-citation");
  if (!text || !button) return;
  const lang = document.documentElement.lang || "en";
  const today = new Intl.DateTimeFormat(lang, { dateStyle: "long" }).format(new Date());
  if (text.dataset.accessed && text.dataset.accessed !== today) {
    text.value = text.value.replace(text.dataset.accessed, today);
  }
  if (!navigator.clipboard) return;
  const status = document.querySelector(".copy-status");
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText(text.value);
    if (status) status.textContent = status.dataset.copied;
  });
});
