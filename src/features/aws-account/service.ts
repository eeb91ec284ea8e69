import {
  getConfigurationSet,
  listRecommendations,
  putAccountDetails,
  putAccountSending,
  putConfigurationSetReputation,
  putConfigurationSetSending,
  putVdm,
  regionQuotas,
  vdmMetrics,
  type RegionQuota,
  type VdmRecommendation,
  type VdmSeries,
} from "../../aws/account";
import { AwsFailure } from "../../aws/errors";
import { getAccount, type AccountStatus, type AwsKeys } from "../../aws/ses";
import type { Deps } from "../../deps";
import { AppError, Invalid } from "../../lib/errors";
import type { Auth } from "../auth/model";
import { workspaceReputation } from "../campaigns/service";
import { requireKeys, requireWorkspaceAdmin, savedKeys, switchKeysRegion, withAws, type ActiveKeys } from "../credentials/service";
import {
  accountChanges,
  checkProductionAccess,
  SAMPLING,
  sampleOf,
  worthKeeping,
  type AccountChange,
  type ConfigurationSetState,
  type ProductionAccessInput,
  type VdmDays,
} from "./model";
import { accountSamplesSince, findConfigurationSetName, insertAccountSample, latestAccountSample, pruneAccountSamples } from "./queries";

/**
 * Keeps a GetAccount reading when it says something new (see SAMPLING). Readings with session-only
 * keys count only while the workspace has no saved keys: a person's own keys may belong to another
 * AWS account, whose standing is not the workspace's history.
 */
export async function recordAccountReading(deps: Deps, workspaceId: string, region: string, account: AccountStatus): Promise<boolean> {
  const reading = sampleOf(account, region, deps.clock.now());
  const last = await latestAccountSample(deps.db, workspaceId, region);
  if (!worthKeeping(last, reading)) return false;
  const id = await insertAccountSample(deps.db, workspaceId, reading);
  await pruneAccountSamples(deps.db, workspaceId, region, new Date(reading.at.getTime() - SAMPLING.keepForMs), id);
  return true;
}

async function recordForCaller(deps: Deps, auth: Auth, active: ActiveKeys, account: AccountStatus) {
  if (!active.saved && (await savedKeys(deps, auth.workspace.id).catch(() => null))) return;
  await recordAccountReading(deps, auth.workspace.id, active.keys.region, account);
}

export async function accountHistory(deps: Deps, workspaceId: string, region: string): Promise<AccountChange[]> {
  const since = new Date(deps.clock.now().getTime() - SAMPLING.keepForMs);
  return accountChanges(await accountSamplesSince(deps.db, workspaceId, region, since, 5000));
}

/** The workspace's configuration set as SES has it in the keys' region. */
async function configurationSetState(deps: Deps, auth: Auth, keys: AwsKeys): Promise<ConfigurationSetState> {
  const name = await findConfigurationSetName(deps.db, auth.workspace.id);
  if (!name) return { status: "not_set_up" };
  try {
    const set = await withAws(deps, auth, () => getConfigurationSet(deps.config, keys, name));
    return { status: "ready", ...set };
  } catch (err) {
    if (!(err instanceof AwsFailure)) throw err;
    // Configuration sets are per region: after a region switch the set is not there until the set-up runs again.
    if (err.code === "aws_not_found") return { status: "missing", name };
    return { status: "error", name, error: err.message };
  }
}

export interface AccountOverview {
  region: string;
  saved: boolean;
  account: AccountStatus;
  configurationSet: ConfigurationSetState;
  history: AccountChange[];
}

/** The Account page: the account as SES reports it now (recorded), the configuration set, and the changes seen. */
export async function accountOverview(deps: Deps, auth: Auth): Promise<AccountOverview> {
  const active = await requireKeys(deps, auth);
  const account = await withAws(deps, auth, () => getAccount(deps.config, active.keys));
  await recordForCaller(deps, auth, active, account);
  const [configurationSet, history] = await Promise.all([
    configurationSetState(deps, auth, active.keys),
    accountHistory(deps, auth.workspace.id, active.keys.region),
  ]);
  return { region: active.keys.region, saved: active.saved, account, configurationSet, history };
}

/** Sends the production-access request (validated first: nothing reaches AWS that SES would refuse). */
export async function requestProductionAccess(deps: Deps, auth: Auth, input: ProductionAccessInput): Promise<AccountOverview> {
  requireWorkspaceAdmin(auth, "request production access");
  const request = checkProductionAccess(input);
  const active = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putAccountDetails(deps.config, active.keys, request));
  return accountOverview(deps, auth);
}

export async function setAccountSending(deps: Deps, auth: Auth, enabled: boolean): Promise<AccountOverview> {
  requireWorkspaceAdmin(auth, enabled ? "turn sending on for the AWS account" : "pause sending for the AWS account");
  const active = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putAccountSending(deps.config, active.keys, enabled));
  return accountOverview(deps, auth);
}

async function requireConfigurationSet(deps: Deps, auth: Auth): Promise<string> {
  const name = await findConfigurationSetName(deps.db, auth.workspace.id);
  if (!name) {
    throw new Invalid("This workspace has no configuration set yet. Set up bounce and complaint tracking on the Connection page first.", "no_configuration_set");
  }
  return name;
}

