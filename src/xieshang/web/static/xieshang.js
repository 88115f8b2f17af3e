// xieshang: small enhancements; every page works without this file.
(function () {
  "use strict";
  function setup(root) {
    // Copy buttons: shown only when the clipboard can be used.
    root.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      if (button.dataset.ready) { return; }
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) { return; }
        navigator.clipboard.writeText(source.innerText).then(function () {
          var label = button.textContent;
          button.textContent = button.dataset.done || "✓";
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
    // A form that came back with errors: move the focus to the list of what to fix.
    var summary = root.querySelector ? root.querySelector("#error-summary") : null;
    if (summary) { summary.focus(); }
    // Questions page: filter as you type.
    var search = root.querySelector ? root.querySelector("input[data-filter]") : null;
    if (search && !search.dataset.ready) {
      search.dataset.ready = "1";
      search.addEventListener("input", function () {
        var words = search.value.trim().toLowerCase();
        document.querySelectorAll(search.dataset.filter).forEach(function (item) {
          item.hidden = words !== "" && item.textContent.toLowerCase().indexOf(words) < 0;
        });
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setup(event.target); });
})();
