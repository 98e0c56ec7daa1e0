// The KOL page on a phone: its sections open on demand. Each section (a direct child of
// .kol-sections with an <h2> of its own) shows its heading, its add-forms and an Open
// button. The section menu, a link to anything inside a section, sending a form from one,
// and the server marking one data-open (a review new to the reader) open it. htmx replaces
// sections (a form sent, a follow-up done): the page remembers which are open and keeps
// them so. Wider screens, and no JavaScript, show every section.
(() => {
  const phone = window.matchMedia("(max-width: 600px)");
  const opened = new Set(["followups"]); // what is due stays in view

  const sectionOf = (element) => element?.closest?.(".kol-sections > .card-section");
  const collapsible = (section) => section?.querySelector(":scope > h2");

  function show(section, open) {
    section.classList.toggle("is-collapsed", !open);
    const button = section.querySelector(":scope > .section-toggle");
    if (!button) return;
    button.setAttribute("aria-expanded", String(open));
    button.firstChild.textContent = open ? "Close" : "Open";
  }

  function prepare(section) {
    const heading = collapsible(section);
    if (!heading || !section.id) return;
    let button = section.querySelector(":scope > .section-toggle");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "section-toggle outline secondary";
      button.setAttribute("aria-controls", section.id);
      const name = document.createElement("span");
      name.className = "visually-hidden";
      name.textContent = ` ${heading.textContent.trim()}`;
      button.append(document.createTextNode("Open"), name);
      heading.after(button);
    }
    show(section, !phone.matches || opened.has(section.id) || section.hasAttribute("data-open"));
  }

  function open(section) {
    if (!collapsible(section)) return;
    opened.add(section.id);
    show(section, true);
  }

  function prepareAll(root) {
    const container = document.querySelector(".kol-sections");
    if (!container) return;
    const sections = root.matches?.(".kol-sections > .card-section")
      ? [root]
      : root.querySelectorAll?.(".kol-sections > .card-section") || [];
    sections.forEach(prepare);
  }

  // A link to a section, to something in it, or to the marker before it ("Show all").
  function openTarget() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (!target) return;
    const section = target.classList.contains("show-all-marker")
      ? target.nextElementSibling
      : sectionOf(target) || (target.matches(".kol-sections > .card-section") ? target : null);
    if (section) {
      open(section);
      if (!target.classList.contains("show-all-marker")) target.scrollIntoView();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    prepareAll(document);
    openTarget();
  });
  // htmx:load fires for each piece of new content, the swapped sections included.
  document.addEventListener("htmx:load", (event) => prepareAll(event.target));
  window.addEventListener("hashchange", openTarget);
  phone.addEventListener("change", () => prepareAll(document));
  document.addEventListener("click", (event) => {
    const button = event.target.closest?.(".section-toggle");
    if (button) {
      const section = button.parentElement;
      if (section.classList.contains("is-collapsed")) open(section);
      else {
        opened.delete(section.id);
        show(section, false);
      }
      return;
    }
    // A section-menu link to the section already in the address: hashchange does not fire.
    const link = event.target.closest?.("a[href^='#']");
    if (link && link.getAttribute("href") === window.location.hash) openTarget();
  });
  // What the user sent from a section, they want to see answered: it opens.
  document.addEventListener("submit", (event) => {
    const section = sectionOf(event.target);
    if (section) open(section);
  }, true);
})();
