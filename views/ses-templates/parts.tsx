import type { SesPublication, SesTemplateSummary, RenderResult } from "../../src/features/ses-templates/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { ErrorSlot } from "../credentials/AwsPage";
import { ZonedTime } from "../campaigns/parts";

export const sesTemplatePath = (name: string) => `/settings/aws/templates/${encodeURIComponent(name)}`;
export const sesTemplateApi = (name: string) => `/aws/templates/${encodeURIComponent(name)}`;

/** What the person must know before sending with a template just published (e.g. that SES does not escape values in the HTML). */
export function PublishWarnings({ warnings }: { warnings?: string[] }) {
  if (!warnings?.length) return "";
  return (
    <div role="status" class="mb-4 space-y-2 rounded border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-800" data-testid="ses-publish-warnings">
      {warnings.map((warning) => (
        <p safe>{warning}</p>
      ))}
    </div>
  );
}

/**
 * The templates SES keeps for this account and region. `error` is what went wrong reading them (the
 * rest of the page still works: publishing or creating is often what the person came to do). Times
 * are shown in the person's zone.
 */
export function SesTemplatesPanel({
  items,
  error,
  canManage,
  notice,
  warnings,
  zone,
  now,
}: {
  items: SesTemplateSummary[] | null;
  error?: string;
  canManage: boolean;
  notice?: string;
  warnings?: string[];
  zone: string;
  now?: Date;
}) {
  return (
    <div id="ses-templates" data-testid="ses-templates">
      <ErrorSlot id="ses-templates-errors" />
      {notice ? (
        <div class="mb-4" data-testid="ses-templates-notice">
          <Flash kind="success" message={notice} />
        </div>
      ) : (
        ""
      )}
      <PublishWarnings warnings={warnings} />
      {error ? (
        <div class="mb-4 space-y-2" data-testid="ses-templates-error">
          <Flash kind="error" message={error} />
          <Button kind="secondary" type="button" hx-get="/aws/templates" hx-target="#ses-templates" hx-swap="outerHTML" hx-disabled-elt="this">
            Try again
          </Button>
        </div>
      ) : (
        ""
      )}
      {items && items.length === 0 ? (
        <div class="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600" data-testid="ses-templates-empty">
          <p class="mb-3">SES keeps no templates in this region yet. Publish one of Sesame's templates, or write one for SES directly.</p>
          {canManage ? (
            <a href="/settings/aws/templates/new" class="text-sky-700 underline">
              New SES template
            </a>
          ) : (
            ""
          )}
        </div>
      ) : (
        ""
      )}
      {items && items.length > 0 ? (
        <Table headers={["Template", "Created", ""]} testid="ses-templates-table">
          {items.map((item) => (
            <tr class="border-t border-slate-200" data-ses-template={item.name}>
              <td class="px-4 py-2 font-mono break-all">
                <a href={sesTemplatePath(item.name)} class="text-sky-700 underline" safe>
                  {item.name}
                </a>
              </td>
              <td class="px-4 py-2 text-slate-600 whitespace-nowrap">{item.createdAt ? <ZonedTime at={item.createdAt} zone={zone} now={now} /> : "—"}</td>
              <td class="px-4 py-2 text-right space-x-3 whitespace-nowrap">
                <button
                  type="button"
                  class="text-xs text-sky-700 underline"
                  hx-post={`${sesTemplateApi(item.name)}/import`}
                  hx-target="#ses-templates-errors"
                  hx-swap="innerHTML"
                  hx-disabled-elt="this"
                >
                  Import into Sesame
                </button>
                {canManage ? (
                  <button
                    type="button"
                    class="text-xs text-red-700 underline"
                    hx-delete={sesTemplateApi(item.name)}
                    hx-target="#ses-templates-errors"
                    hx-swap="innerHTML"
                    hx-disabled-elt="this"
                    hx-confirm={`Delete the template "${item.name}" from SES? Anything that sends with it through SES will fail until it exists again. Sesame's own templates are kept.`}
                  >
                    Delete
                  </button>
                ) : (
                  ""
                )}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        ""
      )}
    </div>
  );
}

/**
 * The value of a srcdoc attribute. The attribute escaping of @kitajs/html handles quotes but not
 * "&", which the browser would decode: "&lt;script&gt;" text of the mail would become markup of the
 * frame's document.
 */
function srcdoc(html: string): string {
  return html.replace(/&/g, "&amp;");
}

/** What a test render by SES gave: the subject, the text, and the HTML in a sandboxed frame (never in the page itself). */
export function RenderedPanel({ result }: { result: RenderResult }) {
  return (
    <div class="space-y-3 text-sm" data-testid="ses-render-result">
      <div>
        <p class="text-slate-500">Subject</p>
        <p class="font-medium break-words" data-testid="ses-render-subject" safe>
          {result.subject}
        </p>
      </div>
      {result.html ? (
        <div>
          <p class="text-slate-500 mb-1">HTML</p>
          <iframe
            sandbox=""
            srcdoc={srcdoc(result.html)}
            title="The HTML part as SES rendered it"
            class="h-96 w-full rounded border border-slate-200 bg-white"
            data-testid="ses-render-html"
          ></iframe>
          <details class="mt-2">
            <summary class="cursor-pointer text-slate-600">HTML source</summary>
            <pre class="mt-1 max-h-64 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 text-xs" safe>
              {result.html}
            </pre>
          </details>
        </div>
      ) : (
        ""
      )}
      {result.text ? (
        <div>
          <p class="text-slate-500 mb-1">Text</p>
          <pre class="max-h-64 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 text-xs" data-testid="ses-render-text" safe>
            {result.text}
          </pre>
        </div>
      ) : (
        ""
      )}
    </div>
  );
}

/** On a Sesame template's page: where it is published in SES (when, in the person's zone), and the button that publishes it (again). */
export function PublicationPanel({
  templateId,
  publication,
  canManage,
  notice,
  warnings,
  zone,
  now,
}: {
  templateId: string;
  publication: SesPublication | null;
  canManage: boolean;
  notice?: string;
  warnings?: string[];
  zone: string;
  now?: Date;
}) {
  return (
    <div id="ses-publication" class="mt-4 rounded-lg border border-slate-200 bg-white p-4 text-sm" data-testid="ses-publication">
      <h2 class="font-medium mb-2">SES stored template</h2>
      {notice ? (
        <div class="mb-2">
          <Flash kind="success" message={notice} />
        </div>
      ) : (
        ""
      )}
      <PublishWarnings warnings={warnings} />
      <div id="ses-publication-errors" class="empty:hidden mb-2" aria-live="assertive"></div>
      {publication ? (
        <p class="mb-3" data-testid="ses-published">
          Published to SES as{" "}
          <a href={sesTemplatePath(publication.name)} class="font-mono text-sky-700 underline" safe>
            {publication.name}
          </a>{" "}
          <span class="text-slate-500" safe>{`(${publication.region})`}</span> on <ZonedTime at={publication.publishedAt} zone={zone} now={now} />.
        </p>
      ) : (
        <p class="mb-3 text-slate-600">Not published to SES. Publishing stores it in SES as a template that SES's own templated sends can use.</p>
      )}
      {canManage ? (
        <form hx-post="/aws/templates" hx-target="#ses-publication-errors" hx-swap="innerHTML" hx-disabled-elt="find button" class="flex flex-wrap items-center gap-3">
          <input type="hidden" name="templateId" value={templateId} />
          <Button kind="secondary">{publication ? "Publish again" : "Publish to SES"}</Button>
          <a href="/settings/aws/templates" class="text-sky-700 underline">
            Choose the name on the SES templates page
          </a>
        </form>
      ) : (
        ""
      )}
    </div>
  );
}
