// Phone simulator: refresh the message lists every two seconds (no inline script: CSP-ready).
(function () {
  "use strict";
  function refresh() {
    document.querySelectorAll("[data-refresh]").forEach(function (list) {
      fetch(list.getAttribute("data-refresh"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && html !== list.innerHTML) { list.innerHTML = html; } })
        .catch(function () {});
    });
  }
  setInterval(refresh, 2000);
})();
