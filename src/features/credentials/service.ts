import { createIdentity, ensureEventDestination, getAccount, listIdentities, type AwsKeys, type Identity } from "../../aws/ses";
import { ensureTopic, requireTopic, subscribeHttps, subscriptionState } from "../../aws/sns";
import { AwsFailure } from "../../aws/errors";
import { open, seal, VaultError } from "../../aws/vault";
import type { Deps } from "../../deps";
import { Forbidden, Invalid } from "../../lib/errors";
import { hasWorkspaceRole, type Auth } from "../auth/model";
import {
  checkConnectInput,
  checkIdentityName,
  configurationSetName,
  maskAccessKeyId,
  publicUrlProblem,
  type AwsStatus,
  type ConnectInput,
  type EventsStatus,
} from "./model";
import {
  deleteSavedCredentials,
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
async function withAws<T>(deps: Deps, auth: Auth, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AwsFailure) {
      deps.log.warn("AWS call failed", { workspaceId: auth.workspace.id, action: err.action, code: err.code, detail: err.detail });
    }
    throw err;
  }
}

function requireWorkspaceAdmin(auth: Auth, what: string) {
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

async function requireKeys(deps: Deps, auth: Auth): Promise<ActiveKeys> {
  const active = await activeKeys(deps, auth);
  if (!active) throw new Invalid("Connect your AWS keys first (Settings → AWS).", "aws_not_connected");
  return active;
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

export async function awsIdentities(deps: Deps, auth: Auth): Promise<Identity[]> {
  const { keys } = await requireKeys(deps, auth);
  return withAws(deps, auth, () => listIdentities(deps.config, keys));
}

export async function addAwsIdentity(deps: Deps, auth: Auth, name: string): Promise<Identity> {
  requireWorkspaceAdmin(auth, "add a sending identity");
  const identity = checkIdentityName(name);
  const { keys } = await requireKeys(deps, auth);
  return withAws(deps, auth, () => createIdentity(deps.config, keys, identity));
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