export async function setConfigurationSetSending(deps: Deps, auth: Auth, enabled: boolean): Promise<AccountOverview> {
  requireWorkspaceAdmin(auth, enabled ? "turn sending on for the configuration set" : "pause sending for the configuration set");
  const name = await requireConfigurationSet(deps, auth);
  const active = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putConfigurationSetSending(deps.config, active.keys, name, enabled));
  return accountOverview(deps, auth);
}

export interface RegionsOverview {
  current: string;
  saved: boolean;
  items: RegionQuota[];
}

/** The same keys' quota in every SES region, side by side. */
export async function regionsOverview(deps: Deps, auth: Auth): Promise<RegionsOverview> {
  const active = await requireKeys(deps, auth);
  const items = await withAws(deps, auth, () =>
    regionQuotas(deps.config, active.keys, {
      onFailure: (failure) =>
        deps.log.warn("AWS call failed", { workspaceId: auth.workspace.id, action: failure.action, code: failure.code, detail: failure.detail }),
    }),
  );
  return { current: active.keys.region, saved: active.saved, items };
}

/** Moves the keys in use to `region`; with campaigns still sending with them, only when `force` is set (see switchKeysRegion). */
export async function switchRegion(deps: Deps, auth: Auth, region: string, options: { force?: boolean } = {}) {
  const switched = await switchKeysRegion(deps, auth, region, options).catch((err) => {
    // Keys that work here but are unknown there: an opt-in region the AWS account has not enabled.
    if (err instanceof AwsFailure && err.code === "aws_unrecognized_key") {
      throw new Invalid(
        `AWS does not know these keys in ${region}: the region is not enabled for this AWS account. Enable it in the AWS account settings (Regions), then switch again.`,
        "aws_region_not_enabled",
        "region",
      );
    }
    throw err;
  });
  await recordForCaller(deps, auth, switched, switched.account);
  return { region, saved: switched.saved, account: switched.account };
}

export interface VdmOverview {
  enabled: boolean;
  days: VdmDays;
  /** Only read while Virtual Deliverability Manager is on. */
  metrics: VdmSeries[] | null;
  recommendations: VdmRecommendation[] | null;
  /** Why the metrics or recommendations could not be read. */
  error: string | null;
}

/**
 * Virtual Deliverability Manager: its metrics and recommendations while it is on; while it is off,
 * nothing but GetAccount is called (so the page costs nothing and changes nothing).
 */
async function vdmOverview(deps: Deps, auth: Auth, keys: AwsKeys, account: AccountStatus, days: VdmDays): Promise<VdmOverview> {
  if (!account.vdmEnabled) return { enabled: false, days, metrics: null, recommendations: null, error: null };
  const end = deps.clock.now();
  const start = new Date(end.getTime() - days * 86_400_000);
  try {
    const [metrics, recommendations] = await withAws(deps, auth, () =>
      Promise.all([vdmMetrics(deps.config, keys, { start, end }), listRecommendations(deps.config, keys)]),
    );
    return { enabled: true, days, metrics, recommendations, error: null };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { enabled: true, days, metrics: null, recommendations: null, error: err.message };
  }
}

export async function vdmStatus(deps: Deps, auth: Auth, days: VdmDays): Promise<VdmOverview> {
  const active = await requireKeys(deps, auth);
  const account = await withAws(deps, auth, () => getAccount(deps.config, active.keys));
  return vdmOverview(deps, auth, active.keys, account, days);
}

export interface ReputationOverview {
  region: string;
  configurationSet: ConfigurationSetState;
  rates: Awaited<ReturnType<typeof workspaceReputation>>["rates"];
  vdm: VdmOverview;
}

export async function reputationOverview(deps: Deps, auth: Auth, days: VdmDays): Promise<ReputationOverview> {
  const active = await requireKeys(deps, auth);
  const account = await withAws(deps, auth, () => getAccount(deps.config, active.keys));
  await recordForCaller(deps, auth, active, account);
  const [configurationSet, reputation, vdm] = await Promise.all([
    configurationSetState(deps, auth, active.keys),
    workspaceReputation(deps, { workspaceId: auth.workspace.id, userId: auth.user.id, role: auth.workspaceRole }),
    vdmOverview(deps, auth, active.keys, account, days),
  ]);
  return { region: active.keys.region, configurationSet, rates: reputation.rates, vdm };
}

export async function setReputationMetrics(deps: Deps, auth: Auth, enabled: boolean): Promise<ConfigurationSetState> {
  requireWorkspaceAdmin(auth, "change the configuration set's reputation metrics");
  const name = await requireConfigurationSet(deps, auth);
  const active = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putConfigurationSetReputation(deps.config, active.keys, name, enabled));
  return configurationSetState(deps, auth, active.keys);
}

/** Turns Virtual Deliverability Manager on (a paid feature: only ever on an explicit request) or off. */
export async function setVdm(deps: Deps, auth: Auth, enabled: boolean, days: VdmDays): Promise<VdmOverview> {
  requireWorkspaceAdmin(auth, enabled ? "turn on Virtual Deliverability Manager" : "turn off Virtual Deliverability Manager");
  const active = await requireKeys(deps, auth);
  await withAws(deps, auth, () => putVdm(deps.config, active.keys, enabled));
  return vdmStatus(deps, auth, days);
}
