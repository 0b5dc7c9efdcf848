// Search and filters for a table page. Without JavaScript every row shows; with it, the form
// appears and each change hides the rows that do not match. Nothing is fetched.
"use strict";

function fold(text) {
  // Case and curly quotes do not matter when searching: "OpenAI's" finds "OpenAI’s".
  return text.toLocaleLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"');
}

function setUpExplorer(section) {
  const form = section.querySelector("form.filters");
  const search = section.querySelector("[data-search-input]");
  const selects = Array.from(section.querySelectorAll("select[data-filter]"));
  const rows = Array.from(section.querySelectorAll("tbody tr"));
  const count = section.querySelector("[data-count]");
  const texts = rows.map((row) => fold(row.dataset.search || ""));

  function update() {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    rows.forEach((row, index) => {
      const found = words.every((word) => texts[index].includes(word));
      const kept = selects.every((select) => {
        const column = select.dataset.filter.replace(/_/g, "-");
        return select.value === "*" || (row.getAttribute("data-" + column) || "") === select.value;
      });
      row.hidden = !(found && kept);
      if (!row.hidden) shown += 1;
    });
    count.textContent = shown === rows.length
      ? rows.length + " rows"
      : shown + " of " + rows.length + " rows match";
  }

  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}

document.querySelectorAll("[data-explorer]").forEach(setUpExplorer);
