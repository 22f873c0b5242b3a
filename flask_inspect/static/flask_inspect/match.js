// Match page: show or hide the rules that part ways with the URL at once,
// and keep that choice in the address so a shared link shows the same.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const toggle = document.getElementById("show-early");
  const table = document.getElementById("candidates-table");
  if (!toggle || !table) {
    return;
  }
  const early = Array.from(table.querySelectorAll("tr[data-early]"));

  function apply() {
    early.forEach(function (row) {
      row.hidden = !toggle.checked;
    });
    const url = new URL(window.location.href);
    if (toggle.checked) {
      url.searchParams.set("all", "1");
    } else {
      url.searchParams.delete("all");
    }
    window.history.replaceState(null, "", url.toString());
  }

  toggle.addEventListener("change", apply);
  const focus = table.querySelector("tr.focus");
  // Only a long list of shown rules is scrolled to the deciding one; counting
  // the hidden ones too scrolled short lists past the form on small screens.
  const shown = table.querySelectorAll("tbody tr:not([hidden])").length;
  if (focus && focus.scrollIntoView && shown > 40) {
    focus.scrollIntoView({ block: "center" });
  }
});
