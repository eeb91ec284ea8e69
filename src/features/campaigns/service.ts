import { listIdentities } from "../../aws/identities";
import { chargeMails } from "../limits/service";
import { getAccount, type AccountStatus } from "../../aws/ses";
import { AwsFailure } from "../../aws/errors";
import type { Deps, Scope } from "../../deps";
import { isEmail, normalizeEmail, parseSender } from "../../lib/email";
import { Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Auth } from "../auth/model";
import { activeKeys } from "../credentials/service";
import { findWorkspaceEvents } from "../credentials/queries";
import { findSuppressed } from "../suppressions/queries";
import { HTML_MAX_BYTES, SUBJECT_MAX } from "../templates/model";
import { findTemplate } from "../templates/queries";
import { variablesWithoutFallback } from "../templates/render";
import { sanitizeTemplateHtml } from "../templates/sanitize";
import type { Attachment } from "../attachments/model";
import { attachmentProblems, checkMessageSize, resolveAttachments } from "../attachments/service";
import { activeCampaignRates, campaignRates, GUARD_PAUSE_PREFIX, workspaceRates, type Rates } from "./guard";
import {
  ACCEPTED,
  EDITABLE,
  NAME_MAX,
  RECIPIENT_STATUSES,
  WrongState,
  type CampaignCounts,
  type CampaignStatus,
  type CampaignView,
  type RecipientStatus,
} from "./model";
import {
  audienceOf,
  cancelQueued,
  countByStatus,
  countCampaigns,
  deleteCampaignRow,
  engagementCounts,
  findCampaign,
  insertCampaign,
  insertRecipients,
  listCampaignRows,
  listsOfWorkspace,
  moveCampaign,
  recipientsPage,
  requeueUnknown,
  updateCampaignRow,
  type NewRecipient,
} from "./queries";

type Row = NonNullable<Awaited<ReturnType<typeof findCampaign>>>;

export interface CampaignInput {
  name?: string;
  from?: string;
  replyTo?: string | null;
  templateId?: string | null;
  subject?: string;
  html?: string;
  text?: string | null;
  listIds?: string[];
  /** An instant (ISO 8601 with offset, or epoch ms); null clears it. */
  scheduledAt?: string | number | Date | null;
  tracking?: boolean;
  /** Already looked up in the bucket (attachments/service.ts, resolveAttachments); replaces the campaign's set. */
  attachments?: Attachment[];
}

function view(row: Row): CampaignView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status as CampaignStatus,
    from: row.fromAddress,
    replyTo: row.replyTo,
    subject: row.subject,
    templateId: row.templateId,
    listIds: row.listIds,
    tracking: row.tracking,
    scheduledAt: row.scheduledAt,
    launchedAt: row.launchedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
    pauseReason: row.pauseReason,
    holdUntil: row.holdUntil,
    guarded: row.guardOffAt === null,
    duplicates: row.duplicates,
    expanded: row.expandedAt !== null,
    attachments: row.attachments,
  };
}

async function requireCampaign(deps: Deps, scope: Scope, id: string): Promise<Row> {
  const row = await findCampaign(deps.db, scope.workspaceId, id);
  if (!row) throw new NotFound("There is no such campaign in this workspace.", "campaign_not_found");
  return row;
}

function checkName(raw: string | undefined): string {
  const name = (raw ?? "").trim();
  if (!name) throw new Invalid("Give the campaign a name.", "invalid_name", "name");
  if (name.length > NAME_MAX) throw new Invalid(`Keep the name under ${NAME_MAX} characters.`, "invalid_name", "name");
  return name;
}

function checkFrom(raw: string | undefined): string {
  const sender = parseSender(raw ?? "");
  if (!sender) throw new Invalid("Enter the sender as an address or as Name <address>.", "invalid_from", "from");
  return sender.value;
}

function checkReplyTo(raw: string | null | undefined): string | null {
  const value = (raw ?? "").trim().toLowerCase();
  if (!value) return null;
  if (!isEmail(value)) throw new Invalid("Enter the reply-to as one email address, or leave it empty.", "invalid_reply_to", "replyTo");
  return value;
}

