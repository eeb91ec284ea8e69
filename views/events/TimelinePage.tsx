import type { Auth } from "../../src/features/auth/model";
import { PAGE_SIZE, TIMELINE_MAX, type Timeline } from "../../src/features/events/explorer";
import { EmptyState } from "../components/EmptyState";
import { Notice } from "../campaigns/parts";
import { AppShell } from "../layouts/AppShell";
import { ClassBadge, EventBadge, PreciseTime, eventDot, eventSummary, eventsUrl, rawDetail, timelineUrl } from "./parts";

/** One address's events, oldest first, as a vertical line: sent, delivered, opened, clicked, or bounced… */
export function TimelinePage({ auth, timeline, zone }: { auth: Auth; timeline: Timeline; zone: string }) {
  const { email, campaignId, items } = timeline;
  const allOfAddress = eventsUrl({ types: [], campaignId: null, q: email, from: "", to: "", pageSize: PAGE_SIZE });
  return (
    <AppShell auth={auth} active="events" title={email} crumbs={[{ href: "/events", label: "Events" }]}>
      <div class="mb-6 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-600" data-testid="timeline-scope">
        {campaignId ? (
          <>
            <span>
              In the campaign{" "}
              <a href={`/campaigns/${encodeURIComponent(campaignId)}`} class="text-sky-700 underline" safe>
                {timeline.campaignName ?? "A deleted campaign"}
              </a>
            </span>
            <a href={timelineUrl(email)} class="text-sky-700 underline">
              Every campaign
            </a>
          </>
        ) : (
          <span>Every event of this address in the workspace.</span>
        )}
        <a href={allOfAddress} class="text-sky-700 underline">
          In the events table
        </a>
        <span class="sm:ml-auto" safe>{`Oldest first · times in ${zone}`}</span>
      </div>
      {timeline.truncated ? (
        <Notice tone="sky" testid="timeline-truncated">
          <p safe>{`Only the latest ${TIMELINE_MAX.toLocaleString("en")} events are shown.${campaignId ? "" : " Open one campaign's timeline from the events table to see its events alone."}`}</p>
        </Notice>
      ) : (
        ""
      )}
      {items.length === 0 ? (
        <EmptyState title="No events for this address">
          <p>
            Nothing has been recorded for this address{campaignId ? " in this campaign" : ""} yet.{" "}
            <a href="/events" class="text-sky-700 underline">
              Back to the events
            </a>
          </p>
        </EmptyState>
      ) : (
        <ol class="relative ml-2 border-l border-slate-300" data-testid="timeline">
          {items.map((e) => {
            const raw = rawDetail(e.detail);
            return (
              <li id={`event-${e.id}`} class="relative mb-6 ml-6 min-w-0 scroll-mt-4 target:rounded target:bg-amber-50" data-event={String(e.id)} data-type={e.type}>
                <span class={`absolute -left-[31px] top-1.5 h-3 w-3 rounded-full ring-4 ring-slate-50 ${eventDot(e.type)}`} aria-hidden="true"></span>
                <div class="flex flex-wrap items-center gap-2 text-sm">
                  <EventBadge type={e.type} />
                  <ClassBadge item={e} />
                  <span class="text-slate-600">
                    <PreciseTime at={e.at} zone={zone} />
                  </span>
                </div>
                <p class="mt-1 break-words text-sm text-slate-800" data-testid="event-summary" safe>
                  {eventSummary(e)}
                </p>
                {!campaignId && e.campaignId ? (
                  <p class="mt-1 text-xs text-slate-500">
                    <a href={`/campaigns/${encodeURIComponent(e.campaignId)}`} class="text-sky-700 underline" safe>
                      {e.campaignName ?? "A deleted campaign"}
                    </a>
                  </p>
                ) : (
                  ""
                )}
                {raw ? (
                  <details class="mt-2 min-w-0">
                    <summary class="cursor-pointer text-xs text-sky-700" safe>
                      {raw.label}
                    </summary>
                    <pre class="mt-2 max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-3 text-xs text-slate-100" data-testid="raw-detail" safe>
                      {raw.json}
                    </pre>
                  </details>
                ) : (
                  ""
                )}
              </li>
            );
          })}
        </ol>
      )}
    </AppShell>
  );
}
