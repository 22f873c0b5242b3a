// Filters kept in the page's URL: a filtered view can be shared and survives a reload.
// Every control with a data-url-param attribute is restored from the query string when
// the page loads (before the page's own script draws) and written back on each change
// with history.replaceState (no new history entry per keystroke). A control at its
// default value leaves its parameter out.
"use strict";

(function () {
  function defaultOf(control) {
    if (control.type === "checkbox") {
      return control.defaultChecked ? "1" : "0";
    }
    if (control.tagName === "SELECT") {
      const chosen = Array.from(control.options).find(function (option) { return option.defaultSelected; });
      return chosen ? chosen.value : (control.options.length ? control.options[0].value : "");
    }
    return control.defaultValue;
  }

  function valueOf(control) {
    if (control.type === "checkbox") {
      return control.checked ? "1" : "0";
    }
    return control.value;
  }

  function restore(control, value) {
    if (control.type === "checkbox") {
      control.checked = value === "1";
      return;
    }
    if (control.tagName === "SELECT" && !Array.from(control.options).some(function (option) { return option.value === value; })) {
      // Options drawn later (endpoints seen so far): keep the asked-for one.
      control.append(window.flaskInspect.el("option", { value: value, text: value }));
    }
    control.value = value;
  }

  function write(controls) {
    const params = new URLSearchParams(window.location.search);
    controls.forEach(function (control) {
      const name = control.dataset.urlParam;
      const value = valueOf(control);
      if (value === defaultOf(control)) {
        params.delete(name);
      } else {
        params.set(name, value);
      }
    });
    const query = params.toString();
    const url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(window.history.state, "", url);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const controls = Array.from(document.querySelectorAll("[data-url-param]"));
    if (!controls.length) {
      return;
    }
    const params = new URLSearchParams(window.location.search);
    controls.forEach(function (control) {
      const value = params.get(control.dataset.urlParam);
      if (value !== null) {
        restore(control, value);
      }
      control.addEventListener("input", function () { write(controls); });
      control.addEventListener("change", function () { write(controls); });
    });
  });
})();
