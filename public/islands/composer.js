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
  const viewport = document.getElementById("preview-viewport");
  const stage = document.getElementById("preview-stage");
  const scaleLabel = document.getElementById("preview-scale");
  const listSelect = document.getElementById("preview-list");
  const searchInput = document.getElementById("preview-search");
  const contactSelect = document.getElementById("preview-contact");
  const countLine = document.getElementById("preview-count");
  const testContact = document.getElementById("test-contact");
  const subjectLine = document.getElementById("preview-subject");
  const missingLine = document.getElementById("preview-missing");

  // The frame always lays the message out at its real width (600 or 375 px), as a mail client would;
  // a panel narrower than that shows it scaled down whole rather than cut off at the edge.
  const FRAME_HEIGHT = 576;
  frame.style.transformOrigin = "top left";
  const fit = () => {
    const width = Number(frame.getAttribute("width"));
    const padding = parseFloat(getComputedStyle(viewport).paddingLeft) + parseFloat(getComputedStyle(viewport).paddingRight);
    const room = viewport.clientWidth - padding;
    // Rounded down, so the scaled frame never overshoots its box by a fraction of a pixel.
    const scale = room > 0 ? Math.min(1, Math.floor((room / width) * 1000) / 1000) : 1;
    frame.style.transform = scale < 1 ? `scale(${scale})` : "";
    frame.style.height = `${FRAME_HEIGHT / scale}px`;
    stage.style.width = `${width * scale}px`;
    stage.style.height = `${FRAME_HEIGHT}px`;
    scaleLabel.textContent = scale < 1 ? `Shown at ${Math.round(scale * 100)}% to fit` : "";
  };
  new ResizeObserver(fit).observe(viewport);
  fit();

  // Replies can arrive out of order; only the latest request's answer is shown.
  let previewSeq = 0;
  const refresh = async () => {
    const seq = ++previewSeq;
    const contactId = contactSelect.value;
    testContact.value = contactId;
    frame.src = `/email/template/${templateId}/preview.html${contactId ? `?contactId=${encodeURIComponent(contactId)}` : ""}`;
    const reply = await fetch(`/email/template/${templateId}/preview`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(contactId ? { contactId: Number(contactId) } : {}),
    });
    if (!reply.ok || seq !== previewSeq) return;
    const preview = await reply.json();
    subjectLine.textContent = `Subject: ${preview.subject}`;
    missingLine.textContent = preview.missing.length ? `No value and no fallback for: ${preview.missing.map((m) => `{{${m}}}`).join(", ")}. A send would refuse this.` : "";
    missingLine.classList.toggle("hidden", preview.missing.length === 0);
  };

  // A list holds any number of contacts: one page of them is offered, and a search finds the rest.
  const count = (n) => n.toLocaleString("en-US");
  let searchSeq = 0;
  const loadContacts = async () => {
    const seq = ++searchSeq;
    const listId = listSelect.value;
    const q = searchInput.value.trim();
    const reply = await fetch(`/lists/${encodeURIComponent(listId)}/contacts?sort=email${q ? `&q=${encodeURIComponent(q)}` : ""}`, { headers: { accept: "application/json" } });
    const { items, total } = reply.ok ? await reply.json() : { items: [], total: 0 };
    if (seq !== searchSeq || listSelect.value !== listId) return;
    contactSelect.replaceChildren();
    if (items.length === 0) contactSelect.append(new Option(q ? `No contact matches "${q}"` : "This list has no contacts", ""));
    for (const contact of items) contactSelect.append(new Option(contact.email, String(contact.id)));
    if (total > items.length) countLine.textContent = q ? `The first ${count(items.length)} of ${count(total)} matches; type more to narrow them.` : `The first ${count(items.length)} of ${count(total)} contacts; type the start of an address to find another.`;
    else countLine.textContent = q && items.length ? `${count(total)} ${total === 1 ? "contact matches" : "contacts match"}.` : "";
    return refresh();
  };
  let searchTimer;
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(loadContacts, 250);
  });

  listSelect.addEventListener("change", () => {
    clearTimeout(searchTimer);
    const listId = listSelect.value;
    searchInput.value = "";
    searchInput.disabled = !listId;
    contactSelect.disabled = !listId;
    countLine.textContent = "";
    if (listId) return loadContacts();
    searchSeq++;
    contactSelect.replaceChildren(new Option("Choose a list first", ""));
    return refresh();
  });
  contactSelect.addEventListener("change", refresh);
  for (const button of document.querySelectorAll(".preview-width")) {
    button.addEventListener("click", () => {
      frame.width = button.dataset.width;
      fit();
      for (const other of document.querySelectorAll(".preview-width")) other.setAttribute("aria-pressed", String(other === button));
    });
  }
  // A save changes what the preview shows.
  document.body.addEventListener("template-saved", refresh);
  refresh();
})();