/** An instant from the API (ISO 8601 with an offset, or epoch ms) or a page (already converted from the user's zone). */
export function parseInstant(raw: string | number | Date | null | undefined, field = "scheduledAt"): Date | null {
  if (raw === null || raw === undefined || raw === "") return null;
  const date = raw instanceof Date ? raw : typeof raw === "number" ? new Date(raw) : /^\d+$/.test(raw) ? new Date(Number(raw)) : new Date(raw);
  if (Number.isNaN(date.getTime()) || (typeof raw === "string" && !/^\d+$/.test(raw) && !/(Z|[+-]\d\d:?\d\d)$/i.test(raw.trim()))) {
    throw new Invalid("Give the time as an ISO 8601 date and time with its offset, such as 2026-12-24T09:00:00+01:00.", "invalid_scheduled_at", field);
  }
  return date;
}

/** The content a campaign sends: its template's, copied when chosen (so a later template edit changes no sent mail), or its own. */
async function contentOf(deps: Deps, scope: Scope, input: CampaignInput, current?: Row) {
  if (input.templateId) {
    const template = await findTemplate(deps.db, scope.workspaceId, input.templateId);
    if (!template) throw new Invalid("Choose one of this workspace's templates.", "invalid_template", "templateId");
    return { templateId: template.id, subject: template.subject, html: template.html, text: template.text };
  }
  if (input.subject === undefined && input.html === undefined && current) {
    return { templateId: input.templateId === null ? null : current.templateId, subject: current.subject, html: current.html, text: current.text };
  }
  const subject = (input.subject ?? current?.subject ?? "").trim();
  if (!subject) throw new Invalid("Choose a template, or give a subject and a body.", "invalid_content", "subject");
  if (subject.length > SUBJECT_MAX) throw new Invalid(`Keep the subject under ${SUBJECT_MAX} characters.`, "invalid_subject", "subject");
  const html = input.html ?? current?.html ?? "";
  if (!html.trim() && !(input.text ?? "").trim()) throw new Invalid("Give the message a body.", "invalid_content", "html");
  if (Buffer.byteLength(html) > HTML_MAX_BYTES) throw new Invalid("The message body is too large: keep it under 512 KB.", "invalid_html", "html");
  return { templateId: null, subject, html: sanitizeTemplateHtml(html || `<p>${escapeText(input.text ?? "")}</p>`), text: input.text ?? null };
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, "<br>");
}

async function checkLists(deps: Deps, scope: Scope, raw: string[] | undefined): Promise<string[]> {
  const ids = [...new Set((raw ?? []).filter((id) => typeof id === "string" && id))];
  if (ids.length === 0) return [];
  const found = await listsOfWorkspace(deps.db, scope.workspaceId, ids);
  if (found.length !== ids.length) throw new Invalid("Choose lists of this workspace.", "invalid_lists", "listIds");
  return ids;
}

export async function createCampaign(deps: Deps, scope: Scope, input: CampaignInput): Promise<CampaignView> {
  const now = deps.clock.now();
  const content = await contentOf(deps, scope, input);
  if (input.attachments?.length) checkMessageSize(content, input.attachments);
  const scheduledAt = parseInstant(input.scheduledAt);
  const row = {
    id: newId("cmp"),
    workspaceId: scope.workspaceId,
    name: checkName(input.name),
    status: "draft",
    fromAddress: checkFrom(input.from),
    replyTo: checkReplyTo(input.replyTo),
    ...content,
    listIds: await checkLists(deps, scope, input.listIds),
    tracking: input.tracking ?? true,
    attachments: input.attachments ?? [],
    scheduledAt,
    createdBy: scope.userId,
    createdAt: now,
    updatedAt: now,
  };
  await insertCampaign(deps.db, row);
  return view((await findCampaign(deps.db, scope.workspaceId, row.id))!);
}

