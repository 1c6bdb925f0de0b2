// Cubby's service worker, made from this template at /sw.js (scope "/") and registered by static/js/cubby.js.
//
// It keeps the shell (CSS, htmx, our script, the manifest, the icons and the offline page) so the
// portal starts fast and can say "You are offline" when the network is gone. Pages and htmx fragments
// hold family data (names, classes, balances): they always come from the network and are NEVER stored.
// The only write to the cache is the precache at install, of the fixed list below.
//
// Shell files are served cache-first. Their addresses carry a hash of their content (webapp/assets.py), and
// VERSION is a hash of this list, so a deploy that changes a file changes the worker too: the new worker
// fills a new cache, takes over at once and deletes the old caches.
"use strict";

const VERSION = "cubby-shell-{{ version }}";
const OFFLINE_URL = "/offline";
const PRECACHE = {{ precache|tojson }};
const CACHE_FIRST = new Set(PRECACHE.filter((path) => path.startsWith("/static/")));

self.addEventListener("install", (event) => {
  // Fresh from the server (not the HTTP cache) and without cookies: the offline page is the signed-out one.
  const requests = PRECACHE.map((path) => new Request(path, { cache: "reload", credentials: "omit" }));
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name)));
    // The page request starts while the worker boots, so pages are no slower for having a worker.
    if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(event));
  } else if (CACHE_FIRST.has(url.pathname) && !url.search) {
    event.respondWith(caches.match(request, { cacheName: VERSION }).then((cached) => cached || fetch(request)));
  }
  // Everything else (htmx fragments, money, family data, every app route) goes to the network as if
  // there were no worker, and is never stored.
});

// A page: from the network, never stored; the cached offline page when the network is gone.
async function pageOrOffline(event) {
  try {
    const preloaded = await event.preloadResponse;
    return preloaded || await fetch(event.request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_URL, { cacheName: VERSION });
    return offline || Response.error();
  }
}
