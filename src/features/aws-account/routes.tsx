import { Elysia, t } from "elysia";
import { AccountOverviewPanel, AccountPage, RegionsPanel, RegionSwitchConfirm } from "../../../views/aws-account/AccountPage";
import { ReputationMetricsPanel, ReputationPage, VdmPanel } from "../../../views/aws-account/ReputationPage";
import { AppError, Conflict } from "../../lib/errors";
import type { Context } from "../../web/context";
import { checkbox, ticked } from "../../web/forms";
import { requireAuth } from "../../web/guard";
import { isHtmx, swapPanel } from "../../web/respond";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import { userTimeZone } from "../auth/service";
import { vdmDays } from "./model";
import {
  accountOverview,
  regionsOverview,
  reputationOverview,
  requestProductionAccess,
  setAccountSending,
  setConfigurationSetSending,
  setReputationMetrics,
  setVdm,
  switchRegion,
  vdmStatus,
  type AccountOverview,
} from "./service";
import { awsAccountDocs } from "../../web/api-reference";

/** An on/off switch (hx-vals "true"/"false", or a JSON boolean): required, since leaving it out must not read as off. */
const onOff = t.Optional(checkbox, false);

const canManage = (auth: Auth) => hasWorkspaceRole(auth.workspaceRole, "admin");

/** The page's failure to read AWS (no keys, keys refused) is shown on the page, not as an error page. */
async function orError<T>(run: () => Promise<T>): Promise<{ value: T | null; error?: string }> {
  try {
    return { value: await run() };
  } catch (err) {
    if (err instanceof AppError && err.status !== 403) return { value: null, error: err.message };
    throw err;
  }
}

/** What the account routes answer a JSON client: the overview with its dates as ISO strings. */
function overviewJson(o: AccountOverview) {
  return { region: o.region, saved: o.saved, account: o.account, configurationSet: o.configurationSet, history: o.history.map(({ sample: _s, ...change }) => change) };
}

