import type { Auth } from "../../src/features/auth/model";
import type { ListSummary } from "../../src/features/lists/model";
import type { SavedTemplate } from "../../src/features/templates/model";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";
import { TemplateWarnings } from "./TemplateNotices";

function FieldError({ field }: { field: string }) {
  return <p id={`field-${field}-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>;
}

/**
 * The composer: name, subject, the Quill editor with an HTML source view, an optional text part,
 * variables offered from a list's columns, and (once saved) a preview for a contact at desktop and
 * mobile widths and a test send. public/islands/composer.js runs it. The two halves sit side by side
 * only on wide screens, and each may shrink below its content's width (min-w-0), so a long select
 * or the 600 px frame never widens the page.
 */
export function ComposerPage({ auth, template, lists, html }: { auth: Auth; template: SavedTemplate | null; lists: ListSummary[]; html: string }) {
  const saveAttrs = template ? { "hx-put": `/email/template/${template.id}` } : { "hx-post": "/email/template" };
  return (
    <AppShell auth={auth} active="templates" title={template ? template.name : "New template"}>
      <link rel="stylesheet" href="/assets/build/vendor/quill.snow.css" />
      <script src="/assets/build/vendor/quill.js" defer></script>
      <script src="/assets/islands/composer.js" defer></script>
      <p class="mb-4 text-sm text-slate-600">
        <a href="/templates" class="underline">
          Templates
        </a>{" "}
        › <span safe>{template?.name ?? "New"}</span>
      </p>
      <div class="grid gap-8 xl:grid-cols-2">
        <form id="composer-form" {...saveAttrs} hx-target="#composer-errors" hx-swap="innerHTML" data-testid="composer" class="min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
          <div id="composer-errors" class="mb-3" aria-live="assertive">
            {template ? <TemplateWarnings warnings={template.warnings} /> : ""}
          </div>
          <div class="mb-4">
            <label for="field-name" class="block text-sm font-medium text-slate-700 mb-1">
              Template name
            </label>
            <input id="field-name" name="name" required maxlength="120" value={template?.name ?? ""} class="block w-full rounded border border-slate-300 px-3 py-2 text-sm" />
            <FieldError field="name" />
          </div>
          <div class="mb-4">
            <label for="field-subject" class="block text-sm font-medium text-slate-700 mb-1">
              Subject
            </label>
            <input id="field-subject" name="subject" required maxlength="500" value={template?.subject ?? ""} class="block w-full rounded border border-slate-300 px-3 py-2 text-sm" />
            <FieldError field="subject" />
          </div>
          <div class="mb-2 flex flex-wrap items-center gap-2">
            <span class="text-sm font-medium text-slate-700">Message</span>
            <label for="variable-list" class="sr-only">
              Offer variables from list
            </label>
            <select id="variable-list" class="ml-auto max-w-full rounded border border-slate-300 px-2 py-1 text-xs" data-testid="variable-list">
              <option value="">Variables: email and unsubscribe link</option>
              {lists.map((l) => (
                <option value={l.id} safe>{`Variables from "${l.name}"`}</option>
              ))}
            </select>
            <button type="button" id="toggle-source" class="rounded border border-slate-300 px-2 py-1 text-xs" aria-pressed="false">
              HTML source
            </button>
          </div>
          <div id="variables" class="mb-2 flex flex-wrap gap-1" aria-label="Insert a variable" data-testid="variables"></div>
          <div id="editor-wrap">
            <div id="editor" class="min-h-64 bg-white" data-testid="editor"></div>
          </div>
          <label for="html-source" class="sr-only">
            HTML source
          </label>
          <textarea id="html-source" class="hidden h-64 w-full rounded border border-slate-300 p-2 font-mono text-xs" spellcheck="false" safe>
            {html}
          </textarea>
          <input type="hidden" name="html" id="field-html" value={html} />
          <FieldError field="html" />
          <div class="mt-4 mb-4">
            <label for="field-text" class="block text-sm font-medium text-slate-700 mb-1">
              Plain-text version (optional)
            </label>
            <textarea id="field-text" name="text" rows="4" class="block w-full rounded border border-slate-300 px-3 py-2 text-sm font-mono" safe>
              {template?.text ?? ""}
            </textarea>
            <p class="mt-1 text-xs text-slate-500">Left empty, it is made from the HTML. A footer with the unsubscribe link is added to mail that has none.</p>
            <FieldError field="text" />
          </div>
          <Button>Save template</Button>
        </form>
        {template ? (
          <section class="min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="preview-title" id="preview-panel" data-template={template.id}>
            <h2 id="preview-title" class="text-lg font-medium mb-4">
              Preview
            </h2>
            <div class="mb-3 grid gap-2 sm:grid-cols-2">
              <div>
                <label for="preview-list" class="block text-xs text-slate-600 mb-1">
                  Preview for
                </label>
                <select id="preview-list" class="block w-full rounded border border-slate-300 px-2 py-1 text-sm" data-testid="preview-list">
                  <option value="">Sample values</option>
                  {lists.map((l) => (
                    <option value={l.id} safe>
                      {`A contact of "${l.name}"`}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="preview-search" class="block text-xs text-slate-600 mb-1">
                  Find a contact
                </label>
                <input
                  id="preview-search"
                  type="search"
                  autocomplete="off"
                  placeholder="Start of the address"
                  disabled
                  class="block w-full rounded border border-slate-300 px-2 py-1 text-sm disabled:bg-slate-50"
                  data-testid="preview-search"
                />
              </div>
              <div class="sm:col-span-2">
                <label for="preview-contact" class="sr-only">
                  Contact
                </label>
                <select id="preview-contact" class="block w-full rounded border border-slate-300 px-2 py-1 text-sm" disabled data-testid="preview-contact">
                  <option value="">Choose a list first</option>
                </select>
                <p id="preview-count" class="mt-1 text-xs text-slate-500 empty:hidden" aria-live="polite" data-testid="preview-count"></p>
              </div>
            </div>
            <div class="mb-3 flex flex-wrap items-center gap-2">
              <div class="flex gap-1" role="group" aria-label="Preview width">
                <button type="button" class="preview-width rounded border border-slate-300 px-2 py-1 text-xs" data-width="600" aria-pressed="true">
                  Desktop
                </button>
                <button type="button" class="preview-width rounded border border-slate-300 px-2 py-1 text-xs" data-width="375" aria-pressed="false">
                  Mobile
                </button>
              </div>
              <span id="preview-scale" class="text-xs text-slate-500" data-testid="preview-scale"></span>
            </div>
            <p id="preview-subject" class="mb-2 text-sm" data-testid="preview-subject"></p>
            <p id="preview-missing" class="mb-2 hidden rounded border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-800" role="status"></p>
            {/* The frame keeps the message's real width; composer.js scales it down to fit a narrower panel. */}
            <div id="preview-viewport" class="overflow-x-auto rounded border border-slate-200 bg-slate-100 p-2" data-testid="preview-viewport">
              <div id="preview-stage" class="mx-auto overflow-hidden">
                <iframe
                  id="preview-frame"
                  title="Rendered message"
                  sandbox=""
                  class="block h-[36rem] bg-white"
                  width="600"
                  src={`/email/template/${template.id}/preview.html`}
                  data-testid="preview-frame"
                ></iframe>
              </div>
            </div>
            <h3 class="mt-6 mb-2 font-medium">Send a test</h3>
            <form id="test-form" hx-post={`/email/template/${template.id}/test`} hx-target="#test-result" hx-swap="innerHTML" class="grid gap-2 sm:grid-cols-[1fr_1fr_auto] items-end" data-testid="test-form">
              <div>
                <label for="test-to" class="block text-xs text-slate-600 mb-1">
                  To
                </label>
                <input id="test-to" name="to" type="email" required value={auth.user.email} class="block w-full rounded border border-slate-300 px-2 py-1 text-sm" />
                <FieldError field="to" />
              </div>
              <div>
                <label for="test-from" class="block text-xs text-slate-600 mb-1">
                  From (a verified identity)
                </label>
                <input id="test-from" name="from" required placeholder="News <news@example.com>" class="block w-full rounded border border-slate-300 px-2 py-1 text-sm" />
                <FieldError field="from" />
              </div>
              <input type="hidden" name="contactId" id="test-contact" value="" />
              <Button kind="secondary">Send test</Button>
            </form>
            <div id="test-result" class="mt-3" aria-live="polite" data-testid="test-result"></div>
            {/* Where it is published in SES, and the publish button (views/ses-templates/parts.tsx). */}
            <div hx-get={`/templates/${template.id}/ses`} hx-trigger="load" hx-swap="outerHTML"></div>
          </section>
        ) : (
          <section class="min-w-0 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
            Save the template to preview it with a contact and send yourself a test.
          </section>
        )}
      </div>
    </AppShell>
  );
}