/** Changes a draft or a scheduled campaign; a scheduled one moves to its new time (or back to draft when the time is cleared). */
export async function updateCampaign(deps: Deps, scope: Scope, id: string, input: CampaignInput): Promise<CampaignView> {
  const current = await requireCampaign(deps, scope, id);
  if (!EDITABLE.includes(current.status as CampaignStatus)) throw new WrongState("Only a draft or a scheduled campaign can be changed.");
  const changes: Parameters<typeof updateCampaignRow>[4] = { updatedAt: deps.clock.now() };
  if (input.name !== undefined) changes.name = checkName(input.name);
  if (input.from !== undefined) changes.fromAddress = checkFrom(input.from);
  if (input.replyTo !== undefined) changes.replyTo = checkReplyTo(input.replyTo);
  if (input.templateId !== undefined || input.subject !== undefined || input.html !== undefined || input.text !== undefined) {
    Object.assign(changes, await contentOf(deps, scope, input, current));
  }
  if (input.listIds !== undefined) changes.listIds = await checkLists(deps, scope, input.listIds);
  if (input.tracking !== undefined) changes.tracking = input.tracking;
  if (input.attachments !== undefined) {
    checkMessageSize({ subject: changes.subject ?? current.subject, html: changes.html ?? current.html, text: changes.text ?? current.text }, input.attachments);
    changes.attachments = input.attachments;
  }
  if (input.scheduledAt !== undefined) {
    changes.scheduledAt = parseInstant(input.scheduledAt);
    if (current.status === "scheduled" && changes.scheduledAt === null) changes.status = "draft";
    if (current.status === "scheduled" && changes.scheduledAt) await deps.jobs.enqueue("campaigns", { workspaceId: scope.workspaceId, id }, { delayMs: Math.max(0, changes.scheduledAt.getTime() - deps.clock.now().getTime()) });
  }
  if (!(await updateCampaignRow(deps.db, scope.workspaceId, id, EDITABLE, changes))) throw new WrongState("The campaign started in the meantime and can no longer be changed.");
  return view((await findCampaign(deps.db, scope.workspaceId, id))!);
}

export async function deleteCampaign(deps: Deps, scope: Scope, id: string): Promise<void> {
  await requireCampaign(deps, scope, id);
  if (!(await deleteCampaignRow(deps.db, scope.workspaceId, id, ["draft", "cancelled"]))) {
    throw new WrongState("Only a draft or a cancelled campaign can be deleted; cancel it first.");
  }
}

export async function listCampaigns(deps: Deps, scope: Scope, options: { page?: number } = {}) {
  const pageSize = 25;
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const [rows, total] = await Promise.all([
    listCampaignRows(deps.db, scope.workspaceId, { limit: pageSize, offset: (page - 1) * pageSize }),
    countCampaigns(deps.db, scope.workspaceId),
  ]);
  const items = await Promise.all(rows.map(async (row) => ({ ...view(row), counts: await countsOf(deps, row.id) })));
  return { items, total, page, pageSize };
}

async function countsOf(deps: Deps, id: string): Promise<CampaignCounts> {
  const [byStatus, engagement] = await Promise.all([countByStatus(deps.db, id), engagementCounts(deps.db, id)]);
  const n = (s: RecipientStatus) => byStatus[s] ?? 0;
  return {
    total: Object.values(byStatus).reduce((a, b) => a + (b ?? 0), 0),
    queued: n("queued"),
    sending: n("sending"),
    // Every mail SES accepted, whatever happened to it after.
    sent: ACCEPTED.reduce((sum, s) => sum + n(s), 0),
    failed: n("failed"),
    unknown: n("unknown"),
    suppressed: n("suppressed"),
    cancelled: n("cancelled"),
    // The rest from the counters: a mail opened before its delivery was reported still counts as delivered.
    ...engagement,
    machineOpened: engagement.opened - engagement.humanOpened,
    machineClicked: engagement.clicked - engagement.humanClicked,
  };
}

export async function getCampaign(deps: Deps, scope: Scope, id: string): Promise<CampaignView & { counts: CampaignCounts }> {
  const row = await requireCampaign(deps, scope, id);
  return { ...view(row), counts: await countsOf(deps, id) };
}

/** The campaign's bounce and complaint rates, and the workspace's over the last 24 hours, as SES judges them. */
export async function campaignReputation(deps: Deps, scope: Scope, id: string): Promise<{ campaign: Rates; workspace: Rates }> {
  await requireCampaign(deps, scope, id);
  const [campaign, workspace] = await Promise.all([campaignRates(deps.db, id), workspaceRates(deps.db, scope.workspaceId, deps.clock.now())]);
  return { campaign, workspace };
}

