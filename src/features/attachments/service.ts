import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AwsKeys } from "../../aws/client";
import { AwsFailure } from "../../aws/errors";
import type { OutgoingAttachment } from "../../aws/ses";
import { getObjectBytes, headBucket, headObject, listObjects, putObject, type Bucket, type S3Object } from "../../aws/s3";
import type { Deps } from "../../deps";
import { AppError, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { Auth } from "../auth/model";
import { moveCampaign } from "../campaigns/queries";
import { activeKeys, requireKeys, requireWorkspaceAdmin, withAws } from "../credentials/service";
import { saveUpload } from "../imports/upload";
import {
  ATTACHMENT_MAX,
  ATTACHMENTS_MAX,
  blockedExtension,
  blockedSentence,
  contentTypeOf,
  filenameOf,
  messageSize,
  SES_MESSAGE_MAX,
  sizeInWords,
  tooLargeSentence,
  UPLOAD_PREFIX,
  type Attachment,
} from "./model";
import { findCampaignAttachments, findWorkspaceBucket, replaceCampaignAttachments, setWorkspaceBucket } from "./queries";

/** Lower-case letters, digits, dots and hyphens, 3 to 63 long, starting and ending with a letter or digit: S3's naming rules. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface BucketSetting {
  bucket: string | null;
  /** The region saved with the bucket; null means the keys' own region. */
  region: string | null;
}

export async function bucketSetting(deps: Deps, auth: Auth): Promise<BucketSetting> {
  return findWorkspaceBucket(deps.db, auth.workspace.id);
}

/**
 * Names the workspace's bucket (owners and admins): nothing is kept until S3 itself has answered
 * HeadBucket for it with the workspace's keys, in its region.
 */
