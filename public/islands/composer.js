// The template composer: Quill with an HTML source view that round-trips, variables offered from a
// list's columns, and the preview/test-send panel. The server sanitises and inlines whatever is
// saved; this file only edits and previews.
(function () {
  const form = document.getElementById("composer-form");
  if (!form || !window.Quill) return;
  const Quill = window.Quill;

  // Alignment as an inline style rather than a class, so what the editor writes is email-ready.
  Quill.register(Quill.import("attributors/style/align"), true);
  const Link = Quill.import("formats/link");
  class ButtonLink extends Link {
    static blotName = "button";
    static className = "sesame-button";
  }
  Quill.register(ButtonLink, true);

  const htmlField = document.getElementById("field-html");
  const source = document.getElementById("html-source");
  const editorWrap = document.getElementById("editor-wrap");
  const toggle = document.getElementById("toggle-source");

  const quill = new Quill("#editor", {
    theme: "snow",
    modules: {
      toolbar: {
        container: [[{ header: [1, 2, 3, false] }], ["bold", "italic", "underline"], ["link", "image", "button"], [{ list: "ordered" }, { list: "bullet" }], [{ align: [] }], ["clean"]],
        handlers: {
          image() {
            const url = window.prompt("Image address (https://…)");
            if (!url) return;
            const range = quill.getSelection(true);
            quill.insertEmbed(range.index, "image", url.trim(), "user");
          },
          button() {
            const url = window.prompt("Button link (https://…)");
            if (!url) return;
            const label = window.prompt("Button text", "Read more") || "Read more";
            const range = quill.getSelection(true);
            quill.insertText(range.index, label, { button: url.trim() }, "user");
          },
        },
      },
    },
  });
  const buttonTool = form.querySelector(".ql-button");
  if (buttonTool) {
    buttonTool.textContent = "Button";
    buttonTool.setAttribute("aria-label", "Insert a button");
    buttonTool.classList.add("sesame-tool");
  }

  const load = (html) => quill.setContents(quill.clipboard.convert({ html }), "silent");
  // Quill writes every space as &nbsp;, which would stop mail from wrapping; keep only the ones that matter.
  const currentHtml = () => quill.getSemanticHTML().replace(/&nbsp;/g, " ").replace(/ {2}/g, " &nbsp;");
  load(htmlField.value);

  let showingSource = false;
  toggle.addEventListener("click", () => {
    showingSource = !showingSource;
    if (showingSource) source.value = currentHtml();
    else load(source.value);
    source.classList.toggle("hidden", !showingSource);
    editorWrap.classList.toggle("hidden", showingSource);
    toggle.setAttribute("aria-pressed", String(showingSource));
    toggle.textContent = showingSource ? "Visual editor" : "HTML source";
  });

  // htmx reads the form's values when it sends: give it the editor's HTML.
  form.addEventListener("htmx:configRequest", (event) => {
    event.detail.parameters.html = showingSource ? source.value : currentHtml();
  });

  // Variables: always email and the unsubscribe link; a list's columns when one is chosen.
  const variables = document.getElementById("variables");
  const insertVariable = (name) => {
    const token = `{{${name}}}`;
    if (showingSource) {
      const at = source.selectionStart ?? source.value.length;
      source.setRangeText(token, at, source.selectionEnd ?? at, "end");
      source.focus();
      return;
    }
    const range = quill.getSelection(true);
    quill.insertText(range.index, token, "user");
    quill.setSelection(range.index + token.length, 0, "user");
  };
  const showVariables = (names) => {
    variables.replaceChildren(
      ...names.map((name) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "rounded bg-slate-100 px-2 py-0.5 font-mono text-xs hover:bg-slate-200";
        b.textContent = `{{${name}}}`;
        b.addEventListener("click", () => insertVariable(name));
        return b;
      }),
    );
  };
  showVariables(["email", "unsubscribe_url"]);
  document.getElementById("variable-list").addEventListener("change", async (event) => {
    const listId = event.target.value;
    if (!listId) return showVariables(["email", "unsubscribe_url"]);
    const reply = await fetch(`/lists/${encodeURIComponent(listId)}/variables`, { headers: { accept: "application/json" } });
    if (reply.ok) showVariables((await reply.json()).variables);
  });

  // Preview: a contact (or sample values), desktop or mobile width, in a sandboxed frame.
  const panel = document.getElementById("preview-panel");
  if (!panel) return;
  const templateId = panel.dataset.template;
  const frame = document.getElementById("preview-frame");
  const listSelect = document.getElementById("preview-list");
  const contactSelect = document.getElementById("preview-contact");
  const testContact = document.getElementById("test-contact");
  const subjectLine = document.getElementById("preview-subject");
  const missingLine = document.getElementById("preview-missing");

  const refresh = async () => {
    const contactId = contactSelect.value;
    testContact.value = contactId;
    frame.src = `/email/template/${templateId}/preview.html${contactId ? `?contactId=${encodeURIComponent(contactId)}` : ""}`;
    const reply = await fetch(`/email/template/${templateId}/preview`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(contactId ? { contactId: Number(contactId) } : {}),
    });
    if (!reply.ok) return;
    const preview = await reply.json();
    subjectLine.textContent = `Subject: ${preview.subject}`;
    missingLine.textContent = preview.missing.length ? `No value and no fallback for: ${preview.missing.map((m) => `{{${m}}}`).join(", ")}. A send would refuse this.` : "";
    missingLine.classList.toggle("hidden", preview.missing.length === 0);
  };

  listSelect.addEventListener("change", async () => {
    const listId = listSelect.value;
    contactSelect.replaceChildren();
    contactSelect.disabled = !listId;
    if (!listId) {
      contactSelect.append(new Option("Choose a list first", ""));
      return refresh();
    }
    const reply = await fetch(`/lists/${encodeURIComponent(listId)}/contacts?sort=email`, { headers: { accept: "application/json" } });
    const { items } = reply.ok ? await reply.json() : { items: [] };
    if (items.length === 0) contactSelect.append(new Option("This list has no contacts", ""));
    for (const contact of items) contactSelect.append(new Option(contact.email, String(contact.id)));
    return refresh();
  });
  contactSelect.addEventListener("change", refresh);
  for (const button of document.querySelectorAll(".preview-width")) {
    button.addEventListener("click", () => {
      frame.width = button.dataset.width;
      for (const other of document.querySelectorAll(".preview-width")) other.setAttribute("aria-pressed", String(other === button));
    });
  }
  // A save changes what the preview shows.
  document.body.addEventListener("template-saved", refresh);
  refresh();
})();