/** The workspace's last 24 hours against SES's thresholds, and each campaign sending now (or paused) with its rates. */
export async function workspaceReputation(deps: Deps, scope: Scope) {
  const [rates, campaigns] = await Promise.all([workspaceRates(deps.db, scope.workspaceId, deps.clock.now()), activeCampaignRates(deps.db, scope.workspaceId)]);
  return { rates, campaigns };
}

export async function campaignRecipients(deps: Deps, scope: Scope, id: string, options: { status?: string; page?: number; pageSize?: number }) {
  await requireCampaign(deps, scope, id);
  const status = options.status && RECIPIENT_STATUSES.includes(options.status as RecipientStatus) ? (options.status as RecipientStatus) : null;
  if (options.status && !status) throw new Invalid(`Filter by one of: ${RECIPIENT_STATUSES.join(", ")}.`, "invalid_status", "status");
  const pageSize = Math.min(200, Math.max(1, Math.floor(options.pageSize ?? 50)));
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const { items, total } = await recipientsPage(deps.db, scope.workspaceId, id, { status, limit: pageSize, offset: (page - 1) * pageSize });
  return { items: items.map((r) => ({ email: r.email, status: r.status as RecipientStatus, messageId: r.messageId, sentAt: r.sentAt, error: r.error })), total, page, pageSize, status };
}

export interface Review {
  /** Addresses in the chosen lists (each once) or given. */
  distinct: number;
  /** Memberships beyond the first of the same address across the lists. */
  duplicates: number;
  /** Suppressed or no longer active: skipped. */
  suppressed: number;
  /** Who will be mailed. */
  toSend: number;
  account: AccountStatus | null;
  /** Left of the 24-hour quota now, when the account could be read. */
  quotaLeft: number | null;
  /** The sender's identity as SES reports it: verified, unverified, or null when SES could not say. */
  senderVerified: boolean | null;
  /** Variables the content uses without a fallback: recipients lacking them fail. */
  variablesWithoutFallback: string[];
  keys: "saved" | "session" | "none";
  problems: string[];
  warnings: string[];
}

function senderAddress(from: string): string {
  return parseSender(from)?.address ?? normalizeEmail(from);
}

/**
 * What a launch would do, for the review step and the launch itself: who is mailed and who is not,
 * whether the 24-hour quota covers it, and whether SES lets this sender send. `problems` stop a
 * launch; `warnings` are for the person to weigh.
 */
export async function reviewCampaign(deps: Deps, auth: Auth, id: string): Promise<Review> {
  const scope: Scope = { userId: auth.user.id, workspaceId: auth.workspace.id, role: auth.workspaceRole };
  const row = await requireCampaign(deps, scope, id);
  const audience =
    row.kind === "send" && row.listIds.length === 0
      ? await givenAudience(deps, row)
      : await audienceOf(deps.db, scope.workspaceId, row.listIds);
  const problems: string[] = [];
  const warnings: string[] = [];
  const toSend = Math.max(0, audience.distinct - audience.suppressed);
  if (row.kind === "campaign" && row.listIds.length === 0) problems.push("Choose at least one list to send to.");
  else if (toSend === 0) problems.push("No one would be mailed: every address is suppressed, or the lists are empty.");
  if (!row.subject.trim() || !(row.html ?? "").trim()) problems.push("The campaign has no subject or no body: choose a template or write the message.");
  problems.push(...(await attachmentProblems(deps, auth, row)));

  const active = await activeKeys(deps, auth);
  let account: AccountStatus | null = null;
  let senderVerified: boolean | null = null;
  if (!active) {
    problems.push("Connect AWS keys first (Settings → AWS): Sesame sends with them.");
  } else {
    try {
      account = await getAccount(deps.config, active.keys);
    } catch (err) {
      if (!(err instanceof AwsFailure)) throw err;
      problems.push(err.message);
    }
    senderVerified = await senderIsVerified(deps, active.keys, senderAddress(row.fromAddress));
    if (senderVerified === false) {
      problems.push(`${senderAddress(row.fromAddress)} is not a verified identity in SES (neither the address nor its domain). Verify it in Settings → AWS, or send from a verified one.`);
    }
    if (!active.saved) warnings.push("This workspace has no saved AWS keys: the campaign sends with the keys of your current session and pauses if you log out before it ends.");
  }
  const quotaLeft = account ? (account.max24HourSend < 0 ? Number.POSITIVE_INFINITY : Math.max(0, account.max24HourSend - account.sentLast24Hours)) : null;
  if (account && !account.sendingEnabled) problems.push("Sending is paused for this AWS account. A workspace admin can resume it under Settings → AWS → Account.");
  if (account && !account.productionAccess) {
    warnings.push("This AWS account is in the SES sandbox: it can only mail verified addresses, and SES rejects the rest (they will show as failed). Request production access to mail anyone.");
  }
  if (quotaLeft !== null && Number.isFinite(quotaLeft) && toSend > quotaLeft) {
    warnings.push(`The 24-hour quota has ${quotaLeft.toLocaleString("en")} sends left and this campaign has ${toSend.toLocaleString("en")} recipients: it sends ${quotaLeft.toLocaleString("en")} now and waits for the quota to allow the rest.`);
  }
  return {
    distinct: audience.distinct,
    duplicates: Math.max(0, audience.memberships - audience.distinct),
    suppressed: audience.suppressed,
    toSend,
    account,
    quotaLeft: quotaLeft === Number.POSITIVE_INFINITY ? null : quotaLeft,
    senderVerified,
    variablesWithoutFallback: variablesWithoutFallback(row.subject, row.html, row.text),
    keys: !active ? "none" : active.saved ? "saved" : "session",
    problems,
    warnings,
  };
}

