// Cubby's own script: the service worker, a fresh CSRF token after expiry, and network errors.
(function () {
  "use strict";

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the portal works without it */ });
    });
  }

  function say(text) {
    var region = document.getElementById("flash");
    if (!region) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    region.replaceChildren(p);
  }

  // The server answered an expired CSRF token with a fresh one: use it from now on.
  document.body.addEventListener("cubby:csrf", function (event) {
    var token = event.detail.token;
    document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": token }));
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) { input.value = token; });
  });

  document.body.addEventListener("htmx:sendError", function () {
    say("We could not reach the server. Check your connection and try again.");
  });
})();
