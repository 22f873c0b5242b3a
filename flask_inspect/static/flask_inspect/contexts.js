// Contexts page: one lane per thread, its pushed contexts as boxes, redrawn
// from /api/contexts about once a second. Built with DOM calls only: every
// value from the server is set as text, never parsed as HTML. Each lane is
// kept by its thread's ident and name and updated in place (only the text
// that changed is touched), so focus and selection survive every update.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const controls = document.getElementById("context-controls");
  if (!controls || !window.flaskInspect) {
    return;
  }
  const el = window.flaskInspect.el;
  const morph = window.flaskInspect.morph;
  const pathNodes = window.flaskInspect.pathNodes;
  const place = window.flaskInspect.place;
  const api = controls.dataset.api;
  const requestUrl = controls.dataset.requestUrl;
  const interval = Number(controls.dataset.interval) || 1000;
  const lanes = document.getElementById("lanes");
  const toggle = document.getElementById("live-toggle");
  const showIdle = document.getElementById("show-idle");
  const state = document.getElementById("live-state");
  const count = document.getElementById("thread-count");
  const noBusy = document.getElementById("no-busy");
  const loadError = document.getElementById("load-error");
  const announcer = document.getElementById("live-announce");

  let paused = false;
  let timer = null;
  let loading = false;
  let lastUpdate = "";
  let updates = 0;
  let announcedBusy = null;
  // Timings stay in the browser's performance timeline (for benchmarks and
  // the devtools); forget old ones so a page left open does not grow.
  const MEASURES_KEPT = 100;

  const formatAge = window.flaskInspect.duration;

  function requestLink(id) {
    return requestUrl.replace("RECORD_ID", encodeURIComponent(id));
  }

  // Which lanes hold a request box for each request object, to point out
  // copies (copy_current_request_context) sharing one request.
  function requestHolders(threads) {
    const holders = new Map();
    function note(contexts, where) {
      contexts.forEach(function (ctx) {
        if (ctx.kind === "request" && ctx.request_object_id) {
          const list = holders.get(ctx.request_object_id) || [];
          list.push(where);
          holders.set(ctx.request_object_id, list);
        }
      });
    }
    threads.forEach(function (thread) {
      note(thread.contexts, thread.name);
      thread.tasks.forEach(function (task) {
        note(task.contexts, thread.name + " / " + task.name);
      });
    });
    return holders;
  }

  function box(ctx, where, holders) {
    const classes = ["ctx", "ctx-" + ctx.kind];
    if (ctx.inferred) {
      classes.push("inferred");
    }
    if (ctx.long_held) {
      classes.push("long");
    }
    const body = [el("span", { class: "ctx-kind", text: ctx.kind === "app" ? "app context" : "request context" })];
    if (ctx.kind === "app") {
      body.push(el("span", { class: "ctx-main mono", text: ctx.app }));
    } else {
      body.push(el("span", { class: "ctx-main mono" }, [(ctx.method || "?") + " "].concat(pathNodes(ctx.path || "?"))));
      body.push(el("span", { class: "ctx-detail", text: "endpoint " + (ctx.endpoint || "none (no rule matched)") }));
      if (ctx.request_id) {
        body.push(el("a", { class: "ctx-record", href: requestLink(ctx.request_id), text: "request record" }));
      }
      const others = (holders.get(ctx.request_object_id) || []).filter(function (name) {
        return name !== where;
      });
      if (others.length) {
        body.push(el("span", { class: "ctx-shared", text: "same request object as " + others.join(", ") }));
      }
    }
    const meta = [el("span", { class: "tag" + (ctx.long_held ? " warn" : ""), text: "held " + formatAge(ctx.age_ms) })];
    if (ctx.depth > 1) {
      meta.push(el("span", { class: "tag", text: "depth " + ctx.depth }));
    }
    if (ctx.pushes > 1) {
      meta.push(el("span", { class: "tag", text: "pushed " + ctx.pushes + "×" }));
    }
    if (ctx.inferred) {
      meta.push(el("span", { class: "tag", text: "inferred" }));
    }
    body.push(el("span", { class: "ctx-meta" }, meta));
    return el("div", {
      class: classes.join(" "),
      "data-kind": ctx.kind,
      "data-path": ctx.path || null,
      title: ctx.kind + " context object " + ctx.object_id,
    }, body);
  }

  function top(contexts, kind) {
    for (let index = contexts.length - 1; index >= 0; index -= 1) {
      if (contexts[index].kind === kind) {
        return contexts[index];
      }
    }
    return null;
  }

  // Whose request a request box holds, from the thread its record was served on.
  function whoseRequest(request) {
    if (request.own_request === true) {
      return "the request this thread is serving";
    }
    if (request.own_request === false) {
      return "the request served on " + request.served_on + ", carried here by a copied request context";
    }
    return "the request context pushed on this thread";
  }

  // What the proxies give on this thread: the learner's "so what".
  function resolutions(contexts) {
    const app = top(contexts, "app");
    const request = top(contexts, "request");
    const lines = [];
    if (app) {
      lines.push(["current_app", "the app " + app.app]);
      const keys = app.g_keys || [];
      lines.push(["g", "this app context's g" + (keys.length ? " (" + keys.join(", ") + ")" : ", empty")]);
    } else {
      lines.push(["current_app", "unbound: “Working outside of application context”"]);
      lines.push(["g", "unbound"]);
    }
    if (request) {
      lines.push(["request", (request.method || "?") + " " + (request.path || "?") + " — " + whoseRequest(request)]);
    } else {
      lines.push(["request", "unbound: “Working outside of request context”"]);
    }
    // One text node per line (white-space: pre-line): 200 lanes stay cheap to draw.
    return el("p", {
      class: "resolves",
      text: lines.map(function ([name, value]) { return name + " → " + value; }).join("\n"),
    });
  }

  function stack(contexts, where, holders) {
    return el("div", { class: "stack" }, contexts.map(function (ctx) {
      return box(ctx, where, holders);
    }));
  }

  function lane(thread, holders) {
    const busy = thread.contexts.length > 0 || thread.tasks.length > 0;
    const classes = ["lane", busy ? "busy" : "idle"];
    if (thread.serving) {
      classes.push("serving");
    }
    const tags = [];
    if (thread.daemon) {
      tags.push(el("span", { class: "tag", text: "daemon" }));
    }
    if (thread.serving) {
      tags.push(el("span", { class: "tag good", text: "serving this update", title: "This thread answered the request that fetched this picture: its own request context is the panel's." }));
    }
    const header = el("header", { class: "lane-head" }, [
      el("span", { class: "lane-name mono", text: thread.name }),
      el("span", { class: "lane-ident num", text: "ident " + thread.ident }),
    ].concat(tags));
    const parts = [header];
    if (thread.contexts.length) {
      parts.push(stack(thread.contexts, thread.name, holders));
    } else if (!thread.tasks.length) {
      parts.push(el("p", { class: "lane-idle", text: "nothing pushed" }));
    }
    thread.tasks.forEach(function (task) {
      const where = thread.name + " / " + task.name;
      parts.push(el("div", { class: "task" }, [
        el("span", { class: "task-name", text: "asyncio task " + task.name }),
        stack(task.contexts, where, holders),
        el("p", { class: "task-note", text: "Only this task sees these; it may also see a request through the copy of context variables it was started with." }),
      ]));
    });
    if (thread.contexts.length) {
      parts.push(resolutions(thread.contexts));
    }
    return el("section", {
      class: classes.join(" "),
      "data-ident": String(thread.ident),
      "data-name": thread.name,
      "aria-label": "Thread " + thread.name,
    }, parts);
  }

  // What a lane shows apart from the ages, which change at every update.
  const drawnShapes = new WeakMap();
  function shape(thread) {
    return JSON.stringify(thread, function (name, value) {
      return name === "age_ms" ? undefined : value;
    });
  }

  // The boxes in a lane are in the order of the thread's contexts, then of
  // each task's: put each one's age in its first tag.
  function showAges(node, thread) {
    const contexts = thread.contexts.concat.apply(thread.contexts, thread.tasks.map(function (task) { return task.contexts; }));
    const boxes = node.querySelectorAll(".ctx");
    contexts.forEach(function (ctx, index) {
      const age = boxes[index] && boxes[index].querySelector(".ctx-meta .tag");
      const text = "held " + formatAge(ctx.age_ms);
      if (age && age.textContent !== text) {
        age.textContent = text;
      }
    });
  }

  function render(snapshot) {
    const started = performance.now();
    const threads = snapshot.threads || [];
    const holders = requestHolders(threads);
    let busy = 0;
    let othersBusy = 0;
    // A lane is kept for the same thread (ident and name: a new thread may
    // reuse a dead one's ident), updated in place, and moved only if the
    // order really changed (a moved node loses focus).
    function key(ident, name) {
      return ident + " " + name;
    }
    const drawn = new Map();
    Array.from(lanes.children).forEach(function (node) {
      drawn.set(key(node.dataset.ident, node.dataset.name), node);
    });
    const shared = JSON.stringify(Array.from(holders).filter(function (entry) { return entry[1].length > 1; }));
    const nodes = threads.map(function (thread) {
      if (thread.contexts.length > 0 || thread.tasks.length > 0) {
        busy += 1;
        if (!thread.serving) {
          othersBusy += 1;
        }
      }
      const old = drawn.get(key(thread.ident, thread.name));
      const signature = shape(thread) + shared;
      if (old && drawnShapes.get(old) === signature) {
        showAges(old, thread); // the common case: only the ages moved on
        return old;
      }
      const node = old ? morph(old, lane(thread, holders)) : lane(thread, holders);
      drawnShapes.set(node, signature);
      return node;
    });
    place(lanes, nodes);
    const summary = threads.length + " threads, " + busy + " with contexts";
    if (count.textContent !== summary) {
      count.textContent = summary;
    }
    noBusy.hidden = othersBusy !== 0;
    // Screen readers hear of a change in the busy threads only, not of every update.
    if (announcedBusy !== null && announcedBusy !== othersBusy) {
      announcer.textContent = othersBusy === 1 ? "1 other thread has contexts pushed" : othersBusy + " other threads have contexts pushed";
    }
    announcedBusy = othersBusy;
    lastUpdate = new Date(snapshot.captured_at).toLocaleTimeString();
    const elapsed = performance.now() - started;
    lanes.dataset.renderMs = elapsed.toFixed(2);
    lanes.dataset.capturedAt = snapshot.captured_at;
    performance.measure("contexts-render", { start: started, end: started + elapsed });
  }

  function showState() {
    const text = paused ? "paused" : "live" + (lastUpdate ? " · updated " + lastUpdate : "");
    if (state.textContent !== text) {
      state.textContent = text;
    }
    toggle.textContent = paused ? "Resume live updates" : "Pause live updates";
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
  }

  function schedule() {
    clearTimeout(timer);
    if (!paused) {
      timer = setTimeout(refresh, interval);
    }
  }

  function refresh() {
    if (loading || paused) {
      return;
    }
    if (document.hidden) {
      schedule();
      return;
    }
    loading = true;
    const requested = performance.now();
    fetch(api, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("the panel answered " + response.status);
        }
        return response.json();
      })
      .then(function (snapshot) {
        loadError.hidden = true;
        render(snapshot);
        // Asking, answering, parsing and drawing: what one live update costs.
        updates += 1;
        if (updates % MEASURES_KEPT === 0) {
          performance.clearMeasures("contexts-render");
          performance.clearMeasures("contexts-update");
        }
        performance.measure("contexts-update", { start: requested, end: performance.now() });
      })
      .catch(function (error) {
        loadError.textContent = "Could not load the contexts (" + error.message + "); retrying.";
        loadError.hidden = false;
      })
      .finally(function () {
        loading = false;
        showState();
        schedule();
      });
  }

  toggle.addEventListener("click", function () {
    paused = !paused;
    showState();
    if (paused) {
      clearTimeout(timer);
    } else {
      refresh();
    }
  });
  showIdle.addEventListener("input", function () {
    lanes.classList.toggle("hide-idle", !showIdle.checked);
  });
  controls.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !paused) {
      refresh();
    }
  });
  lanes.classList.toggle("hide-idle", !showIdle.checked);
  refresh();
});
