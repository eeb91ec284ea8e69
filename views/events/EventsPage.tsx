import type { Auth } from "../../src/features/auth/model";
import { EVENT_TYPES } from "../../src/features/events/model";
import type { CampaignChoice, EventFilter, EventFilterInput, EventsPage as EventsPageData } from "../../src/features/events/explorer";
import { EmptyState } from "../components/EmptyState";
import { Pagination } from "../components/Pagination";
import { DayRangeFields, FieldMessage, INPUT, LINK_BUTTON, ZonedTime } from "../campaigns/parts";
import { AppShell } from "../layouts/AppShell";
import { ClassBadge, EVENT_WORDS, EventBadge, eventSummary, eventsUrl, timelineUrl } from "./parts";

/** The filter as typed, to fill the form back in (also when it was refused). */
export interface FilterValues {
  types: string[];
  campaignId: string;
  q: string;
  from: string;
  to: string;
  pageSize: string;
}

export function filterValues(input: EventFilterInput): FilterValues {
  const types = (Array.isArray(input.type) ? input.type : input.type ? [input.type] : []).flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase());
  return {
    types,
    campaignId: input.campaignId?.trim() ?? "",
    q: input.q?.trim() ?? "",
    from: input.from?.trim() ?? "",
    to: input.to?.trim() ?? "",
    pageSize: input.pageSize === undefined ? "" : String(input.pageSize).trim(),
  };
}

export interface ExplorerProps {
  values: FilterValues;
  /** Null when the filter was refused (`errors` says why). */
  filter: EventFilter | null;
  page: EventsPageData | null;
  errors: { field: string; message: string }[];
  anyEvents: boolean;
  campaigns: CampaignChoice[];
  zone: string;
  now: Date;
}

const CELL = "lg:table-cell lg:px-4 lg:py-2 lg:align-top";
const HEAD = "sticky top-0 bg-slate-50 px-4 py-2 font-medium";


function FilterForm({ values, errors, campaigns, zone }: Pick<ExplorerProps, "values" | "errors" | "campaigns" | "zone">) {
  const invalid = (field: string) => (errors.some((e) => e.field === field) ? "true" : undefined);
  const label = "mb-1 block text-xs font-medium text-slate-600";
  return (
    <form
      action="/events"
      method="get"
      hx-get="/events"
      hx-target="#events"
      hx-swap="outerHTML"
      hx-push-url="true"
      hx-trigger="change, submit"
      role="search"
      aria-label="Filter events"
      class="mb-4 rounded-lg border border-slate-200 bg-white p-4"
      data-testid="events-filter"
    >
      <fieldset class="mb-3 min-w-0" aria-describedby="field-type-error">
        <legend class={label}>Types (none ticked: every type)</legend>
        <div class="flex flex-wrap gap-2">
          {EVENT_TYPES.map((type) => (
            <label class="inline-flex cursor-pointer items-center gap-1.5 rounded-full border border-slate-300 bg-white px-3 py-1 text-sm text-slate-700 hover:bg-slate-50 has-checked:border-sky-500 has-checked:bg-sky-50 has-checked:text-sky-900">
              <input id={`field-type-${type}`} type="checkbox" name="type" value={type} checked={values.types.includes(type)} class="h-3.5 w-3.5" />
              <span safe>{EVENT_WORDS[type]}</span>
            </label>
          ))}
        </div>
        <FieldMessage field="type" errors={errors} />
      </fieldset>
      <div class="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <div class="col-span-2 min-w-0 lg:col-span-1">
          <label for="field-campaignId" class={label}>
            Campaign
          </label>
          <select id="field-campaignId" name="campaignId" class={INPUT} aria-invalid={invalid("campaignId")} aria-describedby="field-campaignId-error" data-testid="campaign-filter">
            <option value="" selected={!values.campaignId}>
              Every campaign
            </option>
            {campaigns.map((c) => (
              <option value={c.id} selected={c.id === values.campaignId} safe>
                {c.name}
              </option>
            ))}
          </select>
          <FieldMessage field="campaignId" errors={errors} />
        </div>
        <div class="col-span-2 min-w-0 lg:col-span-1">
          <label for="field-q" class={label}>
            Address
          </label>
          <input
            id="field-q"
            name="q"
            type="search"
            value={values.q}
            maxlength="320"
            placeholder="ana@example.com, or part of one"
            autocomplete="off"
            class={INPUT}
            aria-invalid={invalid("q")}
            aria-describedby="field-q-error"
          />
          <FieldMessage field="q" errors={errors} />
        </div>
        <DayRangeFields from={values.from} to={values.to} zone={zone} errors={errors} labelClass={label} />
      </div>
      {values.pageSize ? <input type="hidden" name="pageSize" value={values.pageSize} /> : ""}
      <div class="mt-3 flex flex-wrap items-center gap-3">
        <button type="submit" class="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
          Filter
        </button>
        <a href="/events" hx-get="/events" hx-target="#events" hx-swap="outerHTML" hx-push-url="true" class="text-sm text-sky-700 underline" data-testid="clear-filters">
          Clear filters
        </a>
        <p id="field-dates-hint" class="text-xs text-slate-500 sm:ml-auto" safe>
          {`Days and times in your time zone (${zone}).`}
        </p>
      </div>
      <FieldMessage field="pageSize" errors={errors} />
      <FieldMessage field="page" errors={errors} />
    </form>
  );
}