/** The SES account (standing, production access, sending switches, history, regions) and reputation (metrics, VDM). */
export function awsAccountRoutes(ctx: Context) {
  const accountPanel = (a: Auth, overview: AccountOverview, now: Date) => (
    <AccountOverviewPanel overview={overview} canManage={canManage(a)} zone={userTimeZone(a)} now={now} />
  );
  return new Elysia()
    .use(ctx)
    .get("/settings/aws/account", async ({ auth, deps }) => {
      const a = requireAuth(auth);
      const { value, error } = await orError(() => accountOverview(deps, a));
      const canSwitch = canManage(a) || !value?.saved;
      return <AccountPage auth={a} overview={value} error={error} canManage={canManage(a)} canSwitch={canSwitch} zone={userTimeZone(a)} now={deps.clock.now()} />;
    })
    .get("/aws/account", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      const overview = await accountOverview(deps, a);
      return isHtmx(request) ? accountPanel(a, overview, deps.clock.now()) : overviewJson(overview);
    }, { detail: awsAccountDocs.account })
    .post(
      "/aws/production-access",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const overview = await requestProductionAccess(deps, a, body);
        if (isHtmx(request)) {
          swapPanel(set, "aws-account-overview");
          return accountPanel(a, overview, deps.clock.now());
        }
        const details = overview.account.details;
        return { productionAccess: overview.account.productionAccess, reviewStatus: details?.reviewStatus ?? null, caseId: details?.reviewCaseId ?? null };
      },
      {
        body: t.Object({
          websiteUrl: t.String({ maxLength: 2000 }),
          useCaseDescription: t.String({ maxLength: 10_000 }),
          mailType: t.String({ maxLength: 20 }),
          contactLanguage: t.String({ maxLength: 10 }),
          additionalContactEmails: t.Optional(t.Union([t.String({ maxLength: 2000 }), t.Array(t.String({ maxLength: 320 }), { maxItems: 20 })])),
        }),
        detail: awsAccountDocs.productionAccess,
      },
    )
    .put(
      "/aws/account/sending",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const overview = await setAccountSending(deps, a, ticked(body.enabled));
        if (isHtmx(request)) {
          swapPanel(set, "aws-account-overview");
          return accountPanel(a, overview, deps.clock.now());
        }
        return { sendingEnabled: overview.account.sendingEnabled };
      },
      { body: t.Object({ enabled: onOff }), detail: awsAccountDocs.accountSending },
    )
    .put(
      "/aws/configuration-set/sending",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const overview = await setConfigurationSetSending(deps, a, ticked(body.enabled));
        if (isHtmx(request)) {
          swapPanel(set, "aws-account-overview");
          return accountPanel(a, overview, deps.clock.now());
        }
        return { configurationSet: overview.configurationSet };
      },
      { body: t.Object({ enabled: onOff }), detail: awsAccountDocs.configurationSetSending },
    )
    .get("/aws/regions", async ({ auth, deps, request }) => {
      const a = requireAuth(auth);
      if (!isHtmx(request)) {
        const { items, current, saved } = await regionsOverview(deps, a);
        return { current, saved, items: items.map(({ name: _n, ...item }) => item) };
      }
      const { value, error } = await orError(() => regionsOverview(deps, a));
      if (!value) {
        return (
          <div id="aws-regions" data-testid="aws-regions-error">
            <p class="text-sm text-red-700" safe>
              {error ?? ""}
            </p>
          </div>
        );
      }
      return <RegionsPanel regions={value} canSwitch={canManage(a) || !value.saved} />;
    }, { detail: awsAccountDocs.regions })
    .put(
      "/aws/region",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        let switched;
        try {
          switched = await switchRegion(deps, a, body.region, { force: ticked(body.force) });
        } catch (err) {
          // From the page, the refusal is the second confirmation: it names the campaigns and offers to switch anyway.
          if (isHtmx(request) && err instanceof Conflict && err.code === "campaigns_still_sending") {
            set.status = 409;
            return <RegionSwitchConfirm region={body.region} message={err.message} />;
          }
          throw err;
        }
        if (isHtmx(request)) {
          set.headers["hx-redirect"] = "/settings/aws/account";
          return "";
        }
        return switched;
      },
      { body: t.Object({ region: t.String({ maxLength: 40 }), force: checkbox }), detail: awsAccountDocs.switchRegion },
    )
    .get(
      "/settings/aws/reputation",
      async ({ auth, deps, query }) => {
        const a = requireAuth(auth);
        const { value, error } = await orError(() => reputationOverview(deps, a, vdmDays(query.days)));
        return <ReputationPage auth={a} overview={value} error={error} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} />;
      },
      { query: t.Object({ days: t.Optional(t.String({ maxLength: 4 })) }) },
    )
    .get(
      "/aws/reputation",
      async ({ auth, deps, query }) => reputationOverview(deps, requireAuth(auth), vdmDays(query.days)),
      { query: t.Object({ days: t.Optional(t.String({ maxLength: 4 })) }), detail: awsAccountDocs.reputation },
    )
    .put(
      "/aws/configuration-set/reputation",
      async ({ auth, deps, body, request, set }) => {
        const a = requireAuth(auth);
        const state = await setReputationMetrics(deps, a, ticked(body.enabled));
        if (isHtmx(request)) {
          swapPanel(set, "aws-reputation-metrics");
          return <ReputationMetricsPanel set={state} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} />;
        }
        return { configurationSet: state };
      },
      { body: t.Object({ enabled: onOff }), detail: awsAccountDocs.reputationMetrics },
    )
    .get(
      "/aws/vdm",
      async ({ auth, deps, query, request }) => {
        const a = requireAuth(auth);
        const vdm = await vdmStatus(deps, a, vdmDays(query.days));
        return isHtmx(request) ? <VdmPanel vdm={vdm} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} /> : vdm;
      },
      { query: t.Object({ days: t.Optional(t.String({ maxLength: 4 })) }), detail: awsAccountDocs.vdm },
    )
    .put(
      "/aws/vdm",
      async ({ auth, deps, body, query, request, set }) => {
        const a = requireAuth(auth);
        const vdm = await setVdm(deps, a, ticked(body.enabled), vdmDays(query.days));
        if (isHtmx(request)) {
          swapPanel(set, "aws-vdm");
          return <VdmPanel vdm={vdm} canManage={canManage(a)} zone={userTimeZone(a)} now={deps.clock.now()} />;
        }
        return vdm;
      },
      { body: t.Object({ enabled: onOff }), query: t.Object({ days: t.Optional(t.String({ maxLength: 4 })) }), detail: awsAccountDocs.setVdm },
    );
}
