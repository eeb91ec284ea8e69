import { Elysia, t } from "elysia";
import { EventsExplorer, EventsPage, filterValues } from "../../../views/events/EventsPage";
import { eventsUrl } from "../../../views/events/parts";
import { TimelinePage } from "../../../views/events/TimelinePage";
import { Invalid } from "../../lib/errors";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx, wantsPage } from "../../web/respond";
import { userTimeZone } from "../auth/service";
import { eventTimeline, explorerChoices, exploreEvents, readEventFilter, type EventFilter, type EventsPage as EventsPageData } from "./explorer";
import { eventsDocs } from "../../web/api-reference";

/** Everything arrives as text and is checked by readEventFilter, so a bad value is a 422 naming its field rather than a schema's 400. */
const explorerQuery = t.Object({
  type: t.Optional(t.Array(t.String())),
  campaignId: t.Optional(t.String()),
  q: t.Optional(t.String()),
  from: t.Optional(t.String()),
  to: t.Optional(t.String()),
  page: t.Optional(t.String()),
  pageSize: t.Optional(t.String()),
});

const timelineQuery = t.Object({ email: t.Optional(t.String()), campaignId: t.Optional(t.String()) });

/** The events explorer (CONTRACT.md, "Events and tracking") and each address's timeline: JSON for API clients, pages for browsers. */
export function eventsExplorerRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get(
      "/events",
      async ({ auth, deps, query, request, set }) => {
        const scope = requireScope(auth);
        const a = requireAuth(auth);
        const zone = userTimeZone(a);
        if (!wantsPage(request) && !isHtmx(request)) return exploreEvents(deps, scope, readEventFilter(query, zone));
        let filter: EventFilter | null = null;
        let page: EventsPageData | null = null;
        let errors: { field: string; message: string }[] = [];
        try {
          filter = readEventFilter(query, zone);
          page = await exploreEvents(deps, scope, filter);
        } catch (err) {
          if (!(err instanceof Invalid) || !err.field) throw err;
          // The page keeps the filter as typed, with the problem under its field.
          errors = [{ field: err.field, message: err.message }];
          filter = null;
          set.status = 422;
        }
        const choices = await explorerChoices(deps, scope, filter?.campaignId ?? null);
        const props = { values: filterValues(query), filter, page, errors, ...choices, zone, now: deps.clock.now() };
        if (isHtmx(request)) {
          // The form sends every field, empty or not: the address bar gets the filter's own short URL.
          if (filter && page) set.headers["hx-push-url"] = eventsUrl(filter, page.page);
          return <EventsExplorer {...props} />;
        }
        return <EventsPage auth={a} {...props} />;
      },
      { query: explorerQuery, detail: eventsDocs.list },
    )
    .get(
      "/events/timeline",
      async ({ auth, deps, query, request }) => {
        const scope = requireScope(auth);
        const a = requireAuth(auth);
        const timeline = await eventTimeline(deps, scope, query);
        if (!wantsPage(request)) return timeline;
        return <TimelinePage auth={a} timeline={timeline} zone={userTimeZone(a)} />;
      },
      { query: timelineQuery, detail: eventsDocs.timeline },
    );
}
