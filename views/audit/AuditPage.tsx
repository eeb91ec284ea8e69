import type { Auth } from "../../src/features/auth/model";
import { ACTION_WORDS, AUDIT_ACTIONS, PAGE_SIZE, type AuditItem, type AuditPage as AuditPageData } from "../../src/features/audit/model";
import type { AuditFilter, AuditFilterInput } from "../../src/features/audit/service";
import { EmptyState } from "../components/EmptyState";
import { Pagination } from "../components/Pagination";
import { DayRangeFields, FieldMessage, INPUT, SECONDARY_LINK, ZonedTime } from "../campaigns/parts";
import { AdminFrame } from "../admin/parts";
import { AppShell } from "../layouts/AppShell";

/** Where the log lives: a workspace's (`/audit`) or the instance's own (`/admin/audit`). */
export type AuditBase = "/audit" | "/admin/audit";

/** The filter as typed, to fill the form back in (also when it was refused). */
export interface AuditFilterValues {
  action: string;
  actor: string;
  from: string;
  to: string;
  pageSize: string;
}

export function auditFilterValues(input: AuditFilterInput): AuditFilterValues {
  const actions = (Array.isArray(input.action) ? input.action : input.action ? [input.action] : []).flatMap((v) => v.split(",")).map((v) => v.trim());
  return {
    action: actions.length === 1 ? actions[0]! : "",
    actor: input.actor?.trim() ?? "",
    from: input.from?.trim() ?? "",
    to: input.to?.trim() ?? "",
    pageSize: input.pageSize === undefined ? "" : String(input.pageSize).trim(),
  };
}