export async function saveBucket(deps: Deps, auth: Auth, input: { bucket: string; region?: string | null }): Promise<BucketSetting> {
  requireWorkspaceAdmin(auth, "choose the workspace's S3 bucket");
  const name = input.bucket.trim().replace(/^s3:\/\//, "").replace(/\/+$/, "");
  if (!BUCKET_NAME.test(name) || name.includes("..")) {
    throw new Invalid("Enter the bucket's name as S3 shows it: 3 to 63 lower-case letters, digits, dots or hyphens, such as acme-newsletter-files.", "invalid_bucket", "bucket");
  }
  const region = (input.region ?? "").trim() || null;
  if (region !== null && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Invalid("Enter the bucket's region as AWS writes it, such as eu-west-1, or leave it empty.", "invalid_region", "region");
  const { keys } = await requireKeys(deps, auth);
  const bucket: Bucket = { name, region: region ?? keys.region };
  await withAws(deps, auth, () => headBucket(deps.config, keys, bucket));
  await setWorkspaceBucket(deps.db, auth.workspace.id, name, region && region !== keys.region ? region : null);
  return findWorkspaceBucket(deps.db, auth.workspace.id);
}

export async function clearBucket(deps: Deps, auth: Auth): Promise<void> {
  requireWorkspaceAdmin(auth, "change the workspace's S3 bucket");
  await setWorkspaceBucket(deps.db, auth.workspace.id, null, null);
}

/** The keys in use and the workspace's bucket, or a sentence saying what to set up first. */
async function bucketOf(deps: Deps, auth: Auth): Promise<{ keys: AwsKeys; bucket: Bucket }> {
  const { keys } = await requireKeys(deps, auth);
  const setting = await findWorkspaceBucket(deps.db, auth.workspace.id);
  if (!setting.bucket) {
    throw new Invalid("This workspace has no S3 bucket for attachments yet. A workspace admin names it under Settings → AWS.", "no_bucket");
  }
  return { keys, bucket: { name: setting.bucket, region: setting.region ?? keys.region } };
}

export async function listBucketObjects(deps: Deps, auth: Auth, options: { prefix?: string; token?: string }): Promise<{ bucket: string; prefix: string; items: S3Object[]; nextToken: string | null }> {
  const { keys, bucket } = await bucketOf(deps, auth);
  const prefix = (options.prefix ?? "").slice(0, 1024);
  const page = await withAws(deps, auth, () => listObjects(deps.config, keys, bucket, { prefix, continuationToken: options.token || undefined, max: 100 }));
  return { bucket: bucket.name, prefix, ...page };
}

function checkFile(filename: string, size: number) {
  const ext = blockedExtension(filename);
  if (ext) throw new Invalid(blockedSentence(filename, ext), "blocked_file_type", "file");
  if (size > ATTACHMENT_MAX) {
    throw new Invalid(`${filename} is ${sizeInWords(size)}; SES sends at most 40 MB per message, which leaves room for files up to ${sizeInWords(ATTACHMENT_MAX)}.`, "attachment_too_large", "file");
  }
}

function checkKey(raw: unknown): string {
  const key = typeof raw === "string" ? raw : "";
  if (!key || key.length > 1024 || /[\u0000-\u001f\u007f]/.test(key) || key.endsWith("/")) {
    throw new Invalid("Choose a file in the bucket by its key, such as reports/2026/summary.pdf.", "invalid_key", "key");
  }
  return key;
}

/**
 * Streams an upload (multipart, field `file`) into the workspace's bucket under
 * sesame/attachments/<id>/<filename>. The file passes through a private temporary file, since S3
 * needs its length before the first byte, and is checked (type, size) before anything reaches S3.
 */
export async function uploadAttachment(deps: Deps, auth: Auth, request: Request): Promise<Attachment> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("multipart/form-data")) throw new Invalid('Send the file as multipart/form-data in the field "file", or JSON {"key": …} to pick one already in the bucket.', "no_file", "file");
  const { keys, bucket } = await bucketOf(deps, auth);
  const dir = join(deps.config.dataDir, "uploads");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${newId("att")}.part`);
  try {
    let saved;
    try {
      saved = await saveUpload(request, path, ATTACHMENT_MAX);
    } catch (err) {
      if (err instanceof AppError && err.code === "no_file") throw new Invalid('Attach the file in the form field named "file".', "no_file", "file");
      if (err instanceof AppError && err.status === 413) throw new Invalid(`The file is larger than SES can send: attachments can be up to ${sizeInWords(ATTACHMENT_MAX)}.`, "attachment_too_large", "file");
      throw err;
    }
    const filename = filenameOf(saved.fileName ?? "");
    checkFile(filename, saved.size);
    if (saved.size === 0) throw new Invalid(`${filename} is empty. Choose the file again.`, "empty_file", "file");
    const key = `${UPLOAD_PREFIX}${newId("att").slice(4)}/${filename}`;
    const contentType = contentTypeOf(filename, saved.fields.contentType);
    await withAws(deps, auth, () => putObject(deps.config, keys, bucket, key, createReadStream(path), saved.size, contentType));
    return { bucket: bucket.name, key, filename, contentType, size: saved.size };
  } finally {
    await rm(path, { force: true }).catch(() => {});
  }
}

/** An object already in the bucket, as an attachment: it must exist, be a type SES sends and fit in a message. */
export async function pickAttachment(deps: Deps, auth: Auth, rawKey: unknown): Promise<Attachment> {
  const key = checkKey(rawKey);
  const { keys, bucket } = await bucketOf(deps, auth);
  const filename = filenameOf(key);
  const ext = blockedExtension(filename);
  if (ext) throw new Invalid(blockedSentence(filename, ext), "blocked_file_type", "key");
  const head = await withAws(deps, auth, () => headObject(deps.config, keys, bucket, key));
  if (!head) throw new Invalid(`There is no file ${key} in the bucket ${bucket.name}. Check the name, or upload it.`, "no_such_key", "key");
  checkFile(filename, head.size);
  return { bucket: bucket.name, key, filename, contentType: contentTypeOf(filename, head.contentType), size: head.size };
}

/**
 * Attachments named by key (POST /email/send, the forms): those the campaign already has keep what
 * is known of them; the others are looked up in the bucket. The whole set must fit in one message.
 */
export async function resolveAttachments(deps: Deps, auth: Auth, requested: { key: string }[], existing: Attachment[] = []): Promise<Attachment[]> {
  if (requested.length > ATTACHMENTS_MAX) throw new Invalid(`Attach at most ${ATTACHMENTS_MAX} files to one email.`, "too_many_attachments", "attachments");
  const out: Attachment[] = [];
  for (const { key } of requested) {
    if (out.some((a) => a.key === key)) continue;
    const known = existing.find((a) => a.key === key);
    out.push(known ?? (await pickAttachment(deps, auth, key)));
  }
  return out;
}

/** Checks a set of attachments against SES's message limit with this body. */
export function checkMessageSize(body: { subject: string; html: string | null; text: string | null }, attachments: Attachment[]) {
  const total = messageSize(body, attachments);
  if (total > SES_MESSAGE_MAX) throw new Invalid(tooLargeSentence(total), "message_too_large", "attachments");
}

const EDITABLE = ["draft", "scheduled"];

async function changeCampaignAttachments(deps: Deps, auth: Auth, id: string, change: (current: Attachment[]) => Attachment[]): Promise<Attachment[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await findCampaignAttachments(deps.db, auth.workspace.id, id);
    if (!row) throw new NotFound("There is no such campaign in this workspace.", "campaign_not_found");
    if (!EDITABLE.includes(row.status)) throw new AppError("Attachments change only while the campaign is a draft or scheduled.", "wrong_state", 409);
    const next = change(row.attachments);
    checkMessageSize(row, next);
    if (await replaceCampaignAttachments(deps.db, auth.workspace.id, id, EDITABLE, row.updatedAt, next, deps.clock.now())) return next;
  }
  throw new AppError("The campaign kept changing while the attachment was saved. Try again.", "conflict", 409);
}

/** Adds one attachment to a draft or scheduled campaign. */
export async function addCampaignAttachment(deps: Deps, auth: Auth, id: string, attachment: Attachment): Promise<Attachment> {
  await changeCampaignAttachments(deps, auth, id, (current) => {
    if (current.some((a) => a.bucket === attachment.bucket && a.key === attachment.key)) throw new Invalid(`${attachment.filename} is already attached.`, "already_attached", "key");
    if (current.length >= ATTACHMENTS_MAX) throw new Invalid(`Attach at most ${ATTACHMENTS_MAX} files to one email.`, "too_many_attachments", "file");
    return [...current, attachment];
  });
  return attachment;
}

/** Removes the attachment at `index` (its place in the campaign's list); the file stays in the bucket. */
export async function removeCampaignAttachment(deps: Deps, auth: Auth, id: string, index: number): Promise<Attachment[]> {
  return changeCampaignAttachments(deps, auth, id, (current) => {
    if (!Number.isInteger(index) || index < 0 || index >= current.length) throw new NotFound("The campaign has no such attachment.", "attachment_not_found");
    return current.filter((_, i) => i !== index);
  });
}

export async function campaignAttachments(deps: Deps, auth: Auth, id: string): Promise<Attachment[]> {
  const row = await findCampaignAttachments(deps.db, auth.workspace.id, id);
  if (!row) throw new NotFound("There is no such campaign in this workspace.", "campaign_not_found");
  return row.attachments;
}

/**
 * What stops a campaign with these attachments from launching, as sentences: a type SES refuses, a
 * message over 40 MB, a file no longer in the bucket. Read at the review and at the launch.
 */
export async function attachmentProblems(deps: Deps, auth: Auth, row: { subject: string; html: string | null; text: string | null; attachments: Attachment[] }): Promise<string[]> {
  if (row.attachments.length === 0) return [];
  const problems: string[] = [];
  for (const a of row.attachments) {
    const ext = blockedExtension(a.filename);
    if (ext) problems.push(blockedSentence(a.filename, ext));
  }
  const total = messageSize(row, row.attachments);
  if (total > SES_MESSAGE_MAX) problems.push(tooLargeSentence(total));
  const active = await activeKeys(deps, auth);
  if (!active) return problems;
  const setting = await findWorkspaceBucket(deps.db, auth.workspace.id);
  for (const a of row.attachments) {
    const bucket: Bucket = { name: a.bucket, region: (a.bucket === setting.bucket ? setting.region : null) ?? active.keys.region };
    try {
      const head = await headObject(deps.config, active.keys, bucket, a.key);
      if (!head) problems.push(`The attachment ${a.filename} is no longer in the bucket ${a.bucket} (${a.key}). Remove it and attach the file again.`);
      else if (head.size !== a.size && messageSize(row, row.attachments.map((x) => (x === a ? { size: head.size } : x))) > SES_MESSAGE_MAX) {
        problems.push(tooLargeSentence(messageSize(row, row.attachments.map((x) => (x === a ? { size: head.size } : x)))));
      }
    } catch (err) {
      if (!(err instanceof AwsFailure)) throw err;
      deps.log.warn("AWS call failed", { workspaceId: auth.workspace.id, action: err.action, code: err.code, detail: err.detail });
      problems.push(`The attachment ${a.filename} could not be checked: ${err.message}`);
    }
  }
  return problems;
}

/** An attachment's bytes for SES, shared with the sending thread without a copy per mail. */
export type MailAttachment = OutgoingAttachment;

/** Campaign runs keep their files here while they send, so each file is read from S3 once per run, not per mail. */
const loaded = new Map<string, { at: number; files: Promise<MailAttachment[]> }>();
/** A run's files are read again after this long (a restart, a resume) rather than kept forever. */
const KEEP_MS = 10 * 60_000;

/**
 * The campaign's attachments, read from S3 once per run for every send loop of the campaign in this
 * process (bounded by the 40 MB checked at launch). A file gone from the bucket, or one that grew past
 * the limit, pauses the campaign with a sentence instead of mailing without it.
 */
export async function attachmentsForSending(
  deps: Deps,
  campaign: { workspaceId: string; id: string; attachments: Attachment[] },
  keys: AwsKeys,
): Promise<MailAttachment[]> {
  if (campaign.attachments.length === 0) return [];
  const now = Date.now();
  for (const [id, entry] of loaded) if (now - entry.at > KEEP_MS) loaded.delete(id);
  const cacheKey = `${campaign.id}:${JSON.stringify(campaign.attachments.map((a) => [a.bucket, a.key]))}`;
  let entry = loaded.get(cacheKey);
  if (!entry) {
    entry = { at: now, files: readAll(deps, campaign, keys) };
    loaded.set(cacheKey, entry);
    entry.files.catch(() => loaded.delete(cacheKey));
  }
  try {
    return await entry.files;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (await moveCampaign(deps.db, campaign.workspaceId, campaign.id, ["running"], "paused", { pauseReason: err.message, updatedAt: deps.clock.now() })) {
      deps.log.warn("campaign paused", { workspaceId: campaign.workspaceId, campaignId: campaign.id, why: "attachment", code: err.code });
    }
    throw err;
  }
}

async function readAll(deps: Deps, campaign: { workspaceId: string; attachments: Attachment[] }, keys: AwsKeys): Promise<MailAttachment[]> {
  const setting = await findWorkspaceBucket(deps.db, campaign.workspaceId);
  const files: MailAttachment[] = [];
  let room = SES_MESSAGE_MAX;
  for (const a of campaign.attachments) {
    const bucket: Bucket = { name: a.bucket, region: (a.bucket === setting.bucket ? setting.region : null) ?? keys.region };
    const bytes = await getObjectBytes(deps.config, keys, bucket, a.key, Math.floor((room * 3) / 4));
    if (!bytes) throw new Invalid(`The attachment ${a.filename} is no longer in the bucket ${a.bucket} (${a.key}). Upload it again and resume, or cancel the campaign.`, "attachment_missing");
    room -= Math.ceil(bytes.byteLength / 3) * 4;
    // Shared memory: the mail is posted to the sending thread once per recipient, and a shared buffer crosses without a copy.
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
    shared.set(bytes);
    files.push({ filename: a.filename, contentType: a.contentType, content: shared });
  }
  return files;
}
