// Requests pages. The list asks the JSON API about once a second for what
// changed only (records newer than the newest it shows, and the state of
// those still in flight), and updates its rows in place: focus, selection
// and scroll position survive every update.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
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
  const morph = window.flaskInspect.morph;
  const pathNodes = window.flaskInspect.pathNodes;
  const dottedNodes = window.flaskInspect.dottedNodes;
  const api = form.dataset.api;
  const detailTemplate = form.dataset.detail;
  const noEndpoint = form.dataset.noEndpoint;
  const table = document.getElementById("requests-table");
  const body = table.querySelector("tbody");
  const text = document.getElementById("filter-text");
  const status = document.getElementById("filter-status");
  const method = document.getElementById("filter-method");
  const endpoint = document.getElementById("filter-endpoint");
  const showFavicon = document.getElementById("show-favicon");
  const toggle = document.getElementById("live-toggle");
  const liveState = document.getElementById("live-state");
  const announcer = document.getElementById("live-announce");
  const count = document.getElementById("request-count");
  const noRequests = document.getElementById("no-requests");
  const noMatches = document.getElementById("no-matches");
  const POLL_MS = 1000;
  const PENDING_ASKED = 100; // the API's bound on ids per poll
  // Newest first: ids, and each id's latest summary with its row.
  let order = [];
  const rows = new Map();
  let historySize = Number(form.dataset.historySize) || 200;
  let synced = false;
  let offline = false;
  let paused = false;
  let timer = null;
  let polls = 0;

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

  // The browser asks every site for /favicon.ico on its own: noise, hidden unless asked for.
  function isFaviconNoise(record) {
    return record.path === "/favicon.ico" && !(showFavicon && showFavicon.checked);
  }

  function matches(record) {
    if (isFaviconNoise(record)) {
      return false;
    }
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
      el("td", { class: "num col-time", title: record.started_at, text: timeOf(record.started_at) }),
      el("td", {}, [el("span", { class: "method", text: record.method })]),
      el("td", { class: "path" }, [el("a", { href: link }, pathNodes(path))]),
      el("td", { class: "status" }, [el("span", { class: "status-code", text: statusText })]),
      el("td", { class: "num col-ms", text: record.duration_ms === null ? "…" : window.flaskInspect.duration(record.duration_ms) }),
      el("td", { class: "endpoint col-endpoint" }, record.endpoint ? dottedNodes(record.endpoint) : ["—"]),
      el("td", { class: "view col-view" }, dottedNodes(view)),
      el("td", { class: "thread col-thread", title: "ident " + record.thread.ident, text: record.thread.name }),
      el("td", { class: "notes col-notes" }, notes(record)),
    ]);
  }

  // Keep a record: a new one gets a row, a known one has its row updated in place.
  function keep(record) {
    const known = rows.get(record.id);
    if (known) {
      // A pending record's update says nothing of restarts: keep what was known.
      record.after_restart = record.after_restart || known.record.after_restart;
      morph(known.node, row(record));
      known.record = record;
    } else {
      rows.set(record.id, { record: record, node: row(record) });
    }
  }

  function forget(id) {
    const known = rows.get(id);
    if (known) {
      known.node.remove();
      if (known.marker) {
        known.marker.remove();
      }
      rows.delete(id);
    }
  }

  function refreshEndpoints(records) {
    const known = new Set(Array.from(endpoint.options).map(function (option) { return option.value; }));
    records.forEach(function (record) {
      if (record.endpoint && !known.has(record.endpoint)) {
        known.add(record.endpoint);
        endpoint.append(el("option", { value: record.endpoint, text: record.endpoint }));
      }
    });
  }

  // The first row wholly or partly on screen and where it is, to hold it still.
  function anchor() {
    if (window.scrollY <= 0) {
      return null; // at the top, new rows should push the list down into view
    }
    const top = table.tHead ? table.tHead.getBoundingClientRect().bottom : 0;
    for (let node = body.firstElementChild; node; node = node.nextElementSibling) {
      const box = node.getBoundingClientRect();
      if (box.bottom > top) {
        return { node: node, top: box.top };
      }
    }
    return null;
  }

  // Between a record and the older one below it, the app restarted (a new process).
  function restartMarker(record) {
    const pid = record.process && record.process.pid ? " (now process " + record.process.pid + ")" : "";
    return el("tr", { class: "restart-marker" }, [
      el("td", { colspan: "9", text: "app restarted here" + pid }),
    ]);
  }

  // Put exactly the matching rows into the table, in order, moving no row
  // that is already in place (moving a node would drop its focus).
  function draw() {
    const held = anchor();
    let cursor = body.firstElementChild;
    let shown = 0;
    function place(node) {
      if (node === cursor) {
        cursor = cursor.nextElementSibling;
      } else {
        body.insertBefore(node, cursor);
      }
    }
    order.forEach(function (id) {
      const kept = rows.get(id);
      const node = kept.node;
      if (matches(kept.record)) {
        shown += 1;
        place(node);
        if (kept.record.after_restart) {
          kept.marker = kept.marker || restartMarker(kept.record);
          place(kept.marker);
        }
      } else if (node.parentNode) {
        if (node === cursor) {
          cursor = cursor.nextElementSibling;
        }
        node.remove();
      }
    });
    while (cursor) {
      const next = cursor.nextElementSibling;
      cursor.remove();
      cursor = next;
    }
    if (held && held.node.parentNode) {
      window.scrollBy(0, held.node.getBoundingClientRect().top - held.top);
    }
    count.textContent = shown === order.length ? String(order.length) : shown + " of " + order.length;
    noRequests.hidden = order.length !== 0;
    noMatches.hidden = order.length === 0 || shown !== 0;
  }

  // Tell screen readers what changed, and only when something did.
  function announce(message) {
    if (message) {
      announcer.textContent = message;
    }
  }

  function describeChanges(added, finished) {
    const parts = [];
    if (added.length === 1) {
      parts.push("new request: " + added[0].method + " " + added[0].path);
    } else if (added.length > 1) {
      parts.push(added.length + " new requests");
    }
    finished.forEach(function (record) {
      parts.push(record.method + " " + record.path + " finished: " + (record.status === null ? "no status" : record.status));
    });
    return parts.join("; ");
  }

  function apply(payload) {
    historySize = payload.history_size || historySize;
    const incoming = payload.requests;
    if (payload.reset !== false) {
      // The whole history: whatever it no longer holds goes.
      const kept = new Set(incoming.map(function (record) { return record.id; }));
      order.filter(function (id) { return !kept.has(id); }).forEach(forget);
      order = [];
    }
    const added = incoming.filter(function (record) { return !rows.has(record.id); });
    incoming.forEach(keep);
    const fresh = incoming.map(function (record) { return record.id; });
    const freshSet = new Set(fresh);
    order = fresh.concat(order.filter(function (id) { return !freshSet.has(id); }));
    const finished = [];
    (payload.pending || []).forEach(function (record) {
      if (rows.has(record.id)) {
        if (record.finished && !rows.get(record.id).record.finished) {
          finished.push(record);
        }
        keep(record);
      }
    });
    (payload.gone || []).forEach(forget);
    order.slice(historySize).forEach(forget);
    order = order.filter(function (id) { return rows.has(id); });
    refreshEndpoints(incoming);
    draw();
    if (synced) {
      announce(describeChanges(added, finished));
    }
    synced = true;
  }

  function query() {
    if (!synced || !order.length) {
      return "";
    }
    const pending = order.filter(function (id) { return !rows.get(id).record.finished; }).slice(0, PENDING_ASKED);
    return "?after=" + encodeURIComponent(order[0]) + (pending.length ? "&pending=" + pending.map(encodeURIComponent).join(",") : "");
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
    fetch(api + query(), { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (payload) {
        apply(payload);
        polls += 1;
        table.dataset.polls = String(polls);
        liveState.textContent = paused ? "paused" : "live · updated " + new Date().toLocaleTimeString();
        liveState.classList.remove("offline");
        if (offline) {
          offline = false;
          announce("live updates are back");
        }
      })
      .catch(function (error) {
        liveState.textContent = "cannot reach the app (" + error.message + "); retrying";
        liveState.classList.add("offline");
        if (!offline) {
          offline = true;
          announce("cannot reach the app; retrying");
        }
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
  [text, status, method, endpoint, showFavicon].forEach(function (control) {
    control.addEventListener("input", draw);
  });
  poll();
});