async function givenAudience(deps: Deps, row: Row) {
  const byStatus = await countByStatus(deps.db, row.id);
  const total = Object.values(byStatus).reduce((a, b) => a + (b ?? 0), 0);
  return { memberships: total, distinct: total, suppressed: byStatus.suppressed ?? 0 };
}

/**
 * Whether SES lets the workspace send as `address`: its own identity or its domain's verified.
 * Null when SES could not say (no permission to list identities, or none listed at all).
 */
async function senderIsVerified(deps: Deps, keys: Parameters<typeof listIdentities>[1], address: string): Promise<boolean | null> {
  let identities;
  try {
    identities = await listIdentities(deps.config, keys);
  } catch (err) {
    if (err instanceof AwsFailure) return null;
    throw err;
  }
  if (identities.length === 0) return null;
  const domain = address.slice(address.lastIndexOf("@") + 1);
  const match = identities.filter((i) => i.name.toLowerCase() === address || i.name.toLowerCase() === domain);
  return match.some((i) => i.verificationStatus === "SUCCESS");
}

/**
 * Launches a draft now, or schedules it when it has a time in the future. Refused with the reasons
 * when the review finds a problem. Returns the review's warnings.
 */
export async function launchCampaign(deps: Deps, auth: Auth, id: string): Promise<{ campaign: CampaignView; warnings: string[] }> {
  const scope: Scope = { userId: auth.user.id, workspaceId: auth.workspace.id, role: auth.workspaceRole };
  const row = await requireCampaign(deps, scope, id);
  if (row.status !== "draft") throw new WrongState(row.status === "scheduled" ? "The campaign is already scheduled." : "The campaign has already been launched.");
  if (row.templateId) {
    const template = await findTemplate(deps.db, scope.workspaceId, row.templateId);
    if (template) await updateCampaignRow(deps.db, scope.workspaceId, id, ["draft"], { subject: template.subject, html: template.html, text: template.text });
  }
  const review = await reviewCampaign(deps, auth, id);
  if (review.problems.length) throw new Invalid(review.problems.join(" "), "cannot_launch");
  // The caller's daily mail limit (per key or per role, set by the instance admin) is spent at launch.
  await chargeMails(deps, auth, review.toSend);
  const now = deps.clock.now();
  const events = await findWorkspaceEvents(deps.db, scope.workspaceId);
  const common = { configurationSet: events?.configurationSet ?? null, sessionId: review.keys === "session" ? auth.session.id : null, updatedAt: now, pauseReason: null };
  const later = row.scheduledAt && row.scheduledAt.getTime() > now.getTime() + 1_000;
  const moved = later
    ? await moveCampaign(deps.db, scope.workspaceId, id, ["draft"], "scheduled", common)
    : await moveCampaign(deps.db, scope.workspaceId, id, ["draft"], "running", { ...common, launchedAt: now });
  if (!moved) throw new WrongState("The campaign was launched in the meantime.");
  await deps.jobs.enqueue("campaigns", { workspaceId: scope.workspaceId, id }, later ? { delayMs: row.scheduledAt!.getTime() - now.getTime() } : {});
  deps.log.info(later ? "campaign scheduled" : "campaign launched", { workspaceId: scope.workspaceId, campaignId: id, recipients: review.toSend });
  return { campaign: view((await findCampaign(deps.db, scope.workspaceId, id))!), warnings: review.warnings };
}

