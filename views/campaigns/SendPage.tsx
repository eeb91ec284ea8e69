import type { Identity } from "../../src/aws/identities";
import type { Auth } from "../../src/features/auth/model";
import type { FieldError, SendFormValues } from "../../src/features/campaigns/forms";
import type { TemplateView } from "../../src/features/templates/model";
import { ChosenAttachments, FormAttachmentCard } from "../attachments/Attachments";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";
import { FieldMessage, FormProblem, HINT, INPUT, LABEL, ScheduleFields, SenderFields, TextField, describedBy } from "./parts";

export interface SendFormProps {
  values: SendFormValues;
  templates: TemplateView[];
  identities: Identity[] | null;
  zone: string;
  now: Date;
  errors: FieldError[];
}

/** One email to one address, written here or from a template, now or later. It is sent as a campaign of its own, with its own report. */
export function SendForm({ values, templates, identities, zone, now, errors }: SendFormProps) {
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  return (
    <form
      id="send-form"
      // Every refusal is Sesame's own sentence next to its field, the same with or without a browser's checks.
      novalidate
      method="post"
      action="/send"
      hx-post="/send"
      hx-target="this"
      hx-swap="outerHTML"
      hx-disabled-elt="find button[type=submit]"
      class="max-w-2xl min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6"
      data-testid="send-form"
    >
      <FormProblem errors={errors} />
      <SenderFields values={values} identities={identities} errors={errors} />
      <TextField name="to" label="To" type="email" value={values.to} errors={errors} required maxlength={254} placeholder="someone@example.com" hint="One address. To mail many, put them in a list and send a campaign." />

      <div class="mb-5">
        <label for="field-templateId" class={LABEL}>
          Template (optional)
        </label>
        <select id="field-templateId" name="templateId" class={INPUT} aria-invalid={invalid("templateId")} aria-describedby={describedBy("templateId", true)}>
          <option value="" selected={!values.templateId}>
            No template: I write the message below
          </option>
          {templates.map((tpl) => (
            <option value={tpl.id} selected={tpl.id === values.templateId} safe>
              {`${tpl.name} — ${tpl.subject}`}
            </option>
          ))}
        </select>
        <p id="field-templateId-hint" class={HINT}>
          With a template, its subject and message are sent and the two fields below are left aside; variables without a fallback have no value here.
        </p>
        <FieldMessage field="templateId" errors={errors} />
      </div>

      <TextField name="subject" label="Subject" value={values.subject} errors={errors} maxlength={500} />
      <div class="mb-5">
        <label for="field-body" class={LABEL}>
          Message
        </label>
        <textarea id="field-body" name="body" rows="10" class={`${INPUT} font-mono`} aria-invalid={invalid("body")} autofocus={Boolean(invalid("body"))} aria-describedby={describedBy("body")} safe>
          {values.body}
        </textarea>
        <FieldMessage field="body" errors={errors} />
        <fieldset class="mt-2 flex flex-wrap gap-4 text-sm">
          <legend class="sr-only">The message is written as</legend>
          <label class="flex items-center gap-2">
            <input type="radio" name="format" value="text" checked={values.format === "text"} class="h-4 w-4" />
            Plain text
          </label>
          <label class="flex items-center gap-2">
            <input type="radio" name="format" value="html" checked={values.format === "html"} class="h-4 w-4" />
            HTML
          </label>
        </fieldset>
      </div>

      <ChosenAttachments files={values.attachments} form="send-form" error={errors.find((e) => e.field === "attachments")?.message} />

      <ScheduleFields when={values.when} sendAt={values.sendAt} zone={zone} now={now} errors={errors} nowLabel="Now" />

      <div class="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        <Button>Send</Button>
        <span class="text-xs text-slate-500">It goes through SES with this workspace's keys, with an unsubscribe link like every mail.</span>
      </div>
    </form>
  );
}

export function SendPage({ auth, hasBucket, ...props }: SendFormProps & { auth: Auth; hasBucket: boolean }) {
  return (
    <AppShell auth={auth} active="send" title="Send an email" crumbs={[{ href: "/campaigns", label: "Campaigns" }]}>
      <SendForm {...props} />
      <FormAttachmentCard form="send-form" hasBucket={hasBucket} />
    </AppShell>
  );
}
