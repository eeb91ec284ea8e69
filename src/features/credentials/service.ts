import { ensureEventDestination, getAccount, type AccountStatus, type AwsKeys } from "../../aws/ses";
import { ensureTopic, requireTopic, subscribeHttps, subscriptionState } from "../../aws/sns";
import { AwsFailure } from "../../aws/errors";
import { isSesRegion } from "../../aws/regions";
import { open, seal, VaultError } from "../../aws/vault";
import type { Deps } from "../../deps";
import { Conflict, Forbidden, Invalid } from "../../lib/errors";
import { findCampaignsStillSendingFromSession } from "../aws-account/queries";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import { findCampaignsStillSending } from "../identities/queries";
import {
  checkConnectInput,
  configurationSetName,
  maskAccessKeyId,
  publicUrlProblem,
  type AwsStatus,
  type ConnectInput,
  type EventsStatus,
} from "./model";
import {
  deleteSavedCredentials,
  findLiveSessionKeys,
  findSavedCredentials,
  findWorkspaceEvents,
  setSessionCredentials,
  updateWorkspaceEvents,
  upsertSavedCredentials,
} from "./queries";

/** Keys in use for a caller: this session's own keys first, else the workspace's saved keys. */
export interface ActiveKeys {
  keys: AwsKeys;
  saved: boolean;
}

interface SessionKeysRecord {
  keyId: string;
  sealed: string;
  region: string;
}

/** Session-only keys are bound to their session as well as their workspace. */
const sessionOwner = (auth: Auth) => `session:${auth.workspace.id}:${auth.session.id}`;

/**
 * Runs AWS calls for a person. When one fails they see only the sentence; the log keeps what AWS or
 * the SDK actually said, which is what an operator needs to tell a proxy's error page from a policy gap.
 */
export async function withAws<T>(deps: Deps, auth: Auth, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AwsFailure) {
      deps.log.warn("AWS call failed", { workspaceId: auth.workspace.id, action: err.action, code: err.code, detail: err.detail });
    }
    throw err;
  }
}

export function requireWorkspaceAdmin(auth: Auth, what: string) {
  if (!hasWorkspaceRole(auth.workspaceRole, "admin")) throw new Forbidden(`Only a workspace admin or owner can ${what}.`);
}

