// Requests page: the history table, redrawn from the JSON API about once a second.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A record still in flight: reload its page until the request is over.
  const inFlight = document.getElementById("in-flight");
  if (inFlight) {
    window.setTimeout(function () { window.location.reload(); }, Number(inFlight.dataset.reload) || 1000);
  }
  // The timeline's two spacings: in order (the default) and to scale.
  const scaleSwitch = document.getElementById("timeline-scale");
  if (scaleSwitch) {
    scaleSwitch.hidden = false;
    const buttons = Array.from(scaleSwitch.querySelectorAll("button[data-scale]"));
    const diagrams = Array.from(document.querySelectorAll("svg.timeline[data-scale]"));
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        buttons.forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        diagrams.forEach(function (diagram) {
          // An <svg> has no ``hidden`` property (it is not an HTML element): use the attribute.
          diagram.toggleAttribute("hidden", diagram.dataset.scale !== button.dataset.scale);
        });
      });
    });
  }
});

document.addEventListener("DOMContentLoaded", function () {
  const form = document.getElementById("request-filters");
  if (!form) {
    return;
  }
  const el = window.flaskInspect.el;
  const api = form.dataset.api;
  const detailTemplate = form.dataset.detail;
  const noEndpoint = form.dataset.noEndpoint;
  const body = document.querySelector("#requests-table tbody");
  const text = document.getElementById("filter-text");
  const status = document.getElementById("filter-status");
  const method = document.getElementById("filter-method");
  const endpoint = document.getElementById("filter-endpoint");
  const toggle = document.getElementById("live-toggle");
  const liveState = document.getElementById("live-state");
  const count = document.getElementById("request-count");
  const noRequests = document.getElementById("no-requests");
  const noMatches = document.getElementById("no-matches");
  const POLL_MS = 1000;
  let records = [];
  let paused = false;
  let timer = null;

  function statusClass(code) {
    return code === null ? "pending" : Math.floor(code / 100) + "xx";
  }

  // The same fields the API's ``q`` filter looks in.
  function searchable(record) {
    const view = record.view || {};
    const exception = record.exception || {};
    return [
      record.id, record.method, record.path, record.query_string, String(record.status || ""),
      record.endpoint || "", record.rule || "", view.qualname || "", exception.type || "",
      exception.message || "", record.thread.name || "",
    ].join(" ").toLowerCase();
  }

  function matches(record) {
    const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    if (status.value && statusClass(record.status) !== status.value) {
      return false;
    }
    if (method.value && record.method !== method.value) {
      return false;
    }
    if (endpoint.value && (record.endpoint || noEndpoint) !== endpoint.value) {
      return false;
    }
    const haystack = searchable(record);
    return words.every(function (word) { return haystack.includes(word); });
  }

  function timeOf(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
  }

  function notes(record) {
    const tags = [];
    if (record.routing_error) {
      tags.push(el("span", { class: "tag warn", title: record.routing_error.summary, text: record.routing_error.exception }));
    }
    if (record.exception) {
      tags.push(el("span", { class: "tag bad", title: record.exception.message, text: record.exception.type }));
    }
    if (record.templates.length) {
      tags.push(el("span", { class: "tag", text: record.templates.length + " template" + (record.templates.length === 1 ? "" : "s") }));
    }
    if (record.flashes.length) {
      tags.push(el("span", { class: "tag", text: record.flashes.length + " flash" + (record.flashes.length === 1 ? "" : "es") }));
    }
    return tags;
  }

  function row(record) {
    const link = detailTemplate.replace("RECORD_ID", encodeURIComponent(record.id));
    const path = record.path + (record.query_string ? "?" + record.query_string : "");
    const view = record.view ? record.view.qualname : "";
    const statusText = record.status === null ? "…" : String(record.status);
    return el("tr", { "data-id": record.id, class: "status-" + statusClass(record.status) }, [
      el("td", { class: "num", title: record.started_at, text: timeOf(record.started_at) }),
      el("td", {}, [el("span", { class: "method", text: record.method })]),
      el("td", { class: "path" }, [el("a", { href: link, text: path })]),
      el("td", { class: "status" }, [el("span", { class: "status-code", text: statusText })]),
      el("td", { class: "num", text: record.duration_ms === null ? "…" : record.duration_ms.toFixed(2) }),
      el("td", { class: "endpoint", text: record.endpoint || "—" }),
      el("td", { class: "view", text: view }),
      el("td", { class: "thread", title: "ident " + record.thread.ident, text: record.thread.name }),
      el("td", { class: "notes" }, notes(record)),
    ]);
  }

  function refreshEndpoints() {
    const known = new Set(Array.from(endpoint.options).map(function (option) { return option.value; }));
    records.forEach(function (record) {
      if (record.endpoint && !known.has(record.endpoint)) {
        known.add(record.endpoint);
        endpoint.append(el("option", { value: record.endpoint, text: record.endpoint }));
      }
    });
  }

  // Between a record and the older one below it, the app restarted (a new process).
  function restartMarker(record) {
    const pid = record.process && record.process.pid ? " (now process " + record.process.pid + ")" : "";
    return el("tr", { class: "restart-marker" }, [
      el("td", { colspan: "9", text: "app restarted here" + pid }),
    ]);
  }

  function draw() {
    const shown = records.filter(matches);
    const rows = [];
    shown.forEach(function (record) {
      rows.push(row(record));
      if (record.after_restart) {
        rows.push(restartMarker(record));
      }
    });
    body.replaceChildren.apply(body, rows);
    count.textContent = shown.length === records.length ? String(records.length) : shown.length + " of " + records.length;
    noRequests.hidden = records.length !== 0;
    noMatches.hidden = records.length === 0 || shown.length !== 0;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    if (paused || document.hidden) {
      schedule();
      return;
    }
    fetch(api, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (payload) {
        records = payload.requests;
        refreshEndpoints();
        draw();
        liveState.textContent = paused ? "paused" : "live · updated " + new Date().toLocaleTimeString();
        liveState.classList.remove("offline");
      })
      .catch(function (error) {
        liveState.textContent = "cannot reach the app (" + error.message + "); retrying";
        liveState.classList.add("offline");
      })
      .finally(schedule);
  }

  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", String(paused));
    toggle.textContent = paused ? "Resume live updates" : "Pause live updates";
    liveState.textContent = paused ? "paused" : "live";
    if (!paused) {
      window.clearTimeout(timer);
      poll();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  [text, status, method, endpoint].forEach(function (control) {
    control.addEventListener("input", draw);
  });
  poll();
});
