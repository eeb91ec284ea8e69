// Small behaviours shared by every page. Alpine's CSP build cannot evaluate inline expressions, so
// components are registered here by name and pages refer to them with x-data="name".
document.addEventListener("alpine:init", () => {
  // The navigation behind the menu button on narrow screens (wide screens show it as a sidebar).
  window.Alpine.data("navMenu", () => ({
    open: false,
    get expanded() {
      return this.open ? "true" : "false";
    },
    get navClasses() {
      return { hidden: !this.open, flex: this.open };
    },
    toggle() {
      this.open = !this.open;
    },
    close() {
      this.open = false;
    },
  }));
  window.Alpine.data("copyable", () => ({
    copied: false,
    get label() {
      return this.copied ? "Copied" : "Copy policy";
    },
    copy() {
      const source = this.$refs.source;
      navigator.clipboard?.writeText(source.value ?? source.textContent).then(() => {
        this.copied = true;
        setTimeout(() => (this.copied = false), 1500);
      });
    },
  }));
});

// A refused form names the field at fault: show the message next to it, and clear old ones on the next try.
document.addEventListener("field-error", (event) => {
  const slot = document.getElementById(`field-${event.detail.field}-error`);
  if (slot) slot.textContent = event.detail.message;
  const input = document.getElementById(`field-${event.detail.field}`);
  if (input) input.setAttribute("aria-invalid", "true");
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest?.("form");
  if (!form) return;
  for (const slot of form.querySelectorAll('[id^="field-"][id$="-error"]')) slot.textContent = "";
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute("aria-invalid");
});

// Dates arrive in UTC; show them in the reader's time zone, the full local timestamp on hover.
function localTimes(root) {
  for (const el of root.querySelectorAll?.("time[data-local]") ?? []) {
    const at = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(at.getTime())) continue;
    const full = at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
    el.textContent = el.dataset.local === "datetime" ? at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : at.toLocaleDateString(undefined, { dateStyle: "medium" });
    el.title = full;
  }
}
document.addEventListener("DOMContentLoaded", () => localTimes(document));
document.addEventListener("htmx:afterSwap", (event) => localTimes(event.detail.elt.parentElement ?? document));

// The browser's time zone: sign-up and login forms carry it (an account keeps the first one it is
// given), and a page of an account that has none yet reports it once.
function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}
document.addEventListener("DOMContentLoaded", () => {
  const zone = browserTimeZone();
  if (!zone) return;
  for (const input of document.querySelectorAll("input[data-browser-time-zone]")) input.value = zone;
  if (!document.querySelector("[data-needs-time-zone]")) return;
  fetch("/me/time-zone", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timeZone: zone, ifNone: true }),
    credentials: "same-origin",
  })
    .then((reply) => {
      if (!reply.ok) return;
      for (const el of document.querySelectorAll("[data-needs-time-zone]")) el.removeAttribute("data-needs-time-zone");
    })
    // Offline or refused: the next page asks again.
    .catch(() => {});
});