export async function connectAws(deps: Deps, auth: Auth, raw: ConnectInput): Promise<AwsStatus> {
  const input = checkConnectInput(raw);
  if (input.save) requireWorkspaceAdmin(auth, "save AWS keys for the whole workspace");
  const keys: AwsKeys = { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, region: input.region };
  // Nothing is kept until AWS itself has accepted the keys.
  const account = await withAws(deps, auth, () => getAccount(deps.config, keys));
  const secret = JSON.stringify({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
  if (input.save) {
    const sealed = seal(deps.config, secret, auth.workspace.id);
    await upsertSavedCredentials(deps.db, {
      workspaceId: auth.workspace.id,
      accessKeyIdMasked: maskAccessKeyId(keys.accessKeyId),
      region: keys.region,
      ...sealed,
      now: deps.clock.now(),
    });
    await setSessionCredentials(deps.db, auth.session.id, null);
  } else {
    const sealed = seal(deps.config, secret, sessionOwner(auth));
    const record: SessionKeysRecord = { ...sealed, region: keys.region };
    await setSessionCredentials(deps.db, auth.session.id, JSON.stringify(record));
  }
  return { connected: true, region: keys.region, accessKeyId: maskAccessKeyId(keys.accessKeyId), saved: input.save, account };
}

/** The keys this caller may use right now, or null when none are connected. */
export async function activeKeys(deps: Deps, auth: Auth): Promise<ActiveKeys | null> {
  if (auth.session.awsCredentials) {
    const record = JSON.parse(auth.session.awsCredentials) as SessionKeysRecord;
    try {
      const { plaintext } = open(deps.config, record, sessionOwner(auth));
      return { keys: { ...(JSON.parse(plaintext) as Omit<AwsKeys, "region">), region: record.region }, saved: false };
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      // Sealed with a secret this instance no longer holds: the session keys are gone, as after a logout.
      await setSessionCredentials(deps.db, auth.session.id, null);
    }
  }
  return savedKeys(deps, auth.workspace.id);
}

/** The workspace's saved keys (what background jobs send with), re-sealed under the current secret when stale. */
export async function savedKeys(deps: Deps, workspaceId: string): Promise<ActiveKeys | null> {
  const row = await findSavedCredentials(deps.db, workspaceId);
  if (!row) return null;
  let opened;
  try {
    opened = open(deps.config, row, workspaceId);
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    deps.log.error("saved AWS keys cannot be decrypted", { workspaceId, reason: err.message });
    throw new Invalid(
      "The saved AWS keys cannot be decrypted with this server's APP_SECRET. Set APP_SECRET_PREVIOUS to the old secret, or connect the keys again.",
      "aws_keys_undecryptable",
    );
  }
  const keys = { ...(JSON.parse(opened.plaintext) as Omit<AwsKeys, "region">), region: row.region };
  if (opened.stale) {
    const resealed = seal(deps.config, opened.plaintext, workspaceId);
    await upsertSavedCredentials(deps.db, { workspaceId, accessKeyIdMasked: row.accessKeyIdMasked, region: row.region, ...resealed, now: deps.clock.now() });
  }
  return { keys, saved: true };
}

/**
 * The keys a background send uses: the workspace's saved keys, else the session-only keys of the
 * session that launched it, for as long as that session lives (they go at logout or expiry, and so
 * does the campaign's ability to send).
 */
export async function sendingKeys(deps: Deps, workspaceId: string, sessionId: string | null): Promise<ActiveKeys | null> {
  const saved = await savedKeys(deps, workspaceId);
  if (saved || !sessionId) return saved;
  const session = await findLiveSessionKeys(deps.db, sessionId, workspaceId, deps.clock.now());
  if (!session?.awsCredentials) return null;
  const record = JSON.parse(session.awsCredentials) as SessionKeysRecord;
  try {
    const { plaintext } = open(deps.config, record, `session:${workspaceId}:${sessionId}`);
    return { keys: { ...(JSON.parse(plaintext) as Omit<AwsKeys, "region">), region: record.region }, saved: false };
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    return null;
  }
}

export async function requireKeys(deps: Deps, auth: Auth): Promise<ActiveKeys> {
  const active = await activeKeys(deps, auth);
  if (!active) throw new Invalid("Connect your AWS keys first (Settings → AWS).", "aws_not_connected");
  return active;
}

/**
 * Moves the keys in use to another SES region: the workspace's saved keys (a workspace admin only),
 * or this session's own keys. Nothing changes until AWS has answered GetAccount in that region, so an
 * opt-in region the account has not enabled is refused instead of leaving keys that work nowhere.
 *
 * Campaigns still to send with these keys would send their next messages from the new region, where
 * their From identity and the configuration set usually do not exist: without `force` the switch is
 * refused, naming them. Saved keys send every campaign of the workspace; session-only keys send only
 * the campaigns launched from this session, and only while the workspace has no saved keys (see
 * sendingKeys), so a member moving their own keys is held back by nothing else.
 */
export async function switchKeysRegion(deps: Deps, auth: Auth, region: string, options: { force?: boolean } = {}): Promise<ActiveKeys & { account: AccountStatus }> {
  if (!isSesRegion(region)) throw new Invalid("Choose one of the regions where SES runs.", "invalid_region", "region");
  const active = await requireKeys(deps, auth);
  if (active.saved) requireWorkspaceAdmin(auth, "change the region of the workspace's saved AWS keys");
  if (!options.force) {
    const affected = active.saved
      ? await findCampaignsStillSending(deps.db, auth.workspace.id)
      : (await findSavedCredentials(deps.db, auth.workspace.id))
        ? []
        : await findCampaignsStillSendingFromSession(deps.db, auth.workspace.id, auth.session.id);
    if (affected.length) {
      const one = affected.length === 1;
      const names = affected.slice(0, 3).map((c) => `"${c.name}"`).join(", ");
      const more = affected.length > 3 ? ` and ${affected.length - 3} more` : "";
      throw new Conflict(
        `${one ? "The campaign" : "The campaigns"} ${names}${more} still ${one ? "sends" : "send"} with these keys (scheduled, sending or paused). Moved to ${region}, ${one ? "its" : "their"} next messages go out from there, where ${one ? "its" : "their"} From identity and the configuration set usually do not exist yet, so they fail or pause. Let ${one ? "it" : "them"} finish or cancel ${one ? "it" : "them"} first, or switch anyway.`,
        "campaigns_still_sending",
      );
    }
  }
  const keys: AwsKeys = { ...active.keys, region };
  const account = await withAws(deps, auth, () => getAccount(deps.config, keys));
  if (active.saved) {
    const row = await findSavedCredentials(deps.db, auth.workspace.id);
    if (!row) throw new Invalid("The workspace's saved AWS keys were removed meanwhile. Connect keys again.", "aws_not_connected");
    await upsertSavedCredentials(deps.db, {
      workspaceId: auth.workspace.id,
      accessKeyIdMasked: row.accessKeyIdMasked,
      region,
      sealed: row.sealed,
      keyId: row.keyId,
      now: deps.clock.now(),
    });
  } else {
    // The sealed secret is bound to the session, not to the region: only the region beside it changes.
    const record = JSON.parse(auth.session.awsCredentials!) as SessionKeysRecord;
    await setSessionCredentials(deps.db, auth.session.id, JSON.stringify({ ...record, region } satisfies SessionKeysRecord));
  }
  return { keys, saved: active.saved, account };
}

export async function awsStatus(deps: Deps, auth: Auth): Promise<AwsStatus> {
  const active = await activeKeys(deps, auth);
  if (!active) return { connected: false };
  const base = { connected: true as const, region: active.keys.region, accessKeyId: maskAccessKeyId(active.keys.accessKeyId), saved: active.saved };
  try {
    return { ...base, account: await withAws(deps, auth, () => getAccount(deps.config, active.keys)) };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return { ...base, account: null, error: err.message, code: err.code };
  }
}

/** Forgets this session's keys; a workspace admin also erases the saved ones. */
export async function disconnectAws(deps: Deps, auth: Auth): Promise<void> {
  const saved = await findSavedCredentials(deps.db, auth.workspace.id);
  const admin = hasWorkspaceRole(auth.workspaceRole, "admin");
  if (saved && !admin && !auth.session.awsCredentials) requireWorkspaceAdmin(auth, "remove the workspace's saved AWS keys");
  await setSessionCredentials(deps.db, auth.session.id, null);
  if (saved && admin) await deleteSavedCredentials(deps.db, auth.workspace.id);
}

function notificationEndpoint(deps: Deps): string {
  return new URL("/sns/notifications", deps.config.publicUrl).toString();
}

/**
 * The one-click event pipeline: a configuration set whose SNS event destination publishes every SES
 * event type to a topic that Sesame's HTTPS endpoint subscribes to. Every step is idempotent, so
 * running it twice changes nothing. With `topicArn` an existing topic is used instead of creating one.
 */
export async function setupEvents(deps: Deps, auth: Auth, options: { topicArn?: string } = {}): Promise<EventsStatus> {
  requireWorkspaceAdmin(auth, "set up the event pipeline");
  if (options.topicArn !== undefined && !/^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(options.topicArn)) {
    throw new Invalid("That is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>).", "invalid_topic_arn", "topicArn");
  }
  const { keys } = await requireKeys(deps, auth);
  return withAws(deps, auth, () => buildPipeline(deps, auth, keys, options.topicArn));
}

async function buildPipeline(deps: Deps, auth: Auth, keys: AwsKeys, chosenTopicArn: string | undefined): Promise<EventsStatus> {
  const configurationSet = configurationSetName(auth.workspace.id);
  // A topic of one's own choosing must be one these keys can see: registering someone else's would
  // route their events here.
  if (chosenTopicArn !== undefined) await requireTopic(deps.config, keys, chosenTopicArn);
  const topicArn = chosenTopicArn ?? (await ensureTopic(deps.config, keys, `sesame-events-${auth.workspace.id}`));
  await ensureEventDestination(deps.config, keys, configurationSet, topicArn);

  const endpoint = notificationEndpoint(deps);
  const problem = publicUrlProblem(deps.config.publicUrl);
  // Stored before subscribing: SNS sends its confirmation at once, and it is accepted only for a registered topic.
  await updateWorkspaceEvents(deps.db, auth.workspace.id, {
    configurationSet,
    eventTopicArn: topicArn,
    eventSubscriptionArn: null,
    eventSubscriptionStatus: problem ? "none" : "pending",
  });
  if (!problem) await subscribeHttps(deps.config, keys, topicArn, endpoint);
  const subscription = problem ? { state: "none" as const, arn: null } : await subscriptionState(deps.config, keys, topicArn, endpoint);
  await updateWorkspaceEvents(deps.db, auth.workspace.id, {
    configurationSet,
    eventTopicArn: topicArn,
    eventSubscriptionArn: subscription.arn,
    eventSubscriptionStatus: subscription.state,
  });
  return { configurationSet, topicArn, subscription: { state: subscription.state, endpoint, problem } };
}

/** What is set up, with the subscription's state read live from SNS when keys are connected. */
export async function eventsStatus(deps: Deps, auth: Auth): Promise<EventsStatus> {
  const stored = await findWorkspaceEvents(deps.db, auth.workspace.id);
  const endpoint = notificationEndpoint(deps);
  const problem = publicUrlProblem(deps.config.publicUrl);
  let state = (stored?.subscriptionStatus ?? "none") as EventsStatus["subscription"]["state"];
  if (stored?.topicArn && !problem) {
    // The live state is a nicety: keys that cannot be read (see awsStatus) leave the stored one.
    const active = await activeKeys(deps, auth).catch(() => null);
    if (active) {
      const live = await withAws(deps, auth, () => subscriptionState(deps.config, active.keys, stored.topicArn!, endpoint)).catch(() => null);
      if (live && live.state !== state) {
        state = live.state;
        await updateWorkspaceEvents(deps.db, auth.workspace.id, {
          configurationSet: stored.configurationSet!,
          eventTopicArn: stored.topicArn,
          eventSubscriptionArn: live.arn,
          eventSubscriptionStatus: live.state,
        });
      }
    }
  }
  return { configurationSet: stored?.configurationSet ?? null, topicArn: stored?.topicArn ?? null, subscription: { state, endpoint, problem } };
}