export async function pauseCampaign(deps: Deps, scope: Scope, id: string): Promise<CampaignView> {
  await requireCampaign(deps, scope, id);
  const now = deps.clock.now();
  if (!(await moveCampaign(deps.db, scope.workspaceId, id, ["running"], "paused", { pauseReason: "Paused by a person in this workspace.", holdUntil: null, updatedAt: now }))) {
    throw new WrongState("Only a running campaign can be paused.");
  }
  deps.log.info("campaign paused", { workspaceId: scope.workspaceId, campaignId: id, why: "person" });
  return view((await findCampaign(deps.db, scope.workspaceId, id))!);
}

export async function resumeCampaign(deps: Deps, scope: Scope, id: string): Promise<CampaignView> {
  const current = await requireCampaign(deps, scope, id);
  const now = deps.clock.now();
  // Resuming what the reputation guard paused is the person's decision to go on: the guard stays out of it from now on.
  const pastGuard = current.pauseReason?.startsWith(GUARD_PAUSE_PREFIX) ? { guardOffAt: now } : {};
  if (!(await moveCampaign(deps.db, scope.workspaceId, id, ["paused"], "running", { pauseReason: null, holdUntil: null, updatedAt: now, ...pastGuard }))) {
    throw new WrongState("Only a paused campaign can be resumed.");
  }
  await deps.jobs.enqueue("campaigns", { workspaceId: scope.workspaceId, id });
  deps.log.info("campaign resumed", { workspaceId: scope.workspaceId, campaignId: id });
  return view((await findCampaign(deps.db, scope.workspaceId, id))!);
}

export async function cancelCampaign(deps: Deps, scope: Scope, id: string): Promise<CampaignView> {
  await requireCampaign(deps, scope, id);
  const now = deps.clock.now();
  if (!(await moveCampaign(deps.db, scope.workspaceId, id, ["draft", "scheduled", "running", "paused"], "cancelled", { finishedAt: now, updatedAt: now }))) {
    throw new WrongState("A campaign that has finished cannot be cancelled.");
  }
  const cancelled = await cancelQueued(deps.db, id);
  deps.log.info("campaign cancelled", { workspaceId: scope.workspaceId, campaignId: id, cancelled });
  return view((await findCampaign(deps.db, scope.workspaceId, id))!);
}

/** The user decided: recipients whose outcome is unknown are queued again (they may get the mail twice). */
export async function resendUnknown(deps: Deps, scope: Scope, id: string): Promise<{ queued: number }> {
  const row = await requireCampaign(deps, scope, id);
  if (!["running", "paused", "sent"].includes(row.status)) throw new WrongState("Only a launched campaign has recipients to resend.");
  const queued = await requeueUnknown(deps.db, scope.workspaceId, id);
  if (queued > 0 && row.status === "sent") {
    await moveCampaign(deps.db, scope.workspaceId, id, ["sent"], "running", { finishedAt: null, updatedAt: deps.clock.now() });
  }
  if (queued > 0) await deps.jobs.enqueue("campaigns", { workspaceId: scope.workspaceId, id });
  deps.log.info("unknown recipients queued again", { workspaceId: scope.workspaceId, campaignId: id, queued });
  return { queued };
}

export interface SendInput {
  from: string;
  to?: string | (string | Record<string, unknown>)[];
  subject?: string;
  html?: string;
  text?: string | null;
  templateId?: string;
  variables?: Record<string, string>;
  listId?: string;
  scheduledAt?: string | number | null;
  replyTo?: string | null;
  tracking?: boolean;
  name?: string;
  /** Files already in the workspace's bucket, by key. */
  attachments?: { key: string }[];
}

export const SEND_MAX_ADDRESSES = 10_000;

