// Routes page: instant filtering, and match order or definition order.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const table = document.getElementById("routes-table");
  if (!table) {
    return;
  }
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const text = document.getElementById("filter-text");
  const method = document.getElementById("filter-method");
  const blueprint = document.getElementById("filter-blueprint");
  const converter = document.getElementById("filter-converter");
  const order = document.getElementById("sort-order");
  const count = document.getElementById("route-count");
  const empty = document.getElementById("no-routes");
  const orderLabel = document.getElementById("order-label");
  const showPanel = document.getElementById("show-panel-routes");

  function matches(row) {
    if (row.dataset.panel && !showPanel.checked) {
      return false;
    }
    const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = row.dataset.text;
    if (!words.every(function (word) { return haystack.includes(word); })) {
      return false;
    }
    if (method.value && !row.dataset.methods.split(" ").includes(method.value)) {
      return false;
    }
    if (blueprint.value && row.dataset.blueprint !== blueprint.value) {
      return false;
    }
    if (converter.value && !row.dataset.converters.split(" ").includes(converter.value)) {
      return false;
    }
    return true;
  }

  function update() {
    let shown = 0;
    rows.forEach(function (row) {
      const visible = matches(row);
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    // "#" is the place in match order among the rules listed: it changes
    // with the panel's own rules, never with the text or select filters.
    rows.forEach(function (row) {
      row.cells[0].textContent = showPanel.checked ? row.dataset.numberAll : row.dataset.number;
    });
    const total = rows.filter(function (row) { return showPanel.checked || !row.dataset.panel; }).length;
    count.textContent = shown === total ? String(total) : shown + " of " + total;
    empty.hidden = shown !== 0;
  }

  function sort() {
    const key = order.value === "registration" ? "registration" : "priority";
    rows.slice().sort(function (a, b) {
      return Number(a.dataset[key]) - Number(b.dataset[key]);
    }).forEach(function (row) { body.append(row); });
    orderLabel.textContent = key === "priority" ? "match order" : "definition order";
  }

  document.getElementById("route-filters").addEventListener("submit", function (event) {
    event.preventDefault();
  });
  [text, method, blueprint, converter, showPanel].forEach(function (control) {
    control.addEventListener("input", update);
  });
  order.addEventListener("input", sort);
  update();
});