function EventsRows({ page, zone, now }: { page: EventsPageData; zone: string; now: Date }) {
  return (
    <>
      {page.items.map((e) => {
        const summary = eventSummary(e);
        return (
          <tr class="block border-t border-slate-200 px-4 py-3 first:border-t-0 lg:table-row lg:p-0 lg:first:border-t" data-event={String(e.id)}>
            <td class={`inline-block pr-2 text-slate-600 ${CELL}`}>
              <ZonedTime at={e.at} zone={zone} now={now} />
            </td>
            <td class={`inline-block ${CELL}`}>
              <span class="inline-flex flex-wrap gap-1">
                <EventBadge type={e.type} />
                <ClassBadge item={e} />
              </span>
            </td>
            <td class={`mt-1 block min-w-0 lg:mt-0 ${CELL}`}>
              {e.email ? (
                <a href={timelineUrl(e.email, e.campaignId)} class="block font-mono text-xs break-words text-sky-700 underline lg:text-sm" title="Everything that happened to this address" safe>
                  {e.email}
                </a>
              ) : (
                <span class="text-slate-400">No address</span>
              )}
              {e.campaignId ? (
                <a href={`/campaigns/${encodeURIComponent(e.campaignId)}`} class="mt-0.5 block text-xs break-words text-slate-600 underline hover:text-slate-900" data-testid="event-campaign" safe>
                  {e.campaignName ?? "A deleted campaign"}
                </a>
              ) : (
                ""
              )}
            </td>
            <td class={`block text-slate-600 ${CELL}`}>
              <div class="line-clamp-3 break-words lg:line-clamp-none lg:truncate" title={summary} data-testid="event-summary" safe>
                {summary}
              </div>
            </td>
          </tr>
        );
      })}
    </>
  );
}

/**
 * The filters, the table and its pages: the whole explorer, swapped in place by htmx (the form
 * comes back with it, so a page in the history shows the filter its table was made with).
 */
export function EventsExplorer(props: ExplorerProps) {
  const { page, filter, zone, now } = props;
  if (!props.anyEvents) {
    return (
      <div id="events" data-testid="events">
        <EmptyState title="No events yet">
          <p class="mb-4">
            Sends, deliveries, bounces, complaints, opens, clicks and unsubscribes appear here once a campaign is sent and SES reports its events to Sesame through SNS.
          </p>
          <a href="/settings/aws" class={LINK_BUTTON}>
            Set up events in Settings → AWS
          </a>
        </EmptyState>
      </div>
    );
  }
  return (
    <div id="events" data-testid="events">
      <FilterForm values={props.values} errors={props.errors} campaigns={props.campaigns} zone={zone} />
      {!page || !filter ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600" data-testid="events-refused">
          Correct the filter above to see events, or{" "}
          <a href="/events" class="text-sky-700 underline">
            clear the filters
          </a>
          .
        </p>
      ) : (
        <>
          <div class="rounded-lg border border-slate-200 bg-white">
            <table class="block w-full text-sm lg:table lg:table-fixed" data-testid="events-table">
              <colgroup>
                <col class="w-36" />
                <col class="w-36" />
                <col class="w-[38%]" />
                <col />
              </colgroup>
              <thead class="hidden text-left text-slate-600 lg:table-header-group">
                <tr>
                  <th class={HEAD}>Time</th>
                  <th class={HEAD}>Event</th>
                  <th class={HEAD}>Address and campaign</th>
                  <th class={HEAD}>What happened</th>
                </tr>
              </thead>
              <tbody class="block lg:table-row-group">
                {page.items.length === 0 ? (
                  <tr class="block lg:table-row">
                    <td colspan="4" class="block px-4 py-8 text-center text-slate-600 lg:table-cell" data-testid="events-empty">
                      {page.total > 0 ? (
                        <>
                          There is nothing on this page.{" "}
                          <a href={eventsUrl(filter)} class="text-sky-700 underline">
                            Back to the first page
                          </a>
                        </>
                      ) : (
                        <>
                          No event matches these filters.{" "}
                          <a href="/events" hx-get="/events" hx-target="#events" hx-swap="outerHTML" hx-push-url="true" class="text-sky-700 underline">
                            Clear filters
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                ) : (
                  <EventsRows page={page} zone={zone} now={now} />
                )}
              </tbody>
            </table>
          </div>
          {page.total > 0 ? <Pagination page={page.page} pageSize={page.pageSize} total={page.total} capped={page.totalCapped} href={(p) => eventsUrl(filter, p)} target="#events" /> : ""}
        </>
      )}
    </div>
  );
}

export function EventsPage({ auth, ...props }: ExplorerProps & { auth: Auth }) {
  return (
    <AppShell auth={auth} active="events" title="Events">
      <EventsExplorer {...props} />
    </AppShell>
  );
}
