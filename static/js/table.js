// The indicator page's table in a static copy (`assess freeze`): no server answers the filter
// form or the sorting links there, so they act on the rows in the page. Without script the
// links still lead to the page, unsorted and unfiltered.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-static-filter]");
  const table = document.querySelector("table.indicator-table");
  if (!form || !table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const status = form.parentElement.querySelector("p.meta[data-label]");
  const folded = form.parentElement.querySelector("details.folded");
  const lang = document.documentElement.lang || "en";
  const number = new Intl.NumberFormat(lang);
  const ranks = Array.from(form.elements.finding.options, (option) => option.value);
  let sort = { key: "country", order: "asc" };

  function filter() {
    const region = form.elements.region.value;
    const finding = form.elements.finding.value;
    let shown = 0;
    for (const row of rows) {
      const visible =
        (!region || row.dataset.region === region) &&
        (!finding || row.dataset.status === finding) &&
        (!("folded" in row.dataset) || finding === "not_assessed");
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    // The folded list of countries not yet assessed: beside any finding, in the table when asked.
    if (folded) {
      folded.hidden = finding !== "";
      for (const item of folded.querySelectorAll("li[data-region]")) {
        item.hidden = Boolean(region) && item.dataset.region !== region;
      }
    }
    if (status) status.textContent = `${status.dataset.label} ${number.format(shown)}`;
  }

  function value(row, key) {
    if (key === "country") return row.cells[0].textContent.trim();
    if (key === "region") return row.cells[1].textContent.trim();
    if (key === "status") return ranks.indexOf(row.dataset.status);
    return row.dataset.updated || "";
  }

  function order(key) {
    sort = { key, order: sort.key === key && sort.order === "asc" ? "desc" : "asc" };
    const sign = sort.order === "asc" ? 1 : -1;
    const byName = (a, b) => value(a, "country").localeCompare(value(b, "country"), lang);
    rows.sort((a, b) => {
      const [x, y] = [value(a, key), value(b, key)];
      const first = typeof x === "number" ? x - y : String(x).localeCompare(String(y), lang);
      return sign * first || byName(a, b);
    });
    body.append(...rows);
    for (const link of table.querySelectorAll("th a[data-sort]")) {
      const header = link.closest("th");
      const active = link.dataset.sort === key;
      if (active) header.setAttribute("aria-sort", sort.order === "asc" ? "ascending" : "descending");
      else header.removeAttribute("aria-sort");
      // aria-sort says how it is sorted now; the server's words for it would be stale.
      const words = link.querySelector(".visually-hidden");
      if (words) words.textContent = "";
      const mark = link.querySelector(".sort-mark");
      if (mark) mark.textContent = active ? (sort.order === "asc" ? "▲" : "▼") : "↕";
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter();
  });
  for (const link of table.querySelectorAll("th a[data-sort]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      order(link.dataset.sort);
    });
  }
});
