// Cubby's own script: the service worker, a fresh CSRF token after expiry, network errors, and how an htmx
// action feels: the widget is busy while it works, its result shows next to it, and focus follows the swap.
(function () {
  "use strict";

  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the portal works without it */ });
    });
  }

  function region() { return document.getElementById("flash"); }

  function say(text) {
    var flash = region();
    if (!flash) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = text;
    flash.replaceChildren(p);
  }

  // The widget an element belongs to: the part of the page that replaces itself, else its form. (When the element
  // was swapped away, htmx reports the request on the nearest parent still in the page: the widget is inside it.)
  function widgetOf(elt) {
    if (!elt || !elt.closest) return null;
    return elt.closest("[hx-target='this']") || elt.querySelector("[hx-target='this']") || elt.closest("form");
  }

  // The result, next to the control that was tapped (not announced: the message region above is).
  function showNear(widget, flash) {
    var status = document.getElementById(widget.id + "-status");
    var text = flash.textContent.trim();
    if (!text) {
      if (status) status.remove();
      return;
    }
    if (!status) {
      status = document.createElement("p");
      status.id = widget.id + "-status";
      widget.insertAdjacentElement("afterend", status);
    }
    var kind = flash.querySelector(".flash");
    status.className = "widget-status " + (kind ? kind.className.replace("flash ", "") : "");
    status.textContent = text;
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var widget = widgetOf(event.detail.elt);
    var flash = region();
    if (flash) flash.replaceChildren();  // what shows after this request is this request's answer
    if (!widget) return;
    widget.setAttribute("aria-busy", "true");
    widget.querySelectorAll("button").forEach(function (button) { button.disabled = true; });
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var widget = widgetOf(event.detail.elt);
    if (widget) {
      widget.removeAttribute("aria-busy");
      widget.querySelectorAll("button").forEach(function (button) { button.disabled = false; });
    }
    var now = widget && widget.id ? document.getElementById(widget.id) : null;  // the widget as it is after the swap
    var flash = region();
    if (now && flash && now.closest("main")) showNear(now, flash);
  });

  // Once new content is settled (htmx has wired it up): the focus moves into it, the page's title and the
  // navigation's current page follow it.
  document.body.addEventListener("htmx:afterSettle", function () {
    var focus = document.querySelector("[data-autofocus]");
    if (focus) {
      focus.removeAttribute("data-autofocus");
      focus.focus();
    }
    var title = document.querySelector("main [data-page-title]");
    if (title) document.title = title.getAttribute("data-page-title");
    document.querySelectorAll("nav[aria-label=Main] a").forEach(function (link) {
      if (link.pathname === window.location.pathname) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
  });

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
