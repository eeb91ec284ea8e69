import type { Identity } from "../../src/aws/identities";
import type { Auth } from "../../src/features/auth/model";
import { listField, type CampaignFormValues, type FieldError } from "../../src/features/campaigns/forms";
import type { CampaignView } from "../../src/features/campaigns/model";
import type { ListSummary } from "../../src/features/lists/model";
import type { TemplateView } from "../../src/features/templates/model";
import { ChosenAttachments, FormAttachmentCard } from "../attachments/Attachments";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";
import { FieldMessage, FormProblem, HINT, INPUT, LABEL, ScheduleFields, SenderFields, TextField, describedBy } from "./parts";

export interface CampaignFormProps {
  campaign: CampaignView | null;
  values: CampaignFormValues;
  templates: TemplateView[];
  lists: ListSummary[];
  /** SES's identities, or null when they could not be listed (no keys, no permission). */
  identities: Identity[] | null;
  zone: string;
  now: Date;
  errors: FieldError[];
  /** Whether the workspace has named its S3 bucket: files can then be attached. */
  hasBucket?: boolean;
}

/**
 * The campaign's form: what to send, to whom, from whom, with or without tracking, and when. A
 * refused save comes back as this same form (htmx swaps it in place) with the sentence next to its
 * field; a saved one goes on to the review.
 */
export function CampaignForm({ campaign, values, templates, lists, identities, zone, now, errors }: CampaignFormProps) {
  const action = campaign ? `/campaigns/${campaign.id}/edit` : "/campaigns/new";
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  return (
    <form
      id="campaign-form"
      // Every refusal is Sesame's own sentence next to its field, the same with or without a browser's checks.
      novalidate
      method="post"
      action={action}
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
      hx-disabled-elt="find button[type=submit]"
      class="max-w-2xl min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6"
      data-testid="campaign-form"
    >
      <FormProblem errors={errors} />
      <TextField name="name" label="Campaign name" value={values.name} errors={errors} required maxlength={200} hint="For you and your team; recipients never see it." />

      <div class="mb-5">
        <label for="field-templateId" class={LABEL}>
          Template<span class="text-red-700" aria-hidden="true"> *</span>
        </label>
        {templates.length ? (
          <select id="field-templateId" name="templateId" required class={INPUT} aria-invalid={invalid("templateId")} autofocus={Boolean(invalid("templateId"))} aria-describedby={describedBy("templateId", true)}>
            <option value="" selected={!values.templateId}>
              Choose a template
            </option>
            {templates.map((tpl) => (
              <option value={tpl.id} selected={tpl.id === values.templateId} safe>
                {`${tpl.name} — ${tpl.subject}`}
              </option>
            ))}
          </select>
        ) : (
          <p class="rounded border border-dashed border-slate-300 px-4 py-3 text-sm text-slate-600" data-testid="no-templates">
            This workspace has no templates yet.{" "}
            <a href="/templates/new" class="text-sky-700 underline">
              Write one first
            </a>
            , then come back to this form.
          </p>
        )}
        <p id="field-templateId-hint" class={HINT}>
          The subject and the message come from the template, as it is when the campaign starts.
        </p>
        <FieldMessage field="templateId" errors={errors} />
      </div>

      <fieldset class="mb-5 min-w-0" aria-describedby={describedBy("listIds", true)}>
        <legend class={LABEL}>
          Send to<span class="text-red-700" aria-hidden="true"> *</span>
        </legend>
        {lists.length ? (
          <div class="max-h-64 space-y-1 overflow-y-auto rounded border border-slate-200 p-2" data-testid="list-choices">
            {lists.map((list) => (
              <label class="flex items-center gap-2 rounded px-2 py-1 text-sm hover:bg-slate-50">
                <input type="checkbox" name={listField(list.id)} value="on" checked={values.listIds.includes(list.id)} class="h-4 w-4 shrink-0" />
                <span class="min-w-0 break-words" safe>
                  {list.name}
                </span>
                <span class="ml-auto whitespace-nowrap text-xs text-slate-500 tabular-nums" safe>
                  {`${list.contacts.toLocaleString("en")} contact${list.contacts === 1 ? "" : "s"}`}
                </span>
              </label>
            ))}
          </div>
        ) : (
          <p class="rounded border border-dashed border-slate-300 px-4 py-3 text-sm text-slate-600">
            This workspace has no lists yet.{" "}
            <a href="/lists" class="text-sky-700 underline">
              Create a list and import its contacts
            </a>{" "}
            first.
          </p>
        )}
        <p id="field-listIds-hint" class={HINT}>
          Someone on several of these lists gets the email once; suppressed and unsubscribed contacts are left out.
        </p>
        <FieldMessage field="listIds" errors={errors} />
      </fieldset>

      <SenderFields values={values} identities={identities} errors={errors} />
      <TextField name="replyTo" label="Reply-to address (optional)" type="email" value={values.replyTo} errors={errors} maxlength={254} hint="Where replies go, when not to the sender." placeholder="support@example.com" />

      <div class="mb-5">
        <label class="flex items-start gap-2 text-sm">
          <input type="checkbox" name="tracking" value="on" checked={values.tracking} class="mt-0.5 h-4 w-4 shrink-0" aria-describedby="field-tracking-hint" />
          <span class="font-medium text-slate-700">Track opens and clicks</span>
        </label>
        <p id="field-tracking-hint" class={`${HINT} ml-6`}>
          Sesame adds an invisible image to count opens and sends links through itself to count clicks. Leave it off for mail where that would be unwelcome; deliveries, bounces and complaints are counted either way.
        </p>
      </div>

      <ChosenAttachments files={values.attachments} form="campaign-form" error={errors.find((e) => e.field === "attachments")?.message} />

      <ScheduleFields when={values.when} sendAt={values.sendAt} zone={zone} now={now} errors={errors} nowLabel="When I launch it, after the review" />

      <div class="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        <Button>{campaign?.status === "scheduled" ? "Save changes" : "Save and review"}</Button>
        <a href={campaign ? `/campaigns/${campaign.id}` : "/campaigns"} class="text-sm text-slate-600 underline">
          Cancel
        </a>
        <span class="text-xs text-slate-500">
          {campaign?.status === "scheduled" ? "It stays scheduled for the time above; choosing “when I launch it” takes it back to a draft." : "Nothing is sent until you launch it from the review."}
        </span>
      </div>
    </form>
  );
}

export function CampaignFormPage({ auth, ...props }: CampaignFormProps & { auth: Auth }) {
  const title = props.campaign ? `Edit ${props.campaign.name}` : "New campaign";
  const crumbs = props.campaign
    ? [
        { href: "/campaigns", label: "Campaigns" },
        { href: `/campaigns/${props.campaign.id}`, label: props.campaign.name },
      ]
    : [{ href: "/campaigns", label: "Campaigns" }];
  return (
    <AppShell auth={auth} active="campaigns" title={title} crumbs={crumbs}>
      <CampaignForm {...props} />
      <FormAttachmentCard form="campaign-form" hasBucket={props.hasBucket ?? false} />
    </AppShell>
  );
}
