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
  const form = document.getElementById("route-filters");
  const verdict = document.getElementById("url-verdict");
  // A filter starting with "/" is a URL: the app's matcher says which rule takes it.
  let taking = null; // {url, method, registration} once the server answered
  let lookup = 0;

  function isUrl() {
    return text.value.trim().startsWith("/");
  }

  function matches(row) {
    if (row.dataset.panel && !showPanel.checked) {
      return false;
    }
    if (isUrl()) {
      return taking !== null && row.dataset.registration === String(taking.registration);
    }
    const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = row.dataset.text;
    if (!words.every(function (word) { return haystack.includes(word); })) {
      return false;
    }
    if (!isUrl() && method.value && !row.dataset.methods.split(" ").includes(method.value)) {
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

  function describeVerdict(found) {
    const el = window.flaskInspect.el;
    const url = el("code", { text: found.path });
    const rule = el("code", { text: found.rule || "" });
    const parts = {
      matched: [url, " is taken by ", rule, " (" + found.endpoint + ") for " + found.method + "."],
      redirect: [url, " redirects to ", el("code", { text: found.redirect_to || "" }),
        found.rule ? ", which " : ".", found.rule ? rule : "", found.rule ? " takes." : ""],
      method_not_allowed: [url, " is taken by ", rule, ", which refuses " + found.method +
        " (allows " + (found.allowed_methods || []).join(", ") + ")."],
      not_found: ["No rule takes ", url, "."],
    }[found.verdict] || [url];
    const match = form.dataset.match;
    const link = el("a", { href: match + "?path=" + encodeURIComponent(found.path) + "&method=" + encodeURIComponent(found.method), text: "Explain on Match" });
    verdict.replaceChildren.apply(verdict, parts.concat([" ", link]));
    verdict.hidden = false;
  }

  function lookUpUrl() {
    const url = text.value.trim();
    const asked = method.value || "GET";
    if (taking && taking.url === url && taking.method === asked) {
      return;
    }
    const mine = ++lookup;
    const query = "?url=" + encodeURIComponent(url) + "&method=" + encodeURIComponent(asked);
    fetch(form.dataset.taking + query, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (found) {
        if (mine !== lookup) {
          return; // a newer lookup is on its way
        }
        if (found.error) {
          taking = { url: url, method: asked, registration: null };
          verdict.textContent = found.detail;
          verdict.hidden = false;
        } else {
          taking = { url: url, method: asked, registration: found.registration_index };
          describeVerdict(found);
        }
        update();
      })
      .catch(function (error) {
        verdict.textContent = "Could not ask the app which rule takes it (" + error.message + ").";
        verdict.hidden = false;
      });
  }

  function update() {
    if (isUrl()) {
      lookUpUrl();
    } else {
      taking = null;
      verdict.hidden = true;
    }
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
  sort();
  update();
});
