import { createIdentity, deleteIdentity, getIdentity, listIdentityPages, putMailFrom, type Identity, type IdentityDetail } from "../../aws/identities";
import { AwsFailure } from "../../aws/errors";
import type { AwsKeys } from "../../aws/client";
import type { Deps } from "../../deps";
import { AppError, Conflict, NotFound } from "../../lib/errors";
import type { Auth } from "../auth/model";
import { checkIdentityName } from "../credentials/model";
import { requireKeys, requireWorkspaceAdmin, savedKeys, withAws, type ActiveKeys } from "../credentials/service";
import { checkMailFromDomain, identityView, isPending, rowFromDetail, rowFromSummary, sendsAs, type CachedIdentity, type IdentityView, type Schedule } from "./model";
import {
  findCachedIdentities,
  findCachedIdentity,
  findCampaignsStillSending,
  forgetCachedIdentitiesExcept,
  forgetCachedIdentity,
  saveCachedIdentity,
} from "./queries";

/** How long the cached list stands in for SES in the sender picks. */
const PICKS_FRESH_MS = 10 * 60_000;
/** GetEmailIdentity calls one listing may make: SES allows about one identity call a second. */
const READS_PER_LISTING = 20;

/**
 * Whether what these keys see of SES may go into the workspace's identity cache, which every sender
 * pick of the workspace reads: only when they are the workspace's saved keys, or the workspace has
 * none. A member's session-only keys may belong to another AWS account; what they see is shown to
 * that member and kept nowhere.
 */
async function sharesCache(deps: Deps, auth: Auth, active: ActiveKeys): Promise<boolean> {
  if (active.saved) return true;
  let saved: ActiveKeys | null;
  try {
    saved = await savedKeys(deps, auth.workspace.id);
  } catch (err) {
    // Saved keys this server cannot open (APP_SECRET changed) are still the workspace's: the cache stays theirs.
    if (err instanceof AppError) return false;
    throw err;
  }
  return !saved || saved.keys.accessKeyId === active.keys.accessKeyId;
}

/**
 * The identities for the sender picks of the campaign and send forms: the cache while every row of it
 * is younger than ten minutes (pending ones are re-read in the background), else a fresh list from SES.
 */
export async function awsIdentities(deps: Deps, auth: Auth): Promise<Identity[]> {
  const active = await requireKeys(deps, auth);
  const { keys } = active;
  if (!(await sharesCache(deps, auth, active))) return withAws(deps, auth, async () => (await listIdentityPages(deps.config, keys)).identities);
  const cached = await findCachedIdentities(deps.db, auth.workspace.id, keys.region);
  const since = deps.clock.now().getTime() - PICKS_FRESH_MS;
  if (cached.length && cached.every((row) => row.checkedAt.getTime() > since)) return cached;
  return withAws(deps, auth, async () => {
    const { identities: listed, complete } = await listIdentityPages(deps.config, keys);
    const byName = new Map(cached.map((row) => [row.name, row]));
    const now = deps.clock.now();
    for (const item of listed) await saveCachedIdentity(deps.db, rowFromSummary(auth.workspace.id, keys.region, item, byName.get(item.name) ?? null, now));
    // A listing cut short says nothing of what it did not reach.
    if (complete) await forgetCachedIdentitiesExcept(deps.db, auth.workspace.id, keys.region, listed.map((i) => i.name));
    return listed;
  });
}

/**
 * Every identity as SES has it now, with the DNS records to publish; the cache is brought up to date
 * (when these keys share it). Details (DKIM, MAIL FROM) are read again only where something may have
 * changed, and no more once SES refuses or throttles one: the rest show what the list said.
 */
export async function listAwsIdentities(deps: Deps, auth: Auth): Promise<IdentityView[]> {
  const active = await requireKeys(deps, auth);
  const { keys } = active;
  const workspaceId = auth.workspace.id;
  const cache = await sharesCache(deps, auth, active);
  return withAws(deps, auth, async () => {
    const { identities: listed, complete } = await listIdentityPages(deps.config, keys);
    const cached = new Map((cache ? await findCachedIdentities(deps.db, workspaceId, keys.region) : []).map((row) => [row.name, row]));
    const rows: CachedIdentity[] = [];
    let reads = 0;
    let reading = true;
    for (const item of listed) {
      const old = cached.get(item.name) ?? null;
      const stale = !old || old.verificationStatus !== item.verificationStatus || isPending(old);
      let row = rowFromSummary(workspaceId, keys.region, item, old, deps.clock.now());
      if (stale && reading && reads < READS_PER_LISTING) {
        reads++;
        const read = await readDetail(deps, auth, keys, item.name);
        if (read === "gone") continue;
        if (read === "refused") reading = false;
        else row = rowFromDetail(workspaceId, keys.region, read, old, deps.clock.now(), "keep");
      }
      if (cache) await saveCachedIdentity(deps.db, row);
      rows.push(row);
    }
    if (cache && complete) await forgetCachedIdentitiesExcept(deps.db, workspaceId, keys.region, rows.map((r) => r.name));
    return rows.map(identityView);
  });
}

/**
 * GetEmailIdentity for a listing: "gone" when the identity went away between the list and the read,
 * "refused" when AWS would not answer (throttled, denied, down), which the log keeps and the listing
 * survives: the list's own summary of the identity stands in.
 */
