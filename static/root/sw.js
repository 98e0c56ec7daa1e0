// KOL CRM's service worker, served at the site's root (WHITENOISE_ROOT) so its scope is "/".
// - Static files: from the cache, refreshed from the network.
// - Pages (signed-in HTML only): from the network; a copy kept in the signed-in person's own
//   cache, stamped with when it was synced; offline, that copy, or the offline shell.
// - Never kept: admin, sign-in, exports and data downloads, anything not HTML.
// - Background Sync sends the queue of posts saved offline (store.js), as page.js does.
importScripts("/static/js/offline/store.js");

const VERSION = "1";
const SHELL_CACHE = "kolcrm-shell-" + VERSION;
const STATIC_CACHE = "kolcrm-static-" + VERSION;
const SHELL = [
  "/offline.html",
  "/static/vendor/pico/pico.min.css",
  "/static/css/app.css",
  "/static/css/phone.css",
  "/static/css/offline.css",
  "/static/js/offline/store.js",
  "/static/js/offline/page.js",
  "/static/img/favicon.svg",
];
const MAX_PAGES = 60;
const NEVER_KEPT = [
  /^\/admin\//,
  /^\/accounts\//,
  /^\/health\//,
  /^\/unsubscribe\//,
  /^\/for-you\//, // a KOL's own page (voice/), not the signed-in person's
  /^\/calendar\//,
  /^\/reminders\/health\//,
  /\/import\//,
  /\/(export|data|erase)(\/|\.|$)/,
  /\.(csv|xlsx|json|ics|pdf|zip|txt)$/,
];
const SYNC_TAG = "kolcrm-queue";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      const ours = name.startsWith("kolcrm-shell-") || name.startsWith("kolcrm-static-");
      if (ours && name !== SHELL_CACHE && name !== STATIC_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function kept(url) {
  return !NEVER_KEPT.some((pattern) => pattern.test(url.pathname));
}

function partKey(url) {
  const key = new URL(url);
  key.searchParams.set("__part", "1"); // an htmx part and its page are different answers
  return key.href;
}

async function keepPage(cacheKey, response) {
  const user = response.headers.get("X-Offline-User");
  const type = response.headers.get("Content-Type") || "";
  if (!user || response.status !== 200 || !type.startsWith("text/html")) return "";
  // A second person signed in: nothing of the first stays readable.
  for (const name of await caches.keys()) {
    if (name.startsWith(KolOffline.PAGES_CACHE) && name !== KolOffline.PAGES_CACHE + user) {
      await caches.delete(name);
    }
  }
  const synced = new Date().toISOString();
  const html = (await response.text()).replace(
    "</head>", `<meta name="kolcrm-synced-at" content="${synced}">\n</head>`
  );
  const headers = new Headers(response.headers);
  headers.delete("Content-Length");
  headers.delete("Content-Encoding");
  const cache = await caches.open(KolOffline.PAGES_CACHE + user);
  await cache.put(cacheKey, new Response(html, { status: 200, statusText: "OK", headers }));
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAGES))) await cache.delete(old);
  return html;
}

async function cachedPage(cacheKey) {
  const user = await KolOffline.getMeta("user");
  if (!user) return undefined;
  const cache = await caches.open(KolOffline.PAGES_CACHE + user);
  return (await cache.match(cacheKey, { ignoreVary: true }))
    || (await cache.match(cacheKey, { ignoreVary: true, ignoreSearch: true }));
}

// The KOL page's "Log a touchpoint" and "Add a follow-up" forms are fetched when opened:
// keep them ready for offline (where the page offers them: who may only read the KOL has none).
const KEPT_FORMS = ["touchpoint", "followup"];

async function keepTouchpointForm(url, html) {
  if (!/^\/kols\/\d+\/$/.test(url.pathname)) return;
  for (const name of KEPT_FORMS) {
    if (!html.includes(`?open=${name}`)) continue;
    const formUrl = new URL(`${url.pathname}?open=${name}`, url.origin);
    try {
      const response = await fetch(formUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } });
      await keepPage(partKey(formUrl), response);
    } catch (error) {
      // offline already: the copy kept last time stays
    }
  }
}

async function page(event, url) {
  try {
    const response = await fetch(event.request);
    if (url.pathname.startsWith("/accounts/login/")) {
      // Signed out, or the session ended: the pages kept go (drafts and the queue stay until
      // someone signs in: the same person gets them back, anyone else deletes them).
      event.waitUntil(KolOffline.dropPages());
    } else if (kept(url)) {
      event.waitUntil(keepPage(url.href, response.clone()).then((html) => keepTouchpointForm(url, html)));
    }
    return response;
  } catch (error) {
    const copy = kept(url) ? await cachedPage(url.href) : undefined;
    return copy || (await caches.match("/offline.html")) || Response.error();
  }
}

async function part(event, url) {
  try {
    const response = await fetch(event.request);
    if (kept(url)) event.waitUntil(keepPage(partKey(url), response.clone()));
    return response;
  } catch (error) {
    return (kept(url) && (await cachedPage(partKey(url)))) || Response.error();
  }
}

async function staticFile(event) {
  const cached = await caches.match(event.request, { ignoreVary: true });
  const refresh = fetch(event.request).then(async (response) => {
    if (response.ok) await (await caches.open(STATIC_CACHE)).put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(refresh.catch(() => undefined));
    return cached;
  }
  return refresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // posts go to the network; page.js queues them offline
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) event.respondWith(staticFile(event));
  else if (request.mode === "navigate") event.respondWith(page(event, url));
  else if (request.headers.get("HX-Request")) event.respondWith(part(event, url));
});

async function sendQueue() {
  const user = await KolOffline.getMeta("user");
  if (!user) return;
  const result = await KolOffline.replay(user);
  for (const client of await self.clients.matchAll()) {
    client.postMessage({ type: "kolcrm-queue", result });
  }
  if (result.stopped === "offline") throw new Error("Still offline: the browser tries again.");
}

self.addEventListener("sync", (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(sendQueue());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "kolcrm-drop-pages") event.waitUntil(KolOffline.dropPages());
});
