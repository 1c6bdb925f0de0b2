// Cubby's service worker, served at /sw.js (scope "/") and registered by static/js/cubby.js.
//
// It keeps a copy of the shell (CSS, htmx, our script, the manifest, the icons and the offline page)
// so the portal starts fast and can say "You are offline" when the network is gone.
// It NEVER caches pages or htmx fragments: they hold family data (names, classes, balances) and
// the server marks them no-store. Only the files in SHELL below are ever written to the cache.
//
// Change VERSION whenever SHELL changes: the new worker fills a new cache and deletes the old ones.
"use strict";

const VERSION = "cubby-shell-v1";
const OFFLINE_URL = "/offline";
const SHELL = [
  OFFLINE_URL,
  "/static/css/cubby.css",
  "/static/vendor/htmx.min.js",
  "/static/js/cubby.js",
  "/static/manifest.webmanifest",
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/maskable-512.png",
  "/static/icons/apple-touch-icon.png",
];
const STATIC_SHELL = new Set(SHELL.filter((path) => path !== OFFLINE_URL));

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(VERSION);
    // Fresh from the server, and without cookies: the offline page must be the signed-out one.
    await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload", credentials: "omit" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name)));
    if (self.registration.navigationPreload) {
      await self.registration.navigationPreload.enable();
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    event.respondWith(pageOrOffline(event));
  } else if (STATIC_SHELL.has(url.pathname) && !url.search) {
    event.respondWith(shellFile(event));
  }
  // Anything else (htmx fragments, forms, every app route) goes to the network as if we were not here.
});

// A page: always from the network, never stored; the cached offline page when the network is gone.
async function pageOrOffline(event) {
  try {
    const preloaded = await event.preloadResponse;
    return preloaded || await fetch(event.request);
  } catch (error) {
    const offline = await caches.match(OFFLINE_URL, { cacheName: VERSION });
    return offline || Response.error();
  }
}

// A shell file: from the cache at once, refreshed in the background so an updated file is used next time.
async function shellFile(event) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const refresh = fetch(event.request).then((response) => {
    if (response.ok && response.type === "basic") {
      return cache.put(event.request, response.clone()).then(() => response);
    }
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}
