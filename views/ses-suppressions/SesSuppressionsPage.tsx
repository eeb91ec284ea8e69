import type { Auth } from "../../src/features/auth/model";
import {
  REASON_WORDS,
  SYNC_MEANING,
  SYNC_SETTINGS,
  type SesSuppressionFilter,
  type SesSuppressionsPage,
  type SyncRunView,
  type SyncStatus,
} from "../../src/features/ses-suppressions/model";
import { ZonedTime } from "../campaigns/parts";
import { Button } from "../components/Button";
import { EmptyState } from "../components/EmptyState";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { ErrorSlot } from "../credentials/AwsPage";
import { AwsPageFrame } from "../credentials/AwsTabs";
import { Section } from "../credentials/parts";
import { count } from "../components/format";

const INPUT = "block w-full rounded border border-slate-300 px-3 py-2 text-sm";
const LABEL = "mb-1 block text-sm font-medium text-slate-700";

/** The page's own URL for a filter and position: what htmx swaps in is also what reload and new tabs open. */
export function sesSuppressionsUrl(filter: SesSuppressionFilter, nextToken: string | null = filter.nextToken): string {
  const params = new URLSearchParams();
  if (filter.q) params.set("q", filter.q);
  if (filter.reason) params.set("reason", filter.reason);
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  if (nextToken) params.set("nextToken", nextToken);
  const query = params.toString();
  return query ? `/settings/aws/suppressions?${query}` : "/settings/aws/suppressions";
}

export interface SesSuppressionsTableProps {
  filter: SesSuppressionFilter;
  page: SesSuppressionsPage | null;
  /** Why the list could not be read (AWS's failure as a sentence). */
  error?: string;
  canManage: boolean;
  zone: string;
}

function emptyText(filter: SesSuppressionFilter, page: SesSuppressionsPage): string {
  if (page.stoppedEarly) return `No address matches in the first ${(page.scanned ?? 0).toLocaleString("en")} looked through.`;
  if (filter.q || filter.reason || filter.from || filter.to) return "No address on SES's suppression list matches.";
  if (filter.nextToken) return "No more addresses.";
  return "SES's suppression list is empty. SES adds an address here when it bounces or complains (see below), or you can add one.";
}

