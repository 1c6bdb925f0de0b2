// Cubby's service worker: the app shell works offline; family data never touches the cache.
"use strict";

const SHELL = "cubby-shell-v1";
const PRECACHE = [
  "/offline",
  "/static/css/cubby.css",
  "/static/vendor/htmx.min.js",
  "/static/js/cubby.js",
  "/static/manifest.webmanifest",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-512.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== SHELL).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages always come from the network (they hold family data); the offline page stands in when it is gone.
    event.respondWith(fetch(request).catch(() => caches.match("/offline")));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((cached) => cached || fetch(request)));
  }
  // Everything else (htmx fragments, money, family data) goes to the network and is never stored.
});
