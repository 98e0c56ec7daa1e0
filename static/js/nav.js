// Phone top bar: the search icon reveals the search field; without JavaScript it is a link to the search page.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector("[data-search-toggle]");
  const header = document.querySelector(".site-header");
  if (!toggle || !header) return;
  toggle.addEventListener("click", (event) => {
    event.preventDefault();
    const open = header.classList.toggle("search-open");
    toggle.setAttribute("aria-expanded", String(open));
    if (open) document.getElementById("nav-search-q").focus();
  });
});
