import type { Auth } from "../../src/features/auth/model";
import type { SesTemplateView } from "../../src/features/ses-templates/model";
import { SES_NAME_MAX } from "../../src/features/ses-templates/model";
import { isHandlebarsWord } from "../../src/features/ses-templates/translate";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { ErrorSlot } from "../credentials/AwsPage";
import { AwsPageFrame } from "../credentials/AwsTabs";
import { Section } from "../credentials/parts";
import { sesTemplateApi } from "./parts";

function FieldError({ field }: { field: string }) {
  return <p id={`field-${field}-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>;
}

function TextArea({ name, label, value, rows, hint, readonly }: { name: string; label: string; value: string; rows: number; hint: string; readonly: boolean }) {
  return (
    <div class="mb-4">
      <label for={`field-${name}`} class="block text-sm font-medium text-slate-700 mb-1" safe>
        {label}
      </label>
      <textarea
        id={`field-${name}`}
        name={name}
        rows={String(rows)}
        readonly={readonly}
        spellcheck="false"
        aria-describedby={`field-${name}-hint field-${name}-error`}
        class="block w-full rounded border border-slate-300 px-3 py-2 font-mono text-xs"
        safe
      >
        {value}
      </textarea>
      <p id={`field-${name}-hint`} class="mt-1 text-xs text-slate-500" safe>
        {hint}
      </p>
      <FieldError field={name} />
    </div>
  );
}

/** Values for a test render: each plain variable of the template, with a sample value where one is known. */
function sampleData(template: SesTemplateView | null): string {
  const samples: Record<string, string> = { name: "Alex", first_name: "Alex", company: "Example Ltd", email: "alex@example.com" };
  const data: Record<string, string> = {};
  for (const part of [template?.subject, template?.html, template?.text]) {
    for (const m of (part ?? "").matchAll(/\{\{\{?\s*(?:#if\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*\}?\}\}/g)) {
      const name = m[1]!;
      if (!isHandlebarsWord(name)) data[name] ??= samples[name.toLowerCase()] ?? "";
    }
  }
  return JSON.stringify(data, null, 2);
}

/**
 * One SES template: its parts as SES keeps them (Handlebars), editable by an admin, and SES's own
 * test render with values entered as JSON. `template` is null for a new one.
 */
export function SesTemplatePage({ auth, template, canManage, region }: { auth: Auth; template: SesTemplateView | null; canManage: boolean; region: string }) {
  const name = template?.name ?? "";
  const readonly = !canManage;
  const crumb: string = template?.name ?? "New";
  const save = template ? { "hx-put": sesTemplateApi(name) } : { "hx-post": "/aws/templates" };
  return (
    <AwsPageFrame auth={auth} active="templates" title={template ? template.name : "New SES template"}>
      <p class="mb-4 text-sm text-slate-600">
        <a href="/settings/aws/templates" class="text-sky-700 underline">
          SES templates
        </a>{" "}
        › <span safe>{crumb}</span> <span class="text-slate-400" safe>{`(${region})`}</span>
      </p>
      <div class="grid gap-8 xl:grid-cols-2">
        <Section title={template ? "Template" : "New template"} id="ses-template">
          <form {...save} hx-target="#ses-template-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="ses-template-form">
            <ErrorSlot id="ses-template-errors" />
            <div class="mb-4">
              <label for="field-name" class="block text-sm font-medium text-slate-700 mb-1">
                Name <span class="text-red-700">*</span>
              </label>
              <input
                id="field-name"
                name="name"
                required
                maxlength={SES_NAME_MAX}
                pattern="[A-Za-z0-9_\-]{1,64}"
                value={name}
                readonly={template !== null}
                aria-describedby="field-name-hint field-name-error"
                class="block w-full rounded border border-slate-300 px-3 py-2 font-mono text-sm read-only:bg-slate-50"
              />
              <p id="field-name-hint" class="mt-1 text-xs text-slate-500">
                {template ? "SES cannot rename a template." : "Letters, digits, - and _; up to 64."} API name: TemplateName.
              </p>
              <FieldError field="name" />
            </div>
            <div class="mb-4">
              <label for="field-subject" class="block text-sm font-medium text-slate-700 mb-1">
                Subject <span class="text-red-700">*</span>
              </label>
              <input
                id="field-subject"
                name="subject"
                required
                maxlength={2000}
                value={template?.subject ?? ""}
                readonly={readonly}
                aria-describedby="field-subject-error"
                class="block w-full rounded border border-slate-300 px-3 py-2 text-sm"
              />
              <FieldError field="subject" />
            </div>
            <TextArea name="html" label="HTML" value={template?.html ?? ""} rows={14} readonly={readonly} hint="Handlebars, as SES reads it: {{name}}, {{#if name}}…{{else}}…{{/if}}." />
            <TextArea name="text" label="Text" value={template?.text ?? ""} rows={8} readonly={readonly} hint="Optional; the message's plain-text part." />
            {canManage ? <Button>{template ? "Save in SES" : "Create in SES"}</Button> : <p class="text-sm text-slate-600">Only a workspace admin can change templates in SES.</p>}
          </form>
        </Section>
        {template ? (
          <div class="min-w-0">
            <Section title="Test render" id="ses-render">
              <form hx-post={`${sesTemplateApi(name)}/render`} hx-target="#ses-render-output" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="ses-render-form">
                <TextArea name="data" label="Values (JSON)" value={sampleData(template)} rows={6} readonly={false} hint="SES fills the template with these (TemplateData) and shows what it would send." />
                <Button kind="secondary">Render in SES</Button>
              </form>
              <div id="ses-render-output" class="mt-4" aria-live="polite"></div>
            </Section>
            <Section title="Use it" id="ses-actions">
              <ErrorSlot id="ses-actions-errors" />
              <div class="flex flex-wrap gap-3">
                <Button kind="secondary" type="button" hx-post={`${sesTemplateApi(name)}/import`} hx-target="#ses-actions-errors" hx-swap="innerHTML" hx-disabled-elt="this">
                  Import into Sesame
                </Button>
                {canManage ? (
                  <Button
                    kind="danger"
                    type="button"
                    hx-delete={sesTemplateApi(name)}
                    hx-target="#ses-actions-errors"
                    hx-swap="innerHTML"
                    hx-disabled-elt="this"
                    hx-confirm={`Delete the template "${name}" from SES? Anything that sends with it through SES will fail until it exists again. Sesame's own templates are kept.`}
                  >
                    Delete from SES
                  </Button>
                ) : (
                  ""
                )}
              </div>
              <p class="mt-3 text-xs text-slate-500">Importing makes a new Sesame template from this one; it is refused, with the reason, when Sesame could not render it the same way.</p>
            </Section>
          </div>
        ) : (
          ""
        )}
      </div>
      {template ? "" : <Flash kind="info" message="Write the template in Handlebars, as SES reads it. To store one of Sesame's templates instead, publish it from the SES templates page." />}
    </AwsPageFrame>
  );
}