/** The addresses of POST /email/send, each with its variables over the shared ones; a repeated address is kept once. */
function destinations(raw: SendInput["to"], shared: Record<string, string>): NewRecipient[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > SEND_MAX_ADDRESSES) throw new Invalid(`Send to at most ${SEND_MAX_ADDRESSES.toLocaleString("en")} addresses per request, or put them in a list.`, "too_many_recipients", "to");
  const seen = new Map<string, NewRecipient>();
  list.forEach((item, i) => {
    const entry = typeof item === "string" ? { email: item } : item && typeof item === "object" ? item : null;
    const email = typeof entry?.email === "string" ? normalizeEmail(entry.email) : "";
    if (!isEmail(email)) throw new Invalid(`Recipient ${i + 1} has no valid email address.`, "invalid_to", "to");
    const variables: Record<string, string> = { ...shared };
    for (const [k, v] of Object.entries(entry ?? {})) {
      if (k === "email") continue;
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") variables[k.toLowerCase()] = String(v);
    }
    if (!seen.has(email)) seen.set(email, { email, variables, contactId: null });
  });
  return [...seen.values()];
}

/**
 * POST /email/send: one mail, many, or a list, as a campaign of the workspace launched at once (or at
 * `scheduledAt`). Returns the campaign and how many recipients are queued.
 */
export async function sendEmail(deps: Deps, auth: Auth, input: SendInput): Promise<{ campaignId: string; queued: number; warnings: string[] }> {
  const scope: Scope = { userId: auth.user.id, workspaceId: auth.workspace.id, role: auth.workspaceRole };
  const shared: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.variables ?? {})) if (typeof v === "string") shared[k.toLowerCase()] = v;
  const to = destinations(input.to, shared);
  if (to.length === 0 && !input.listId) throw new Invalid("Say who to send to: `to` (addresses) or `listId`.", "invalid_to", "to");
  if (to.length > 0 && input.listId) throw new Invalid("Send to addresses or to a list, not both at once.", "invalid_to", "to");
  const attachments = input.attachments?.length ? await resolveAttachments(deps, auth, input.attachments) : [];
  const name = input.name?.trim() || (to.length === 1 ? `Email to ${to[0]!.email}` : to.length ? `Email to ${to.length} addresses` : "Email to a list");
  const campaign = await createCampaign(deps, scope, {
    name: name.slice(0, NAME_MAX),
    from: input.from,
    replyTo: input.replyTo,
    templateId: input.templateId,
    subject: input.subject,
    html: input.html,
    text: input.text,
    listIds: input.listId ? [input.listId] : [],
    scheduledAt: input.scheduledAt,
    tracking: input.tracking,
    attachments,
  });
  if (input.listId && Object.keys(shared).length) {
    await deleteCampaignRow(deps.db, scope.workspaceId, campaign.id, ["draft"]);
    throw new Invalid("Shared `variables` go with `to`; a list's contacts bring their own.", "invalid_variables", "variables");
  }
  await updateCampaignRow(deps.db, scope.workspaceId, campaign.id, ["draft"], { kind: "send", ...(to.length ? { expandedAt: deps.clock.now() } : {}) });
  if (to.length) {
    const suppressed = new Set((await findSuppressed(deps.db, scope.workspaceId, to.map((t) => t.email))).map((s) => s.email));
    await insertRecipients(deps.db, { workspaceId: scope.workspaceId, id: campaign.id }, to, suppressed);
  }
  try {
    const { warnings } = await launchCampaign(deps, auth, campaign.id);
    const review = await reviewCounts(deps, scope, campaign.id, to.length > 0);
    return { campaignId: campaign.id, queued: review, warnings };
  } catch (err) {
    // Nothing was sent: the half-made campaign goes, so a failed call leaves no trace to clean up.
    await deleteCampaignRow(deps.db, scope.workspaceId, campaign.id, ["draft"]);
    throw err;
  }
}

async function reviewCounts(deps: Deps, scope: Scope, id: string, given: boolean): Promise<number> {
  if (given) return (await countByStatus(deps.db, id)).queued ?? 0;
  const row = await requireCampaign(deps, scope, id);
  const audience = await audienceOf(deps.db, scope.workspaceId, row.listIds);
  return Math.max(0, audience.distinct - audience.suppressed);
}

