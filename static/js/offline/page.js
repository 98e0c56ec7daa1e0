// Never lose a note (README: Offline and on the home screen), on every page:
// - registers the service worker (/sw.js) for the signed-in person;
// - offline, logging a touchpoint, adding a follow-up or marking one done is saved on this
//   phone (store.js)
//   and sent when the signal returns, with the form's one-time token so nothing is made twice;
// - every long text is kept as a draft while typed, and put back after a lost signal, a
//   closed tab or a sign-in; it goes when saved or discarded;
// - signing out, or another person signing in, deletes the pages, queue and drafts kept here.
(function () {
  "use strict";

  const store = self.KolOffline;
  if (!store || !("indexedDB" in self)) return;

  const SAVED = "Saved on this phone: it will be sent when you are online.";
  const OFFLINE = "You are offline: this needs the signal. A touchpoint you log, or a follow-up "
    + "you add or mark done, is saved on this phone and sent when you are online.";
  const DRAFTS = "kolcrm-draft:"; // + user + ":" + path, in localStorage
  const TOKENS = "kolcrm-tokens:"; // + user: form tokens this browser has already sent
  const SYNC_TAG = "kolcrm-queue";
  // The one-time token of a form (a touchpoint's "form_token", a follow-up's prefixed one).
  const TOKEN_FIELD = 'input[name$="form_token"]';
  const FOLLOWUP_ADD = 'form[action$="/followups/add/"]';
  const meta = (name) => document.querySelector(`meta[name="${name}"]`);
  const user = meta("kolcrm-user") ? meta("kolcrm-user").content : "";
  const shell = Boolean(meta("kolcrm-shell"));
  const syncedAt = meta("kolcrm-synced-at") ? meta("kolcrm-synced-at").content : "";
  let status = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function pathOf(form) {
    const action = form.getAttribute("hx-post") || form.getAttribute("action") || location.pathname;
    return new URL(action, location.href).pathname;
  }

  // --- Who is signed in: another person's pages, queue and drafts never stay -------------

  function localKeys(prefix) {
    const keys = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(prefix)) keys.push(key);
    }
    return keys;
  }

  async function forgetEveryone() {
    const everyone = new Set([user, await store.getMeta("user")]);
    for (const key of localKeys("kolcrm-")) localStorage.removeItem(key);
    for (const person of everyone) if (person) await store.forget(person);
    await store.dropPages();
    await store.deleteMeta("user");
    await store.deleteMeta("csrf");
  }

  async function knowWhoIsHere() {
    if (shell) return;
    if (!user) {
      await store.dropPages(); // signed out or the session ended: no page stays readable
      return;
    }
    const before = await store.getMeta("user");
    if (before && before !== user) {
      await store.forget(before);
      for (const key of localKeys(DRAFTS + before + ":").concat(localKeys(TOKENS + before))) {
        localStorage.removeItem(key);
      }
    }
    await store.setMeta("user", user);
    if (!syncedAt) await store.setMeta("csrf", csrfToken()); // an offline copy's may be old
  }

  // --- The status line: what waits, what could not be sent --------------------------------

  function statusBox() {
    if (!status) {
      status = document.getElementById("offline-status");
      if (!status) {
        const main = document.querySelector("main");
        if (!main) return null;
        status = element("div", { id: "offline-status", class: "offline-status", "aria-live": "polite" });
        main.prepend(status);
      }
    }
    return status;
  }

  function conflictCard(item) {
    const textId = `offline-text-${item.id}`;
    const text = element("textarea", { id: textId, readonly: "", rows: "4" });
    text.value = item.text || "";
    const copy = element("button", { type: "button", class: "secondary", text: "Copy the text" });
    copy.addEventListener("click", async () => {
      text.select();
      try {
        await navigator.clipboard.writeText(text.value);
        copy.textContent = "Copied";
      } catch (error) {
        copy.textContent = "Selected: copy it";
      }
    });
    const drop = element("button", { type: "button", class: "outline", text: "Delete it from this phone" });
    drop.addEventListener("click", async () => {
      await store.remove(item.id);
      render();
    });
    return element(
      "article",
      { class: "offline-conflict", "data-offline-item": String(item.id) },
      element("p", {}, element("strong", { text: `Not sent: ${item.label}. ` }),
        element("span", { class: "offline-reason", text: item.message || "" })),
      element("label", { for: textId, text: "Your text, to copy before you delete it" }),
      text,
      element("div", { class: "actions" }, copy, drop),
    );
  }

  async function render(note) {
    const box = statusBox();
    if (!box || !user && !shell) return;
    const person = user || (await store.getMeta("user"));
    if (!person) return;
    const items = await store.items(person);
    const waiting = items.filter((item) => item.status !== "conflict");
    const conflicts = items.filter((item) => item.status === "conflict");
    box.replaceChildren();
    if (syncedAt) {
      const when = new Date(syncedAt);
      box.append(element("p", { class: "flash offline-synced", role: "status" },
        "Offline copy, as last synced ",
        element("time", { datetime: syncedAt, text: when.toLocaleString() }),
        ". Changes made since then are not shown."));
    }
    if (note) {
      const tone = note === OFFLINE ? "flash-warning" : "flash-success";
      box.append(element("p", { class: `flash ${tone} offline-note`, role: "status", text: note }));
    }
    if (waiting.length) {
      const count = waiting.length === 1 ? "1 item waits" : `${waiting.length} items wait`;
      box.append(element("p", { class: "flash offline-waiting", role: "status" },
        element("strong", { class: "offline-count", text: count }),
        ` to be sent. ${SAVED}`));
    }
    for (const item of conflicts) box.append(conflictCard(item));
    await renderDraftsElsewhere(box);
  }

  // --- The queue: save offline, send when online ------------------------------------------

  function usedTokens() {
    try {
      return JSON.parse(localStorage.getItem(TOKENS + user) || "[]");
    } catch (error) {
      return [];
    }
  }

  function rememberToken(token) {
    const tokens = usedTokens().filter((used) => used !== token);
    tokens.push(token);
    localStorage.setItem(TOKENS + user, JSON.stringify(tokens.slice(-100)));
  }

  function kindOf(form) {
    const token = form.querySelector(TOKEN_FIELD);
    if (token && token.value) return form.matches(FOLLOWUP_ADD) ? "followup-add" : "touchpoint";
    if (form.classList.contains("followup-done-form")) return "followup-done";
    return null;
  }

  function describe(form, kind) {
    if (kind === "followup-add") {
      const text = form.querySelector("textarea");
      return `New follow-up: ${text ? text.value.trim().slice(0, 80) : ""}`;
    }
    if (kind === "followup-done") {
      const item = form.closest(".followup");
      const text = item && item.querySelector(".followup-text");
      return `Follow-up done: ${text ? text.textContent.trim().slice(0, 80) : ""}`;
    }
    // The Log page says "With <KOL>, <institution>." under its heading; the KOL page is the KOL's.
    const logPage = form.querySelector('input[name="kol"]');
    const heading = document.querySelector(logPage ? "main hgroup p" : "main h1");
    const who = heading ? heading.textContent.trim().replace(/^With /, "").split(/[.,]/)[0] : "your KOL";
    return `Touchpoint with ${who}`;
  }

  function longText(form) {
    const parts = [];
    for (const field of form.querySelectorAll("textarea")) {
      if (!field.value.trim()) continue;
      const label = form.querySelector(`label[for="${field.id}"]`);
      parts.push(`${label ? label.textContent.trim() : field.name}: ${field.value.trim()}`);
    }
    return parts.join("\n\n");
  }

  async function askForSync() {
    try {
      const registration = await navigator.serviceWorker.ready;
      if (registration.sync) await registration.sync.register(SYNC_TAG);
    } catch (error) {
      // no Background Sync here: the online event and the next page open send the queue
    }
  }

  function showSaved(form, kind) {
    if (kind === "followup-done") {
      const item = form.closest(".followup");
      const actions = item && item.querySelector(".followup-actions");
      if (actions) {
        actions.replaceWith(element("p", { class: "followup-state offline-queued", role: "status",
          text: `Done ✓ · ${SAVED}` }));
      }
      return;
    }
    form.reset();
    const token = form.querySelector(TOKEN_FIELD);
    if (token) token.value = crypto.randomUUID(); // the next note is a new touchpoint
    const before = form.previousElementSibling;
    if (before && before.classList.contains("offline-saved")) before.remove();
    form.before(element("p", { class: "flash flash-success offline-saved", role: "status", text: SAVED }));
  }

  async function queue(form, body, kind) {
    await store.add({
      user,
      kind,
      url: pathOf(form),
      body: body.toString(),
      label: describe(form, kind),
      text: longText(form),
      page: location.pathname + location.search,
      saved: new Date().toISOString(),
      status: "waiting",
    });
    dropDraft(pathOf(form));
    showSaved(form, kind);
    await render();
    askForSync();
  }

  async function send() {
    if (!user || !navigator.onLine) return;
    await sent(await store.replay(user));
  }

  // What was sent, by this page or by the service worker (Background Sync).
  async function sent(result) {
    if (result.sent && window.htmx) {
      // The KOL page's parts refresh themselves on these events.
      htmx.trigger(document.body, "touchpoints-changed");
      htmx.trigger(document.body, "followups-changed");
    }
    let said;
    if (result.sent) said = result.sent === 1 ? "Sent the item saved on this phone." : `Sent the ${result.sent} items saved on this phone.`;
    if (result.stopped === "signin") said = "Sign in again to send what is saved on this phone.";
    await render(said);
  }

  function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !user) return;
    if (form.matches('[action$="/accounts/logout/"]')) {
      signOut(event, form);
      return;
    }
    markSubmitted(form);
    const kind = kindOf(form);
    if (!kind) return;
    const token = form.querySelector(TOKEN_FIELD);
    // A form kept from before (an offline copy) may carry a token already sent: a new note.
    if (token && token.value && usedTokens().includes(token.value)) token.value = crypto.randomUUID();
    const body = new URLSearchParams(new FormData(form, event.submitter));
    form.offlineBody = body;
    if (token && token.value) rememberToken(token.value);
    if (navigator.onLine) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    queue(form, body, kind);
  }

  // Sent while the network dropped: keep it, with the same token (it may have arrived).
  function onSendError(event) {
    const form = event.detail && event.detail.elt;
    const kind = form instanceof HTMLFormElement && form.offlineBody ? kindOf(form) : null;
    if (kind) queue(form, form.offlineBody, kind);
    else render(OFFLINE); // anything else needs the network: say so rather than do nothing
  }

  async function signOut(event, form) {
    event.preventDefault();
    event.stopImmediatePropagation();
    const unsent = (await store.items(user)).length;
    const ask = `${unsent === 1 ? "1 item saved on this phone was" : `${unsent} items saved on this phone were`}`
      + " not sent. Signing out deletes it from this phone. Sign out anyway?";
    if (unsent && !window.confirm(ask)) return;
    try {
      await forgetEveryone();
    } finally {
      form.submit(); // the answer also says Clear-Site-Data (offline/views.py)
    }
  }

  // --- Drafts of long texts ----------------------------------------------------------------

  function draftKey(path) {
    return DRAFTS + user + ":" + (path || location.pathname);
  }

  function readDrafts(key) {
    try {
      return JSON.parse(localStorage.getItem(key || draftKey()) || "null") || { forms: {} };
    } catch (error) {
      return { forms: {} };
    }
  }

  function writeDrafts(drafts, key) {
    if (Object.keys(drafts.forms).length) localStorage.setItem(key || draftKey(), JSON.stringify(drafts));
    else localStorage.removeItem(key || draftKey());
  }

  function draftable(field) {
    return field instanceof HTMLTextAreaElement && !field.readOnly && field.name && field.form
      && (field.form.method || "").toLowerCase() === "post";
  }

  function onInput(event) {
    const field = event.target;
    if (!user || !draftable(field)) return;
    const drafts = readDrafts();
    const formPath = pathOf(field.form);
    const saved = drafts.forms[formPath] || { fields: {} };
    if (field.value.trim()) saved.fields[field.name] = field.value;
    else delete saved.fields[field.name];
    const lazy = field.form.closest("details[hx-get]");
    const open = lazy && new URL(lazy.getAttribute("hx-get"), location.href).searchParams.get("open");
    if (open) saved.open = open;
    saved.submitted = false;
    if (Object.keys(saved.fields).length) drafts.forms[formPath] = saved;
    else delete drafts.forms[formPath];
    drafts.title = document.title;
    drafts.href = location.pathname + location.search;
    drafts.at = new Date().toISOString();
    writeDrafts(drafts);
  }

  function dropDraft(formPath) {
    const drafts = readDrafts();
    delete drafts.forms[formPath];
    writeDrafts(drafts);
  }

  function markSubmitted(form) {
    const drafts = readDrafts();
    const saved = drafts.forms[pathOf(form)];
    if (!saved) return;
    saved.submitted = true;
    writeDrafts(drafts);
  }

  function unmarkSubmitted(form) {
    const drafts = readDrafts();
    const saved = drafts.forms[pathOf(form)];
    if (!saved) return;
    saved.submitted = false;
    writeDrafts(drafts);
  }

  function restoreInto(form) {
    const saved = readDrafts().forms[pathOf(form)];
    if (!saved || form.querySelector(".offline-draft-back")) return false;
    let restored = false;
    for (const [name, value] of Object.entries(saved.fields)) {
      const field = form.elements.namedItem(name);
      // Only over what the server sent (an empty field, or an edit form's saved text).
      if (field instanceof HTMLTextAreaElement && field.value === field.defaultValue && field.value !== value) {
        field.value = value;
        restored = true;
      }
    }
    if (!restored) return false;
    const discard = element("button", { type: "button", class: "outline secondary", text: "Discard the draft" });
    const notice = element("div", { class: "flash flash-warning offline-draft-back", role: "status" },
      element("p", { text: "Your unsent text is back. Nothing has been saved yet: check it, then save it." }),
      discard);
    discard.addEventListener("click", () => {
      dropDraft(pathOf(form));
      for (const name of Object.keys(saved.fields)) {
        const field = form.elements.namedItem(name);
        if (field instanceof HTMLTextAreaElement) field.value = field.defaultValue;
      }
      notice.remove();
    });
    form.prepend(notice);
    return true;
  }

  function restore(root) {
    if (!user) return;
    const forms = root instanceof HTMLFormElement ? [root] : Array.from(root.querySelectorAll("form"));
    for (const form of forms) {
      if ((form.method || "").toLowerCase() === "post" && form.querySelector("textarea")) restoreInto(form);
    }
  }

  // After a post: no error on the page means it was saved, so its draft goes; after a
  // sign-in (the session had ended) it stays, to be put back and sent when the user confirms.
  function settleSubmittedDrafts() {
    const fromSignIn = document.referrer && new URL(document.referrer).pathname.startsWith("/accounts/login/");
    const errors = document.querySelector(".errorlist, .flash-error, [aria-invalid='true']");
    for (const key of localKeys(DRAFTS + user + ":")) {
      const kept = readDrafts(key);
      for (const [formPath, saved] of Object.entries(kept.forms)) {
        if (!saved.submitted) continue;
        if (fromSignIn || (errors && key === draftKey())) saved.submitted = false;
        else delete kept.forms[formPath];
      }
      writeDrafts(kept, key);
    }
    const drafts = readDrafts();
    // Forms built when opened (the KOL page's): open the one a draft belongs to.
    for (const saved of Object.values(drafts.forms)) {
      if (!saved.open) continue;
      const details = document.querySelector(`details[hx-get*="open=${saved.open}"]`);
      if (details && !details.open) details.open = true;
    }
  }

  async function renderDraftsElsewhere(box) {
    if (!user) return;
    const here = draftKey();
    const elsewhere = [];
    for (const key of localKeys(DRAFTS + user + ":")) {
      if (key === here) continue;
      const drafts = readDrafts(key);
      if (drafts.href && Object.keys(drafts.forms).length) elsewhere.push(drafts);
    }
    if (!elsewhere.length) return;
    const list = element("ul", {});
    for (const drafts of elsewhere.slice(0, 5)) {
      list.append(element("li", {}, element("a", { href: drafts.href, text: drafts.title.split(" · ")[0] })));
    }
    box.append(element("div", { class: "flash offline-drafts" },
      element("p", { text: "Unsent text kept on this phone:" }), list));
  }

  // --- The offline shell: which pages can be read -----------------------------------------

  async function listKeptPages() {
    const list = document.getElementById("offline-pages");
    const person = await store.getMeta("user");
    if (!list || !person || !self.caches) return;
    const cache = await caches.open(store.PAGES_CACHE + person);
    const pages = [];
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      if (url.searchParams.has("__part")) continue;
      const html = await (await cache.match(request)).text();
      const title = (html.match(/<title>([\s\S]*?)<\/title>/) || [, url.pathname])[1];
      pages.push(element("li", {}, element("a", { href: url.pathname + url.search, text: title.split(" · ")[0].trim() })));
    }
    if (pages.length) list.replaceChildren(...pages);
  }

  // --- Start --------------------------------------------------------------------------------

  document.addEventListener("submit", onSubmit, true);
  document.addEventListener("input", onInput);
  document.addEventListener("htmx:sendError", onSendError);
  // Before the swap: the answer may replace the form, and then its events reach nobody.
  document.addEventListener("htmx:beforeOnLoad", (event) => {
    const form = event.detail.elt;
    const xhr = event.detail.xhr;
    if (!(form instanceof HTMLFormElement) || !xhr || (form.method || "").toLowerCase() !== "post") return;
    if (xhr.getResponseHeader("HX-Redirect")) return; // to sign in: the draft must stay
    if (xhr.status >= 200 && xhr.status < 300) dropDraft(pathOf(form));
    else unmarkSubmitted(form); // not saved (422, 409): the draft stays as it is
  });
  document.addEventListener("htmx:load", (event) => restore(event.detail.elt));
  window.addEventListener("online", () => send());
  window.addEventListener("offline", () => render(OFFLINE));

  (async () => {
    await knowWhoIsHere();
    if ("serviceWorker" in navigator && user) {
      navigator.serviceWorker.register("/sw.js").catch(() => undefined);
      navigator.serviceWorker.addEventListener("message", (event) => {
        if (event.data && event.data.type === "kolcrm-queue") sent(event.data.result);
      });
    }
    settleSubmittedDrafts();
    restore(document);
    await listKeptPages();
    await render();
    await send();
  })();
})();