/** The log's own URL for a filter: what htmx swaps in is also what reload, back and new tabs open. `format=csv` is the download of the same filter. */
export function auditUrl(base: AuditBase, filter: Pick<AuditFilter, "actions" | "actor" | "from" | "to" | "pageSize">, page = 1, format?: "csv"): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${name}=${encodeURIComponent(value)}`);
  if (filter.actions.length) add("action", filter.actions.join(","));
  if (filter.actor) add("actor", filter.actor);
  if (filter.from) add("from", filter.from);
  if (filter.to) add("to", filter.to);
  if (format) add("format", format);
  else {
    if (filter.pageSize !== PAGE_SIZE) add("pageSize", String(filter.pageSize));
    if (page > 1) add("page", String(page));
  }
  return parts.length ? `${base}?${parts.join("&")}` : base;
}

export interface AuditLogProps {
  base: AuditBase;
  values: AuditFilterValues;
  /** Null when the filter was refused (`errors` says why). */
  filter: AuditFilter | null;
  page: AuditPageData | null;
  errors: { field: string; message: string }[];
  /** Whether this log holds any entry at all (the empty state otherwise). */
  anyEntries: boolean;
  zone: string;
  now: Date;
}

const CELL = "lg:table-cell lg:px-4 lg:py-2 lg:align-top";
const HEAD = "sticky top-0 bg-slate-50 px-4 py-2 font-medium";
const LABEL = "mb-1 block text-xs font-medium text-slate-600";


function FilterForm({ base, values, errors, zone, csvHref }: { base: AuditBase; values: AuditFilterValues; errors: AuditLogProps["errors"]; zone: string; csvHref: string | null }) {
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  return (
    <form
      action={base}
      method="get"
      hx-get={base}
      hx-target="#audit"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="change, submit"
      role="search"
      aria-label="Filter the audit log"
      class="mb-4 rounded-lg border border-slate-200 bg-white p-4"
      data-testid="audit-filter"
    >
      <div class="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <div class="col-span-2 min-w-0 lg:col-span-1">
          <label for="field-action" class={LABEL}>
            Action
          </label>
          <select id="field-action" name="action" class={INPUT} aria-invalid={invalid("action")} aria-describedby="field-action-error">
            <option value="" selected={!values.action}>
              Every action
            </option>
            {AUDIT_ACTIONS.map((action) => (
              <option value={action} selected={action === values.action} safe>
                {ACTION_WORDS[action]}
              </option>
            ))}
          </select>
          <FieldMessage field="action" errors={errors} />
        </div>
        <div class="col-span-2 min-w-0 lg:col-span-1">
          <label for="field-actor" class={LABEL}>
            Who
          </label>
          <input
            id="field-actor"
            name="actor"
            type="search"
            value={values.actor}
            maxlength="320"
            placeholder="ana@example.com, or part of it"
            autocomplete="off"
            class={INPUT}
            aria-invalid={invalid("actor")}
            aria-describedby="field-actor-error"
          />
          <FieldMessage field="actor" errors={errors} />
        </div>
        <DayRangeFields from={values.from} to={values.to} zone={zone} errors={errors} labelClass={LABEL} />
      </div>
      {values.pageSize ? <input type="hidden" name="pageSize" value={values.pageSize} /> : ""}
      <div class="mt-3 flex flex-wrap items-center gap-3">
        <button type="submit" class="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
          Filter
        </button>
        <a href={base} hx-get={base} hx-target="#audit" hx-swap="outerHTML" hx-push-url="true" class="text-sm text-sky-700 underline" data-testid="clear-filters">
          Clear filters
        </a>
        {csvHref ? (
          <a href={csvHref} class={SECONDARY_LINK} data-testid="audit-csv">
            Download CSV
          </a>
        ) : (
          ""
        )}
        <p id="field-dates-hint" class="text-xs text-slate-500 sm:ml-auto" safe>
          {`Days and times in your time zone (${zone}).`}
        </p>
      </div>
      <FieldMessage field="pageSize" errors={errors} />
      <FieldMessage field="page" errors={errors} />
    </form>
  );
}

const ACTOR_KIND: Record<string, string> = { user: "", api_key: "API key", anonymous: "Not signed in", system: "Sesame" };

function AuditRows({ items, zone, now }: { items: AuditItem[]; zone: string; now: Date }) {
  return (
    <>
      {items.map((item) => (
        <tr class="block border-t border-slate-200 px-4 py-3 first:border-t-0 lg:table-row lg:p-0 lg:first:border-t" data-entry={item.id} data-action={item.action}>
          <td class={`block text-slate-600 ${CELL}`}>
            <ZonedTime at={item.at} zone={zone} now={now} />
          </td>
          <td class={`mt-1 block min-w-0 lg:mt-0 ${CELL}`}>
            <span class="block break-words font-medium text-slate-800" data-testid="audit-actor" safe>
              {item.actor.label}
            </span>
            {ACTOR_KIND[item.actor.type] ? (
              <span class="block text-xs text-slate-500" safe>
                {ACTOR_KIND[item.actor.type]}
              </span>
            ) : (
              ""
            )}
          </td>
          <td class={`mt-1 block min-w-0 lg:mt-0 ${CELL}`}>
            <span class="block break-words" data-testid="audit-summary" safe>
              {item.summary}
            </span>
          </td>
          <td class={`mt-1 block min-w-0 text-slate-600 lg:mt-0 ${CELL}`}>
            {item.ip && item.ip !== "unknown" ? (
              <span class="block font-mono text-xs break-all" safe>
                {item.ip}
              </span>
            ) : (
              <span class="block text-xs">Address unknown</span>
            )}
            {item.userAgent ? (
              <span class="block truncate text-xs text-slate-500" title={item.userAgent} safe>
                {item.userAgent}
              </span>
            ) : (
              ""
            )}
          </td>
        </tr>
      ))}
    </>
  );
}

/** The filters, the table and its pages: swapped in place by htmx (the form comes back with it, so history shows the filter its table was made with). */
export function AuditLog(props: AuditLogProps) {
  const { base, page, filter, zone, now } = props;
  if (!props.anyEntries) {
    return (
      <div id="audit" data-testid="audit">
        <EmptyState title="Nothing recorded yet">
          <p>
            {base === "/audit"
              ? "Sign-ins, failed sign-ins, changes to AWS keys, campaign launches, pauses and cancels, role changes, invites and API keys of this workspace appear here, with who, when and from where."
              : "Failed sign-ins for addresses that have no account and changes made by instance administrators appear here, with who, when and from where."}
          </p>
        </EmptyState>
      </div>
    );
  }
  return (
    <div id="audit" data-testid="audit">
      <FilterForm base={base} values={props.values} errors={props.errors} zone={zone} csvHref={filter ? auditUrl(base, filter, 1, "csv") : null} />
      {!page || !filter ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600" data-testid="audit-refused">
          Correct the filter above to see the log, or{" "}
          <a href={base} class="text-sky-700 underline">
            clear the filters
          </a>
          .
        </p>
      ) : (
        <>
          <div class="rounded-lg border border-slate-200 bg-white">
            <table class="block w-full text-sm lg:table lg:table-fixed" data-testid="audit-table">
              <colgroup>
                <col class="w-40" />
                <col class="w-[24%]" />
                <col />
                <col class="w-[22%]" />
              </colgroup>
              <thead class="hidden text-left text-slate-600 lg:table-header-group">
                <tr>
                  <th class={HEAD}>Time</th>
                  <th class={HEAD}>Who</th>
                  <th class={HEAD}>What happened</th>
                  <th class={HEAD}>From where</th>
                </tr>
              </thead>
              <tbody class="block lg:table-row-group">
                {page.items.length === 0 ? (
                  <tr class="block lg:table-row">
                    <td colspan="4" class="block px-4 py-8 text-center text-slate-600 lg:table-cell" data-testid="audit-empty">
                      {page.total > 0 ? (
                        <>
                          There is nothing on this page.{" "}
                          <a href={auditUrl(base, filter)} class="text-sky-700 underline">
                            Back to the first page
                          </a>
                        </>
                      ) : (
                        <>
                          Nothing in the log matches these filters.{" "}
                          <a href={base} hx-get={base} hx-target="#audit" hx-swap="outerHTML" hx-push-url="true" class="text-sky-700 underline">
                            Clear filters
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                ) : (
                  <AuditRows items={page.items} zone={zone} now={now} />
                )}
              </tbody>
            </table>
          </div>
          {page.total > 0 ? <Pagination page={page.page} pageSize={page.pageSize} total={page.total} capped={page.totalCapped} href={(p) => auditUrl(base, filter, p)} target="#audit" /> : ""}
        </>
      )}
    </div>
  );
}

export function AuditPage({ auth, ...props }: AuditLogProps & { auth: Auth }) {
  if (props.base === "/admin/audit") {
    return (
      <AdminFrame auth={auth} active="audit" title="Instance audit log">
        <p class="mb-4 max-w-prose text-sm text-slate-600">
          Entries that belong to no workspace: failed sign-ins for addresses without an account, and changes made by instance administrators. Each workspace's own entries are in its
          audit log. Nothing here can be changed or deleted.
        </p>
        <AuditLog {...props} />
      </AdminFrame>
    );
  }
  return (
    <AppShell auth={auth} active="audit" title="Audit log">
      <p class="mb-4 max-w-prose text-sm text-slate-600">Security-relevant actions in this workspace: who did what, when and from where. Nothing here can be changed or deleted.</p>
      <AuditLog {...props} />
    </AppShell>
  );
}
