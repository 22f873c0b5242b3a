// One request's record: refresh its live parts while it is in flight, copy it as curl.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const inFlight = document.getElementById("in-flight");
  if (!inFlight) {
    return;
  }
  const delay = Number(inFlight.dataset.refresh) || 1000;

  // An <svg> keeps its element (the spacing switch shows or hides it) and takes
  // the fresh drawing; any other part is replaced whole.
  function swap(current, fresh) {
    if (current instanceof SVGElement) {
      current.setAttribute("viewBox", fresh.getAttribute("viewBox") || "");
      current.replaceChildren.apply(current, Array.from(fresh.childNodes).map(function (node) {
        return document.importNode(node, true);
      }));
    } else {
      current.replaceWith(document.importNode(fresh, true));
    }
  }

  function refresh() {
    fetch(window.location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) {
        if (response.status === 404) {
          return null; // dropped from the history (cleared, or pushed out by newer ones)
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          inFlight.textContent = "This record is no longer in the history; what is shown is as it was.";
          return;
        }
        // Parsed, never executed: DOMParser runs no scripts, and the page is our own.
        const fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (part) {
          const replacement = fresh.getElementById(part.id);
          if (replacement) {
            swap(part, replacement);
          }
        });
        if (fresh.getElementById("in-flight")) {
          window.setTimeout(refresh, delay);
        } else {
          inFlight.textContent = "Finished.";
        }
      })
      .catch(function (error) {
        inFlight.textContent = "Cannot reach the app (" + error.message + "); retrying.";
        window.setTimeout(refresh, delay * 3);
      });
  }

  window.setTimeout(refresh, delay);
});

document.addEventListener("DOMContentLoaded", function () {
  const button = document.getElementById("copy-curl");
  const command = document.getElementById("curl-command");
  const state = document.getElementById("copy-curl-state");
  if (!button || !command) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    const text = command.textContent;
    const copied = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text)
      : Promise.reject(new Error("no clipboard here"));
    copied.then(function () {
      state.textContent = "copied";
    }, function () {
      // Selected instead, for the keyboard's own copy.
      const range = document.createRange();
      range.selectNodeContents(command);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      state.textContent = "selected: press Ctrl+C (⌘C) to copy";
    });
  });
});
