import type { Config } from "../../config";
import { transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { NotFound } from "../../lib/errors";
import { deriveKey } from "../../lib/keys";
import { signToken, tokenLink, verifyToken } from "../../lib/signed";
import { setContactStatusByEmail } from "../contacts/queries";
import { insertEvents } from "../events/queries";
import { addSuppressions, findSuppressed } from "../suppressions/queries";
import { findWorkspace } from "../workspaces/queries";
import { markRecipientUnsubscribed } from "./queries";

/**
 * What an unsubscribe link names: the workspace, the address, and the campaign it came in (if any).
 * A test mail's link names no address and carries `t`: it must never suppress anyone, whoever it
 * was previewed for.
 */
interface UnsubscribeClaims {
  w: string;
  e?: string;
  c?: string;
  t?: 1;
}

/** Derived once per configuration: HKDF on every link would cost more than signing it. */
const derived = new WeakMap<Config, Buffer[]>();

function keys(config: Config): Buffer[] {
  let found = derived.get(config);
  if (!found) {
    found = [config.appSecret, config.appSecretPrevious].filter((s): s is Buffer => s !== null).map((s) => deriveKey(s, "unsubscribe-links").key);
    derived.set(config, found);
  }
  return found;
}

/** The signed per-recipient unsubscribe link that goes into every mail (and its List-Unsubscribe header). */
export function unsubscribeUrl(config: Config, claims: { workspaceId: string; email: string; campaignId?: string | null }): string {
  const token = signToken({ w: claims.workspaceId, e: claims.email, ...(claims.campaignId ? { c: claims.campaignId } : {}) }, keys(config)[0]!);
  return tokenLink(config.publicUrl, "/u", token);
}

/** The link that goes into test mails and previews: it shows the unsubscribe page in its test mode and suppresses no one. */
export function testUnsubscribeUrl(config: Config, workspaceId: string): string {
  const token = signToken({ w: workspaceId, t: 1 }, keys(config)[0]!);
  return tokenLink(config.publicUrl, "/u", token);
}

export type UnsubscribeTarget =
  | { test: false; workspaceId: string; workspaceName: string; email: string; campaignId: string | null; alreadyUnsubscribed: boolean }
  | { test: true; workspaceId: string; workspaceName: string };

/** Reads a link; a tampered token, one signed by another instance or for a workspace that is gone, is NotFound. */
export async function readUnsubscribeLink(deps: Deps, token: string): Promise<UnsubscribeTarget> {
  const claims = verifyToken<UnsubscribeClaims>(token, keys(deps.config));
  if (!claims || typeof claims.w !== "string") throw new NotFound("This unsubscribe link is not valid.", "invalid_link");
  const isTest = claims.t !== undefined;
  if (!isTest && typeof claims.e !== "string") throw new NotFound("This unsubscribe link is not valid.", "invalid_link");
  const workspace = await findWorkspace(deps.db, claims.w);
  if (!workspace) throw new NotFound("This unsubscribe link is not valid.", "invalid_link");
  if (isTest) return { test: true, workspaceId: claims.w, workspaceName: workspace.name };
  const email = claims.e!;
  const suppressed = await findSuppressed(deps.db, claims.w, [email]);
  return { test: false, workspaceId: claims.w, workspaceName: workspace.name, email, campaignId: claims.c ?? null, alreadyUnsubscribed: suppressed.length > 0 };
}

/**
 * Unsubscribes the address a link names: a suppression, an `unsubscribe` event and the contact's
 * status, all at once. Clicking twice (or the mail client's one-click POST after the page) changes
 * nothing more. A test mail's link changes nothing at all.
 */
export async function unsubscribe(deps: Deps, token: string, via: "page" | "one-click"): Promise<UnsubscribeTarget> {
  const target = await readUnsubscribeLink(deps, token);
  if (target.test) return target;
  const now = deps.clock.now();
  await transaction(deps.db, async (tx) => {
    const recipientId = target.campaignId ? await markRecipientUnsubscribed(tx, target.workspaceId, target.campaignId, target.email, now) : null;
    const [eventId] = await insertEvents(tx, [
      {
        workspaceId: target.workspaceId,
        type: "unsubscribe",
        sourceId: `unsubscribe:${target.email}:${target.campaignId ?? ""}`,
        email: target.email,
        at: now,
        detail: { via },
        campaignId: target.campaignId,
        recipientId,
      },
    ]);
    await addSuppressions(tx, [{ workspaceId: target.workspaceId, email: target.email, reason: "unsubscribe", source: `link:${via}`, createdAt: now, eventId: eventId ?? null }]);
    await setContactStatusByEmail(tx, target.workspaceId, target.email, "unsubscribed", now);
  });
  return { ...target, alreadyUnsubscribed: true };
}
