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

  document.addEventListener("DOMContentLoaded", function () {
    applyTheme(storedTheme());
    // Moments drawn on the server (UTC, ISO 8601) read like those the script draws.
    document.querySelectorAll("time.clock[datetime]").forEach(function (node) {
      node.textContent = window.flaskInspect.clock(node.getAttribute("datetime"));
    });
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
  };
})();
