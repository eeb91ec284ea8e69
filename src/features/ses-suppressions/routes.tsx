import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { AttributesPanel, SesSuppressionsPage, SesSuppressionsTable, sesSuppressionsUrl, SyncPanel } from "../../../views/ses-suppressions/SesSuppressionsPage";
import type { Context } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { isHtmx, swapPanel, wantsPage } from "../../web/respond";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import type { Deps } from "../../deps";
import type { SesSuppressionFilter } from "./model";
import {
  addSesSuppression,
  listSesSuppressions,
  readFilter,
  removeSesSuppression,
  sesSuppressionsPage,
  sesSuppressionsTable,
  setSuppressionAttributes,
  setSyncSetting,
  suppressionAttributes,
  syncNow,
  syncStatus,
} from "./service";
import { sesSuppressionsDocs } from "../../web/api-reference";

const listQuery = t.Object({
  q: t.Optional(t.String({ maxLength: 500 })),
  reason: t.Optional(t.String({ maxLength: 20 })),
  from: t.Optional(t.String({ maxLength: 20 })),
  to: t.Optional(t.String({ maxLength: 20 })),
  nextToken: t.Optional(t.String({ maxLength: 4000 })),
});

const canManage = (a: Auth) => hasWorkspaceRole(a.workspaceRole, "admin");

async function page(deps: Deps, a: Auth, filter: SesSuppressionFilter) {
  const data = await sesSuppressionsPage(deps, a, filter);
  const zone = userTimeZone(a);
  return (
    <SesSuppressionsPage
      auth={a}
      connected={data.connected}
      canManage={canManage(a)}
      zone={zone}
      table={{ filter, ...data.list, canManage: canManage(a), zone }}
      sync={data.sync}
      attributes={data.attributes}
    />
  );
}

async function table(deps: Deps, a: Auth, filter: SesSuppressionFilter) {
  const list = await sesSuppressionsTable(deps, a, filter);
  return <SesSuppressionsTable filter={filter} {...list} canManage={canManage(a)} zone={userTimeZone(a)} />;
}

/** SES's account-level suppression list: the page, the list (JSON or partial), adding and removing, the sync and the account's attributes. */
export function sesSuppressionsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get(
      "/settings/aws/suppressions",
      async ({ auth, deps, query, request, set }) => {
        const a = requireAuth(auth);
        const filter = readFilter(query);
        if (!isHtmx(request)) return page(deps, a, filter);
        // A search or a page link puts the filter's own URL in the address bar (without the form's
        // empty fields); the table reloading itself after a change stays where it is.
        if (request.headers.get("hx-trigger") !== "ses-suppressions") set.headers["hx-push-url"] = sesSuppressionsUrl(filter);
        return table(deps, a, filter);
      },
      { query: listQuery },
    )
    .get(
      "/aws/suppressions",
      async ({ auth, deps, query, request }) => {
        const a = requireAuth(auth);
        const filter = readFilter(query);
        if (isHtmx(request)) return table(deps, a, filter);
        if (wantsPage(request)) return page(deps, a, filter);
        return listSesSuppressions(deps, a, filter);
      },
      { query: listQuery, detail: sesSuppressionsDocs.list },
    )
    .put(
      "/aws/suppressions",
      async ({ auth, deps, body, request, set }) => {
        await addSesSuppression(deps, requireAuth(auth), body);
        if (isHtmx(request)) {
          set.headers["hx-trigger"] = "ses-suppressions-changed";
          return <Flash kind="success" message={`Added ${body.email.trim().toLowerCase()} to SES's suppression list.`} />;
        }
        set.status = 204;
        return "";
      },
      { body: t.Object({ email: t.String({ maxLength: 320 }), reason: t.String({ maxLength: 20 }) }), detail: sesSuppressionsDocs.add },
    )
    .delete(
      "/aws/suppressions/:email",
      async ({ auth, deps, params, request, set }) => {
        await removeSesSuppression(deps, requireAuth(auth), params.email);
        if (isHtmx(request)) {
          set.headers["hx-trigger"] = "ses-suppressions-changed";
          return <Flash kind="success" message={`Removed ${params.email.trim().toLowerCase()} from SES's suppression list.`} />;
        }
        set.status = 204;
        return "";
      },
      { params: t.Object({ email: t.String({ maxLength: 320 }) }), detail: sesSuppressionsDocs.remove },
    )
    .get("/aws/suppressions/sync", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const status = await syncStatus(deps, a);
      return isHtmx(request) ? <SyncPanel status={status} canManage={canManage(a)} zone={userTimeZone(a)} /> : status;
    }, { detail: sesSuppressionsDocs.syncStatus })
    .post(
      "/aws/suppressions/sync",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const result = await syncNow(deps, a, body.direction);
        if (isHtmx(request)) {
          swapPanel(set, "ses-sync");
          // A pull changes Sesame's list, a push SES's: the table below reloads either way.
          set.headers["hx-trigger"] = "ses-suppressions-changed";
          return <SyncPanel status={await syncStatus(deps, a)} canManage zone={userTimeZone(a)} />;
        }
        // The contract's {added, skipped}; `refused` only when SES would not take some addresses.
        const { refused, running, ...counts } = result;
        const answer = { ...counts, ...(refused > 0 ? { refused } : {}) };
        if (running) {
          set.status = 202;
          return { ...answer, running };
        }
        return answer;
      },
      { body: t.Object({ direction: t.String({ maxLength: 10 }) }), detail: sesSuppressionsDocs.sync },
    )
    .get("/aws/suppressions/settings", ({ auth, deps }) => syncStatus(deps, requireAuth(auth)), { detail: sesSuppressionsDocs.settings })
    .put(
      "/aws/suppressions/settings",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const status = await setSyncSetting(deps, a, body.sync);
        if (!isHtmx(request)) return status;
        swapPanel(set, "ses-sync");
        return <SyncPanel status={status} canManage zone={userTimeZone(a)} />;
      },
      { body: t.Object({ sync: t.String({ maxLength: 10 }) }), detail: sesSuppressionsDocs.setSettings },
    )
    .get("/aws/suppressions/attributes", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const attributes = await suppressionAttributes(deps, a);
      return isHtmx(request) ? <AttributesPanel reasons={attributes.reasons} canManage={canManage(a)} /> : attributes;
    }, { detail: sesSuppressionsDocs.attributes })
    .put(
      "/aws/suppressions/attributes",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const attributes = await setSuppressionAttributes(deps, a, typeof body.reasons === "string" ? [body.reasons] : body.reasons);
        if (!isHtmx(request)) return attributes;
        swapPanel(set, "ses-attributes");
        return <AttributesPanel reasons={attributes.reasons} canManage saved />;
      },
      { body: t.Object({ reasons: t.Union([t.Array(t.String({ maxLength: 20 }), { maxItems: 10 }), t.String({ maxLength: 20 })]) }), detail: sesSuppressionsDocs.setAttributes },
    );
}
