import { sendEmail } from "../../aws/ses";
import type { Deps } from "../../deps";
import { parseSender } from "../../lib/email";
import { Invalid } from "../../lib/errors";
import { savedKeys } from "../credentials/service";
import type { SystemMailSetting } from "./model";
import { deleteSetting, readSetting, verifiedIdentities, workspacesWithSavedKeys, writeSetting } from "./queries";

const KEY = "systemMail";

export interface SystemMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** The system mail connection, or null when none is set. */
export async function getSystemMail(deps: Deps): Promise<SystemMailSetting | null> {
  const value = (await readSetting(deps.db, KEY)) as Partial<SystemMailSetting> | null;
  return value && typeof value.workspaceId === "string" && typeof value.from === "string" ? { workspaceId: value.workspaceId, from: value.from } : null;
}

/**
 * Mail from Sesame itself (password reset links), sent through the workspace and sender the instance
 * admin chose, with that workspace's saved keys. Never throws: the caller decides what "not sent"
 * means to the person waiting for it, and the log keeps why.
 */
export async function sendSystemMail(deps: Deps, mail: SystemMail): Promise<"sent" | "not_configured" | "failed"> {
  const setting = await getSystemMail(deps);
  if (!setting) return "not_configured";
  try {
    const active = await savedKeys(deps, setting.workspaceId);
    if (!active) {
      deps.log.warn("system mail not sent: the chosen workspace has no saved AWS keys any more", { workspaceId: setting.workspaceId });
      return "not_configured";
    }
    await sendEmail(deps.config, active.keys, { from: setting.from, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text, headers: [], configurationSet: null });
    return "sent";
  } catch (err) {
    deps.log.warn("system mail not sent", { workspaceId: setting.workspaceId, error: err instanceof Error ? err.message : String(err) });
    return "failed";
  }
}

/** What the admin can choose from: workspaces with saved keys, each with the senders SES verified there. */
export async function systemMailChoices(deps: Deps) {
  const workspaces = await workspacesWithSavedKeys(deps.db);
  return Promise.all(
    workspaces.map(async (w) => ({ id: w.id, name: w.name, region: w.region, senders: senders(await verifiedIdentities(deps.db, w.id, w.region)) })),
  );
}

/** A verified address is a sender as it is; a verified domain offers its no-reply address. */
function senders(identities: { name: string; type: string }[]): string[] {
  return identities.map((i) => (i.type === "EMAIL_ADDRESS" ? i.name.toLowerCase() : `no-reply@${i.name.toLowerCase()}`));
}

/** Sets the connection after checking the workspace has saved keys and SES verified the sender (its address or its domain). */
export async function saveSystemMail(deps: Deps, input: { workspaceId: string; from: string }): Promise<SystemMailSetting & { workspaceName: string }> {
  const workspace = (await workspacesWithSavedKeys(deps.db)).find((w) => w.id === input.workspaceId);
  if (!workspace) throw new Invalid("Choose a workspace that has saved AWS keys.", "system_mail_no_keys", "workspaceId");
  const sender = parseSender(input.from);
  if (!sender) throw new Invalid("Enter the sender as an email address, such as no-reply@example.com.", "invalid_from", "from");
  const domain = sender.address.slice(sender.address.lastIndexOf("@") + 1);
  const verified = await verifiedIdentities(deps.db, workspace.id, workspace.region);
  const ok = verified.some((i) => (i.type === "EMAIL_ADDRESS" ? i.name.toLowerCase() === sender.address : i.name.toLowerCase() === domain));
  if (!ok) {
    throw new Invalid(`${sender.address} is not verified in SES for ${workspace.name} (${workspace.region}): verify the address or its domain on that workspace's Identities page first.`, "system_mail_unverified", "from");
  }
  await writeSetting(deps.db, KEY, { workspaceId: workspace.id, from: sender.value }, deps.clock.now());
  return { workspaceId: workspace.id, from: sender.value, workspaceName: workspace.name };
}

export async function clearSystemMail(deps: Deps) {
  await deleteSetting(deps.db, KEY);
}
