// Preferences: someone who never picked a time zone gets their browser's zone preselected
// (the form marks the select with data-suggest-browser-zone); nothing is saved until they
// press Save. A plain script file: the CSP allows no inline scripts.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("select[data-suggest-browser-zone]");
  const note = document.getElementById("time-zone-suggestion");
  if (!select || !note) return;
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  const option = Array.from(select.options).find((o) => o.value === zone);
  if (!option || select.value === zone) return;
  const before = select.value;
  select.value = zone;
  note.textContent = `Your browser says ${zone}: we picked it for you. Save to keep it, or choose another zone (it was ${before}).`;
  note.hidden = false;
});
