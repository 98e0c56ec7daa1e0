// What this browser keeps for working offline, shared by the pages (page.js) and the service
// worker (/sw.js): a queue of posts waiting to be sent, in IndexedDB, and how to send them.
// A tiny wrapper of our own instead of a library: two stores, a handful of calls.
(function (scope) {
  "use strict";

  const DB_NAME = "kolcrm-offline";
  const PAGES_CACHE = "kolcrm-pages-u"; // + the user's id: each person's pages apart
  let opening = null;

  function db() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const base = request.result;
          base.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
          base.createObjectStore("meta");
        };
        request.onsuccess = () => {
          const base = request.result;
          // Clear-Site-Data or another tab may close or delete it: open it again next time.
          base.onclose = () => { opening = null; };
          base.onversionchange = () => { base.close(); opening = null; };
          resolve(base);
        };
        request.onerror = () => { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  async function run(storeName, mode, work) {
    const base = await db();
    return new Promise((resolve, reject) => {
      const transaction = base.transaction(storeName, mode);
      const request = work(transaction.objectStore(storeName));
      transaction.oncomplete = () => resolve(request ? request.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const getMeta = (key) => run("meta", "readonly", (store) => store.get(key));
  const setMeta = (key, value) => run("meta", "readwrite", (store) => store.put(value, key));
  const deleteMeta = (key) => run("meta", "readwrite", (store) => store.delete(key));

  async function items(user) {
    const all = (await run("queue", "readonly", (store) => store.getAll())) || [];
    return all.filter((item) => item.user === user).sort((a, b) => a.id - b.id);
  }
  const add = (item) => run("queue", "readwrite", (store) => store.add(item));
  const put = (item) => run("queue", "readwrite", (store) => store.put(item));
  const remove = (id) => run("queue", "readwrite", (store) => store.delete(id));

  async function forget(user) {
    for (const item of await items(user)) await remove(item.id);
    if (scope.caches) await scope.caches.delete(PAGES_CACHE + user);
  }

  // Anyone's pages: on signing out, or when the session ended (the login page shows).
  async function dropPages() {
    if (!scope.caches) return;
    for (const name of await scope.caches.keys()) {
      if (name.startsWith(PAGES_CACHE)) await scope.caches.delete(name);
    }
  }

  function stripTags(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
  }

  const STATUS_MESSAGES = {
    403: "You may no longer log for this KOL.",
    404: "This KOL is no longer yours to see: archived, erased or reassigned.",
    409: "Someone changed it meanwhile, so nothing was overwritten.",
  };

  // The server's own words where it gave them (form errors), else what the status means.
  function messageOf(status, html) {
    const said = [];
    const lists = html.match(/<ul class="errorlist[^"]*"[^>]*>[\s\S]*?<\/ul>/g) || [];
    for (const list of lists) {
      const text = stripTags(list);
      if (text && !said.includes(text)) said.push(text);
    }
    if (said.length) return said.join(" ");
    return STATUS_MESSAGES[status] || `The server did not accept it (${status}).`;
  }

  async function send(item, csrf) {
    const body = new URLSearchParams(item.body);
    if (csrf) body.set("csrfmiddlewaretoken", csrf);
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "HX-Request": "true", "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
      });
    } catch (error) {
      return { outcome: "offline" };
    }
    // The Log page answers a saved touchpoint with a redirect to the KOL page.
    if (response.type === "opaqueredirect") return { outcome: "sent" };
    // accounts.middleware.LoginRequiredMiddleware: the session ended, sign in first.
    if (response.headers.get("HX-Redirect")) return { outcome: "signin" };
    if (response.ok) return { outcome: "sent" };
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return { outcome: "offline" };
    }
    const html = await response.text();
    return { outcome: "conflict", status: response.status, message: messageOf(response.status, html) };
  }

  // Sends the user's waiting items in the order they were saved; stops at the first that
  // cannot go (no network, signed out) so the order holds. A conflict stays, with its reason.
  async function replay(user) {
    const work = async () => {
      const result = { sent: 0, conflicts: 0, stopped: null, kinds: [] };
      const csrf = await getMeta("csrf");
      for (const item of await items(user)) {
        if (item.status === "conflict") continue;
        const answer = await send(item, csrf);
        if (answer.outcome === "sent") {
          await remove(item.id);
          result.sent += 1;
          result.kinds.push(item.kind);
        } else if (answer.outcome === "conflict") {
          await put({ ...item, status: "conflict", message: answer.message, httpStatus: answer.status });
          result.conflicts += 1;
        } else {
          result.stopped = answer.outcome;
          break;
        }
      }
      return result;
    };
    // One sender at a time across tabs and the service worker.
    if (scope.navigator && scope.navigator.locks) {
      return scope.navigator.locks.request("kolcrm-offline-replay", work);
    }
    return work();
  }

  scope.KolOffline = {
    PAGES_CACHE, getMeta, setMeta, deleteMeta, items, add, put, remove, forget, dropPages,
    replay, messageOf,
  };
})(self);
