// flask-inspect: code shared by every panel page (theme, small helpers).
"use strict";

(function () {
  const THEME_KEY = "flask-inspect-theme";
  const root = document.documentElement;
  const order = ["auto", "light", "dark"];

  function applyTheme(theme) {
    root.setAttribute("data-theme", theme);
    const button = document.getElementById("theme-toggle");
    if (button) {
      button.textContent = "Theme: " + theme;
    }
  }

  function storedTheme() {
    try {
      return localStorage.getItem(THEME_KEY) || "auto";
    } catch (error) {
      return "auto";
    }
  }

  applyTheme(storedTheme());

  // Indexes of a longest strictly rising run of the values >= 0 (patience sorting).
  function longestRising(values) {
    const tails = [];
    const previous = [];
    values.forEach(function (value, index) {
      previous.push(-1);
      if (value < 0) {
        return;
      }
      let low = 0;
      let high = tails.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (values[tails[middle]] < value) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      if (low > 0) {
        previous[index] = tails[low - 1];
      }
      tails[low] = index;
    });
    const run = new Set();
    for (let index = tails.length ? tails[tails.length - 1] : -1; index >= 0; index = previous[index]) {
      run.add(index);
    }
    return run;
  }

  // "GET /calendar/2026-02-30", "localhost/user/7", "/files/a-b.txt": a path,
  // maybe after a method and a host, with no other spaces.
  const PATH_TEXT = /^((?:[A-Z]+ )?[^\s/]*)(\/\S*)$/;

  // Paths drawn by the server (titles, verdicts, suggestions) wrap only
  // between segments too: browsers would break them at any "-".
  function wrapPaths(root) {
    root.querySelectorAll("code, .path, .request-line").forEach(function (node) {
      const text = node.firstChild;
      if (node.childNodes.length !== 1 || text.nodeType !== Node.TEXT_NODE) {
        return;
      }
      const found = PATH_TEXT.exec(text.nodeValue.trim());
      if (found && found[0].length <= 2000) {
        node.replaceChildren.apply(node, [found[1]].concat(window.flaskInspect.pathNodes(found[2])));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme(storedTheme());
    // Moments drawn on the server (UTC, ISO 8601) read like those the script draws.
    document.querySelectorAll("time.clock[datetime]").forEach(function (node) {
      node.textContent = window.flaskInspect.clock(node.getAttribute("datetime"));
    });
    wrapPaths(document.body);
    const button = document.getElementById("theme-toggle");
    if (!button) {
      return;
    }
    button.addEventListener("click", function () {
      const current = root.getAttribute("data-theme") || "auto";
      const next = order[(order.indexOf(current) + 1) % order.length];
      try {
        localStorage.setItem(THEME_KEY, next);
      } catch (error) {
        // Storage may be disabled; the theme still changes for this page.
      }
      applyTheme(next);
    });
  });

  window.flaskInspect = {
    // A duration or an age in milliseconds, written as flask_inspect/durations.py does.
    duration: function (ms) {
      if (ms < 9.995) {
        return ms.toFixed(2) + " ms";
      }
      if (ms < 999.95) {
        return ms.toFixed(1) + " ms";
      }
      if (ms < 59950) {
        return (ms / 1000).toFixed(1) + " s";
      }
      const total = Math.round(ms / 1000);
      return Math.floor(total / 60) + " min " + (total % 60) + " s";
    },
    // A moment (ISO 8601) as a clock time, as the request list and the contexts page write it.
    clock: function (iso) {
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
    },
    prefix: function () {
      return document.body ? document.body.getAttribute("data-prefix") : "/_inspect/";
    },
    // Text to DOM without ever interpreting it as HTML.
    el: function (tag, attrs, children) {
      const node = document.createElement(tag);
      Object.entries(attrs || {}).forEach(function ([key, value]) {
        if (key === "text") {
          node.textContent = value;
        } else if (value !== null && value !== undefined && value !== false) {
          node.setAttribute(key, value);
        }
      });
      (children || []).forEach(function (child) {
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      });
      return node;
    },
    // A URL path (and query) as text that wraps only before a "/", "?" or
    // "&", never inside a segment: each part unbreakable, a <wbr> between.
    pathNodes: function (path) {
      return window.flaskInspect.partNodes(String(path).split(/(?=[/?&])/));
    },
    // A dotted name ("demos.flash_and_render") that wraps only after a dot.
    dottedNodes: function (name) {
      return window.flaskInspect.partNodes(String(name).split(/(?<=\.)/));
    },
    partNodes: function (parts) {
      const nodes = [];
      parts.forEach(function (part, index) {
        if (index) {
          nodes.push(document.createElement("wbr"));
        }
        const segment = document.createElement("span");
        segment.className = "seg-text";
        segment.textContent = part;
        nodes.push(segment);
      });
      return nodes;
    },
    // Make ``container``'s children exactly ``nodes``, in order, moving as
    // few as possible: those already in the longest run in the right order
    // stay where they are (a moved node loses focus and selection).
    place: function (container, nodes) {
      const wanted = new Set(nodes);
      Array.from(container.children).forEach(function (node) {
        if (!wanted.has(node)) {
          node.remove();
        }
      });
      const at = new Map();
      Array.from(container.children).forEach(function (node, index) { at.set(node, index); });
      const stay = longestRising(nodes.map(function (node) { return at.has(node) ? at.get(node) : -1; }));
      let next = null;
      for (let index = nodes.length - 1; index >= 0; index -= 1) {
        if (!stay.has(index)) {
          container.insertBefore(nodes[index], next);
        }
        next = nodes[index];
      }
    },
    // Make ``current`` look like ``next`` while keeping every node that is
    // already right: a live page redrawn this way keeps focus, selection and
    // scroll in what did not change. Returns the node now in the document.
    morph: function morph(current, next) {
      if (current.nodeName !== next.nodeName) {
        current.replaceWith(next);
        return next;
      }
      if (current.nodeType !== Node.ELEMENT_NODE) {
        if (current.nodeValue !== next.nodeValue) {
          current.nodeValue = next.nodeValue;
        }
        return current;
      }
      // Plain loops: this runs over every node of every lane once a second.
      const want = next.attributes;
      for (let index = 0; index < want.length; index += 1) {
        const attribute = want[index];
        if (current.getAttribute(attribute.name) !== attribute.value) {
          current.setAttribute(attribute.name, attribute.value);
        }
      }
      const have = current.attributes;
      // Every wanted attribute is set now: only a longer list has extras.
      for (let index = have.length - 1; have.length > want.length && index >= 0; index -= 1) {
        if (!next.hasAttribute(have[index].name)) {
          current.removeAttribute(have[index].name);
        }
      }
      let mine = current.firstChild;
      let theirs = next.firstChild;
      while (theirs) {
        const following = theirs.nextSibling;
        if (mine) {
          const after = mine.nextSibling;
          morph(mine, theirs);
          mine = after;
        } else {
          current.appendChild(theirs);
        }
        theirs = following;
      }
      while (mine) {
        const after = mine.nextSibling;
        mine.remove();
        mine = after;
      }
      return current;
    },
  };
})();
