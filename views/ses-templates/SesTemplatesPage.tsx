import type { Auth } from "../../src/features/auth/model";
import type { SesTemplateSummary } from "../../src/features/ses-templates/model";
import { SES_NAME_MAX } from "../../src/features/ses-templates/model";
import type { TemplateView } from "../../src/features/templates/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { ErrorSlot } from "../credentials/AwsPage";
import { AwsPageFrame } from "../credentials/AwsTabs";
import { Section } from "../credentials/parts";
import { SesTemplatesPanel } from "./parts";

export interface SesTemplatesPageProps {
  auth: Auth;
  canManage: boolean;
  /** Null when no keys are connected or the list could not be read (then `error` says why). */
  region: string | null;
  items: SesTemplateSummary[] | null;
  error?: string;
  templates: TemplateView[];
  /** The person's time zone, for the times shown. */
  zone: string;
  now?: Date;
}

function PublishForm({ templates }: { templates: TemplateView[] }) {
  if (templates.length === 0) {
    return (
      <p class="text-sm text-slate-600" data-testid="ses-publish-none">
        Sesame has no templates of its own yet.{" "}
        <a href="/templates/new" class="text-sky-700 underline">
          Write one
        </a>
        , then publish it here.
      </p>
    );
  }
  return (
    <form hx-post="/aws/templates" hx-target="#ses-publish-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="ses-publish-form">
      <ErrorSlot id="ses-publish-errors" />
      <div class="grid gap-x-4 sm:grid-cols-2">
        <div class="mb-4 min-w-0">
          <label for="field-templateId" class="block text-sm font-medium text-slate-700 mb-1">
            Sesame template <span class="text-red-700">*</span>
          </label>
          <select id="field-templateId" name="templateId" required aria-describedby="field-templateId-error" class="block w-full rounded border border-slate-300 px-3 py-2 text-sm">
            {templates.map((tpl) => (
              <option value={tpl.id} safe>
                {tpl.name}
              </option>
            ))}
          </select>
          <p id="field-templateId-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
        </div>
        <div class="mb-4 min-w-0">
          <label for="field-name" class="block text-sm font-medium text-slate-700 mb-1">
            Name in SES
          </label>
          <input
            id="field-name"
            name="name"
            maxlength={SES_NAME_MAX}
            pattern="[A-Za-z0-9_\-]{1,64}"
            aria-describedby="field-name-hint field-name-error"
            class="block w-full rounded border border-slate-300 px-3 py-2 text-sm font-mono"
          />
          <p id="field-name-hint" class="mt-1 text-xs text-slate-500">
            Letters, digits, - and _. Leave it empty to keep the name it was published as, or to make one from the template's name.
          </p>
          <p id="field-name-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
        </div>
      </div>
      <div class="mb-4 flex items-start gap-2">
        <input id="field-overwrite" type="checkbox" name="overwrite" value="true" class="mt-1" />
        <label for="field-overwrite" class="text-sm">
          <span class="font-medium">Replace an SES template of that name</span>
          <span class="block text-slate-600">Only needed when SES has a template of that name that was not published from this Sesame template: its content is lost.</span>
        </label>
      </div>
      <Button>Publish to SES</Button>
    </form>
  );
}

/** Settings › AWS › SES templates: what SES stores, publishing a Sesame template to it, and writing one directly. */
export function SesTemplatesPage({ auth, canManage, region, items, error, templates, zone, now }: SesTemplatesPageProps) {
  return (
    <AwsPageFrame auth={auth} active="templates" title="SES templates">
      <p class="mb-6 max-w-prose text-sm text-slate-600">
        Templates stored in SES{region ? <span safe>{` in ${region}`}</span> : ""}, for SES's own templated sends (SendEmail with a template name).
        Sesame's campaigns use Sesame's templates and do not need these. Sesame escapes values in the HTML of its own sends; SES does not (it
        inserts them as they are), so whoever sends with these templates must escape the values that land in the HTML.
      </p>
      {region === null && error ? (
        <div class="mb-6" data-testid="ses-templates-connect">
          <Flash kind="error" message={error} />
          <p class="mt-2 text-sm">
            <a href="/settings/aws" class="text-sky-700 underline">
              Connect AWS keys
            </a>
          </p>
        </div>
      ) : (
        <>
          {canManage ? (
            <Section title="Publish a Sesame template" id="ses-publish">
              <p class="mb-4 text-sm text-slate-600">
                Its variables are written for SES: {"{{name}}"} stays as it is, and {"{{name|there}}"} becomes {"{{#if name}}{{name}}{{else}}there{{/if}}"}. Sesame's
                layout and unsubscribe footer are added by Sesame's sends only; SES sends the template as it is.
              </p>
              <PublishForm templates={templates} />
            </Section>
          ) : (
            ""
          )}
          <Section title="Stored in SES" id="ses-stored">
            {canManage ? (
              <div class="mb-4">
                <a href="/settings/aws/templates/new" class="inline-flex rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800" data-testid="ses-new">
                  New SES template
                </a>
              </div>
            ) : (
              ""
            )}
            <SesTemplatesPanel items={items} error={error} canManage={canManage} zone={zone} now={now} />
          </Section>
        </>
      )}
    </AwsPageFrame>
  );
}