async function readDetail(deps: Deps, auth: Auth, keys: AwsKeys, name: string): Promise<IdentityDetail | "gone" | "refused"> {
  try {
    return await getIdentity(deps.config, keys, name);
  } catch (err) {
    if (!(err instanceof AwsFailure)) throw err;
    if (err.code === "aws_not_found") return "gone";
    deps.log.warn("identity details not read for a listing", { workspaceId: auth.workspace.id, identity: name, action: err.action, code: err.code, detail: err.detail });
    return "refused";
  }
}

/** SES has no such identity (any more): the cache forgets it (when it is these keys') and the person is told plainly. */
async function gone(deps: Deps, auth: Auth, active: ActiveKeys, name: string): Promise<never> {
  const { keys } = active;
  if (await sharesCache(deps, auth, active)) await forgetCachedIdentity(deps.db, auth.workspace.id, keys.region, name);
  throw new NotFound(`SES has no identity ${name} in ${keys.region} for these keys: it may have been deleted in the AWS console. Reload the list of identities.`, "identity_not_found");
}

/** Runs an identity's AWS call; NotFound from SES becomes a 404 that names the identity. */
async function onIdentity<T>(deps: Deps, auth: Auth, active: ActiveKeys, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await withAws(deps, auth, run);
  } catch (err) {
    if (err instanceof AwsFailure && err.code === "aws_not_found") return gone(deps, auth, active, name);
    throw err;
  }
}

/** The identity as SES just answered (`created`: a new one, whatever an old cache row said), kept in the cache when these keys share it. */
async function keep(deps: Deps, auth: Auth, active: ActiveKeys, detail: IdentityDetail, schedule: Schedule, created = false): Promise<IdentityView> {
  const { region } = active.keys;
  if (!(await sharesCache(deps, auth, active))) return identityView(rowFromDetail(auth.workspace.id, region, detail, null, deps.clock.now(), schedule));
  const old = created ? null : await findCachedIdentity(deps.db, auth.workspace.id, region, detail.name);
  const row = rowFromDetail(auth.workspace.id, region, detail, old, deps.clock.now(), schedule);
  await saveCachedIdentity(deps.db, row);
  return identityView(row);
}

/**
 * One identity read from SES now. A person's "Check now" (`restart`) starts the background checks
 * again at a minute while it is pending; a page's own polls and API reads leave their pace alone.
 */
export async function checkAwsIdentity(deps: Deps, auth: Auth, rawName: string, options: { restart?: boolean } = {}): Promise<IdentityView> {
  const name = checkIdentityName(rawName);
  const active = await requireKeys(deps, auth);
  const detail = await onIdentity(deps, auth, active, name, () => getIdentity(deps.config, active.keys, name));
  return keep(deps, auth, active, detail, options.restart ? "restart" : "keep");
}

export async function addAwsIdentity(deps: Deps, auth: Auth, rawName: string): Promise<IdentityView> {
  requireWorkspaceAdmin(auth, "add a sending identity");
  const name = checkIdentityName(rawName);
  const active = await requireKeys(deps, auth);
  const detail = await withAws(deps, auth, () => createIdentity(deps.config, active.keys, name));
  return keep(deps, auth, active, detail, "restart", true);
}

/** Deletes an identity from SES, refused while a campaign that will still send uses it. */
export async function deleteAwsIdentity(deps: Deps, auth: Auth, rawName: string): Promise<void> {
  requireWorkspaceAdmin(auth, "delete a sending identity");
  const name = checkIdentityName(rawName);
  const using = (await findCampaignsStillSending(deps.db, auth.workspace.id)).filter((c) => sendsAs(c.fromAddress, name));
  if (using.length) {
    const names = using.slice(0, 3).map((c) => `"${c.name}"`);
    const more = using.length > 3 ? ` and ${using.length - 3} more` : "";
    throw new Conflict(
      `${name} cannot be deleted while ${using.length === 1 ? "the campaign" : "the campaigns"} ${names.join(", ")}${more} ${using.length === 1 ? "sends" : "send"} from it (scheduled, sending or paused). Let ${using.length === 1 ? "it" : "them"} finish, cancel ${using.length === 1 ? "it" : "them"}, or change the sender first.`,
      "identity_in_use",
    );
  }
  const active = await requireKeys(deps, auth);
  await onIdentity(deps, auth, active, name, () => deleteIdentity(deps.config, active.keys, name));
  if (await sharesCache(deps, auth, active)) await forgetCachedIdentity(deps.db, auth.workspace.id, active.keys.region, name);
}

/** Sets the identity's custom MAIL FROM domain; an empty one removes it (mail then leaves from amazonses.com). */
export async function setMailFromDomain(deps: Deps, auth: Auth, rawName: string, rawDomain: string): Promise<IdentityView> {
  requireWorkspaceAdmin(auth, "change an identity's MAIL FROM domain");
  const name = checkIdentityName(rawName);
  const domain = checkMailFromDomain(name, rawDomain);
  const active = await requireKeys(deps, auth);
  const detail = await onIdentity(deps, auth, active, name, () => putMailFrom(deps.config, active.keys, name, domain));
  return keep(deps, auth, active, detail, "restart");
}
