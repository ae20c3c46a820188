// Every htmx request carries the CSRF token the page was rendered with (read from this script's data-csrf-token),
// without an inline script: the pages stay within a Content-Security-Policy that forbids them.
(function () {
  var token = document.currentScript.dataset.csrfToken;
  document.body.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = token;
  });
})();
