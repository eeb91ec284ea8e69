// Small behaviours shared by every page. Alpine's CSP build cannot evaluate inline expressions, so
// components are registered here by name and pages refer to them with x-data="name".
document.addEventListener("alpine:init", () => {
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