/** The list itself; it reloads in place when an address is added or removed. */
export function SesSuppressionsTable({ filter, page, error, canManage, zone }: SesSuppressionsTableProps) {
  const here = sesSuppressionsUrl(filter);
  return (
    <div id="ses-suppressions" data-testid="ses-suppressions" hx-get={here} hx-trigger="ses-suppressions-changed from:body" hx-swap="outerHTML">
      {error ? (
        <div data-testid="ses-suppressions-error">
          <Flash kind="error" message={error} />
        </div>
      ) : !page ? (
        ""
      ) : page.items.length === 0 ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600" data-testid="ses-suppressions-empty" safe>
          {emptyText(filter, page)}
        </p>
      ) : (
        <Table headers={["Email", "Reason", "Last update", ""]} testid="ses-suppressions-table">
          {page.items.map((item) => (
            <tr class="border-t border-slate-200" data-email={item.email}>
              <td class="px-4 py-2 font-mono break-all" safe>
                {item.email}
              </td>
              <td class="px-4 py-2" title={`Reason: ${item.reason}`} safe>
                {REASON_WORDS[item.reason]}
              </td>
              <td class="px-4 py-2 text-slate-600">
                <ZonedTime at={item.lastUpdate} zone={zone} />
              </td>
              <td class="px-4 py-2 text-right">
                {canManage ? (
                  <button
                    type="button"
                    class="text-xs text-red-700 underline"
                    hx-delete={`/aws/suppressions/${encodeURIComponent(item.email)}`}
                    hx-target="#ses-suppressions-errors"
                    hx-swap="innerHTML"
                    hx-disabled-elt="this"
                    hx-confirm={`Remove ${item.email} from SES's suppression list? SES will deliver mail to it again from every sender of this AWS account; Sesame's own suppression list is not changed.`}
                    data-testid="ses-suppression-remove"
                  >
                    Remove
                  </button>
                ) : (
                  ""
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
      {page ? <Paging filter={filter} page={page} /> : ""}
    </div>
  );
}

/** SES's tokens only go forward: "Next" continues the list, "Back to the start" begins it again. */
function Paging({ filter, page }: { filter: SesSuppressionFilter; page: SesSuppressionsPage }) {
  const link = (href: string, label: string, testid: string) => (
    <a href={href} hx-get={href} hx-target="#ses-suppressions" hx-swap="outerHTML" hx-push-url="true" class="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50" data-testid={testid} safe>
      {label}
    </a>
  );
  const scanned =
    page.scanned !== undefined
      ? `Looked through ${page.scanned.toLocaleString("en")} addresses${page.stoppedEarly ? " and stopped there: SES cannot search, so Sesame reads the list in turn." : "."}`
      : "";
  if (!filter.nextToken && !page.nextToken && !scanned) return "";
  return (
    <nav class="mt-3 flex flex-wrap items-center gap-3 text-sm" aria-label="Pages">
      {filter.nextToken ? link(sesSuppressionsUrl(filter, null), "← Back to the start", "ses-suppressions-first") : ""}
      {scanned ? (
        <span class="text-slate-600" data-testid="ses-suppressions-scanned" safe>
          {scanned}
        </span>
      ) : (
        ""
      )}
      {page.nextToken ? link(sesSuppressionsUrl(filter, page.nextToken), page.scanned !== undefined ? "Search further →" : "Next →", "ses-suppressions-next") : ""}
    </nav>
  );
}

function SearchForm({ filter }: { filter: SesSuppressionFilter }) {
  return (
    <form
      action="/settings/aws/suppressions"
      method="get"
      hx-get="/settings/aws/suppressions"
      hx-target="#ses-suppressions"
      hx-swap="outerHTML"
      hx-push-url="true"
      role="search"
      aria-label="Search SES's suppression list"
      class="mb-4 grid grid-cols-2 gap-3 sm:grid-cols-4 sm:items-end"
      data-testid="ses-suppressions-search"
    >
      <div class="col-span-2 min-w-0">
        <label for="ses-q" class={LABEL}>
          Address
        </label>
        <input id="ses-q" name="q" type="search" value={filter.q} maxlength="320" placeholder="Whole address, or part of one" class={INPUT} aria-describedby="ses-q-hint" />
        <p id="ses-q-hint" class="mt-1 text-xs text-slate-500">
          A whole address is looked up at once; part of one is searched by reading the list in turn.
        </p>
      </div>
      <div class="col-span-2 min-w-0 sm:col-span-1">
        <label for="ses-reason" class={LABEL}>
          Reason
        </label>
        <select id="ses-reason" name="reason" class={INPUT}>
          <option value="">Every reason</option>
          {(["BOUNCE", "COMPLAINT"] as const).map((r) => (
            <option value={r} selected={filter.reason === r} safe>
              {REASON_WORDS[r]}
            </option>
          ))}
        </select>
      </div>
      <div class="min-w-0">
        <label for="ses-from" class={LABEL}>
          Added from
        </label>
        <input id="ses-from" name="from" type="date" value={filter.from} class={INPUT} />
      </div>
      <div class="min-w-0">
        <label for="ses-to" class={LABEL}>
          Added until
        </label>
        <input id="ses-to" name="to" type="date" value={filter.to} class={INPUT} />
      </div>
      <div class="col-span-2 flex gap-2 sm:col-span-1">
        <Button kind="secondary">Search</Button>
        <a href="/settings/aws/suppressions" class="self-center text-sm text-sky-700 underline">
          Clear
        </a>
      </div>
    </form>
  );
}

function AddForm() {
  return (
    <form hx-put="/aws/suppressions" hx-target="#ses-suppressions-errors" hx-swap="innerHTML" hx-disabled-elt="find button" class="mb-4 flex flex-wrap items-end gap-3" data-testid="ses-suppression-add">
      <div class="min-w-0 flex-1 basis-60">
        <label for="field-email" class={LABEL}>
          Add an address <span class="text-red-700">*</span>
        </label>
        <input id="field-email" name="email" type="email" required maxlength="320" class={INPUT} aria-describedby="field-email-error" />
        <p id="field-email-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
      </div>
      <div class="min-w-0">
        <label for="field-reason" class={LABEL}>
          Reason
        </label>
        <select id="field-reason" name="reason" class={INPUT} aria-describedby="field-reason-error">
          <option value="BOUNCE">Bounce</option>
          <option value="COMPLAINT">Complaint</option>
        </select>
        <p id="field-reason-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
      </div>
      <Button kind="secondary">Add to SES's list</Button>
    </form>
  );
}


/** What a run did, in one sentence. */
export function runSentence(run: Pick<SyncRunView, "direction" | "added" | "skipped" | "refused" | "running">): string {
  if (run.direction === "pull") {
    return run.running
      ? `Pulling from SES: ${count(run.added)} added to Sesame's list so far, ${count(run.skipped)} already there.`
      : `Pulled from SES: ${count(run.added)} added to Sesame's list, ${count(run.skipped)} already there.`;
  }
  const refused =
    run.refused > 0
      ? ` SES refused ${count(run.refused)} ${run.refused === 1 ? "address" : "addresses"}${run.running ? " so far" : ""}; the server log has its answer, and the next push tries ${run.refused === 1 ? "it" : "them"} again.`
      : "";
  return run.running
    ? `Pushing to SES: ${count(run.added)} added to SES's list so far, ${count(run.skipped)} already there.${refused}`
    : `Pushed to SES: ${count(run.added)} added to SES's list, ${count(run.skipped)} already there.${refused}`;
}

/** The sync setting, the buttons that run a direction now, and the last or current run. */
export function SyncPanel({ status, canManage, zone }: { status: SyncStatus; canManage: boolean; zone: string }) {
  const run = status.run;
  return (
    <div
      id="ses-sync"
      data-testid="ses-sync"
      {...(run?.running ? { "hx-get": "/aws/suppressions/sync", "hx-trigger": "every 2s", "hx-swap": "outerHTML" } : {})}
    >
      <ErrorSlot id="ses-sync-errors" />
      <form hx-put="/aws/suppressions/settings" hx-target="#ses-sync-errors" hx-swap="innerHTML" hx-disabled-elt="find button" class="mb-4" data-testid="ses-sync-setting">
        <fieldset class="min-w-0">
          <legend class="mb-2 text-sm font-medium text-slate-700">Keep Sesame's list and SES's in step</legend>
          <div class="grid gap-2 sm:grid-cols-2">
            {SYNC_SETTINGS.map((s) => (
              <label class="flex items-start gap-2 rounded border border-slate-200 p-3 text-sm has-checked:border-sky-500 has-checked:bg-sky-50">
                <input type="radio" name="sync" value={s} checked={status.sync === s} disabled={!canManage} class="mt-1" />
                <span>
                  <span class="block font-medium" safe>
                    {SYNC_MEANING[s].label}
                  </span>
                  <span class="block text-slate-600" safe>
                    {SYNC_MEANING[s].meaning}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        {canManage ? (
          <div class="mt-3">
            <Button kind="secondary">Save</Button>
          </div>
        ) : (
          ""
        )}
      </form>
      <p class="mb-3 text-sm text-slate-600" data-testid="ses-sync-last">
        {status.sync === "off" ? "The background sync is off. " : "Sesame syncs every 15 minutes while keys are saved for the workspace. "}
        {status.lastSyncAt ? (
          <>
            Last sync: <ZonedTime at={status.lastSyncAt} zone={zone} />.
          </>
        ) : (
          "No sync has run yet."
        )}
      </p>
      {run ? (
        <div class="mb-3" data-testid="ses-sync-run" data-running={run.running ? "true" : "false"}>
          {run.error ? <Flash kind="error" message={run.error} /> : <Flash kind={run.running ? "info" : "success"} message={runSentence(run)} />}
        </div>
      ) : (
        ""
      )}
      {canManage ? (
        <form hx-post="/aws/suppressions/sync" hx-target="#ses-sync-errors" hx-swap="innerHTML" hx-disabled-elt="find button" class="flex flex-wrap gap-2" data-testid="ses-sync-now">
          <Button kind="secondary" name="direction" value="pull" disabled={run?.running}>
            Pull now
          </Button>
          <Button kind="secondary" name="direction" value="push" disabled={run?.running}>
            Push now
          </Button>
        </form>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin can change the setting and run a sync.</p>
      )}
    </div>
  );
}

/** Which events make SES add an address to the list on its own (the account's SuppressionAttributes). */
export function AttributesPanel({ reasons, error, canManage, saved }: { reasons: string[] | null; error?: string; canManage: boolean; saved?: boolean }) {
  return (
    <div id="ses-attributes" data-testid="ses-attributes">
      <ErrorSlot id="ses-attributes-errors" />
      {error ? (
        <div class="mb-3">
          <Flash kind="error" message={error} />
        </div>
      ) : (
        ""
      )}
      {saved ? (
        <div class="mb-3">
          <Flash kind="success" message="Saved in SES." />
        </div>
      ) : (
        ""
      )}
      {reasons ? (
        <form hx-put="/aws/suppressions/attributes" hx-target="#ses-attributes-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="ses-attributes-form">
          <input type="hidden" name="reasons" value="" />
          <fieldset class="mb-3 min-w-0">
            <legend class="mb-2 text-sm text-slate-700">
              SES adds an address to the list on its own after{" "}
              <span class="text-xs text-slate-400 font-mono" data-hint>
                SuppressedReasons
              </span>
            </legend>
            <label class="mb-1 flex items-center gap-2 text-sm">
              <input type="checkbox" name="reasons" value="BOUNCE" checked={reasons.includes("BOUNCE")} disabled={!canManage} data-testid="ses-attribute-bounce" />a hard
              bounce
            </label>
            <label class="flex items-center gap-2 text-sm">
              <input type="checkbox" name="reasons" value="COMPLAINT" checked={reasons.includes("COMPLAINT")} disabled={!canManage} data-testid="ses-attribute-complaint" />a
              complaint
            </label>
          </fieldset>
          {canManage ? <Button kind="secondary">Save</Button> : <p class="text-sm text-slate-600">A workspace admin can change this.</p>}
        </form>
      ) : (
        ""
      )}
    </div>
  );
}

export interface SesSuppressionsPageProps {
  auth: Auth;
  connected: boolean;
  canManage: boolean;
  zone: string;
  table: SesSuppressionsTableProps;
  sync: SyncStatus;
  attributes: { reasons: string[] | null; error?: string };
}

export function SesSuppressionsPage(props: SesSuppressionsPageProps) {
  return (
    <AwsPageFrame auth={props.auth} active="suppressions" title="SES suppression list">
      <p class="mb-6 max-w-prose text-sm text-slate-600">
        SES keeps its own suppression list for the whole AWS account in this region: it drops mail to these addresses whoever sends it. Sesame's{" "}
        <a href="/suppressions" class="text-sky-700 underline">
          suppression list
        </a>{" "}
        is the workspace's own; below you choose how the two are kept in step.
      </p>
      {props.connected ? (
        <>
          <Section title="Addresses on SES's list" id="ses-list-section">
            <SearchForm filter={props.table.filter} />
            <ErrorSlot id="ses-suppressions-errors" />
            {props.canManage ? <AddForm /> : ""}
            <SesSuppressionsTable {...props.table} />
          </Section>
          <Section title="Sync with Sesame's suppression list" id="ses-sync-section">
            <SyncPanel status={props.sync} canManage={props.canManage} zone={props.zone} />
          </Section>
          <Section title="What SES adds on its own" id="ses-attributes-section">
            <AttributesPanel reasons={props.attributes.reasons} error={props.attributes.error} canManage={props.canManage} />
          </Section>
        </>
      ) : (
        <EmptyState title="Connect your AWS keys first">
          <p class="mb-4">SES's suppression list is read with the workspace's AWS keys.</p>
          <a href="/settings/aws" class="text-sky-700 underline">
            Connect keys on the AWS page
          </a>
        </EmptyState>
      )}
    </AwsPageFrame>
  );
}
