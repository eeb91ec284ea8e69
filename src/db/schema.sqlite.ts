import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * The whole product's data model for SQLite/libSQL. schema.postgres.ts mirrors it table for table and
 * column for column (tests/db/schema-parity.test.ts fails when they drift).
 * Times are epoch milliseconds in both dialects so SQL bucketing (analytics) reads the same.
 */

const ms = (name: string) => integer(name, { mode: "timestamp_ms" });
const bool = (name: string) => integer(name, { mode: "boolean" });
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash").notNull(),
  role: text("role").$type<"admin" | "user">().notNull(),
  /** IANA zone name (Europe/Paris), taken from the browser on first login; schedules are entered and shown in it. */
  timeZone: text("time_zone"),
  disabled: bool("disabled").notNull().default(false),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  configurationSet: text("configuration_set"),
  eventTopicArn: text("event_topic_arn"),
  eventSubscriptionArn: text("event_subscription_arn"),
  eventSubscriptionStatus: text("event_subscription_status"),
  /** Which way the workspace keeps SES's account-level suppression list and its own in step. */
  sesSuppressionSync: text("ses_suppression_sync").$type<"off" | "pull" | "push" | "both">().notNull().default("off"),
  /** When the last sync with SES's suppression list ran, and the newest SES entry already pulled. */
  sesSuppressionSyncedAt: ms("ses_suppression_synced_at"),
  sesSuppressionPulledThrough: ms("ses_suppression_pulled_through"),
  /**
   * Which SES list the two marks above (and suppressions.ses_pushed_at) describe: the region and a
   * fingerprint of the keys. SES keeps one list per account and region, so other keys start afresh.
   */
  sesSuppressionTarget: text("ses_suppression_target"),
  /** The workspace's own S3 bucket for attachments (read and written with its AWS keys), and its region when not the SES region. */
  s3Bucket: text("s3_bucket"),
  s3Region: text("s3_region"),
  createdAt: ms("created_at").notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<"owner" | "admin" | "member">().notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the random session token; the token itself only ever lives in the signed cookie. */
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    createdAt: ms("created_at").notNull(),
    lastSeenAt: ms("last_seen_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    revokedAt: ms("revoked_at"),
    /** Session-only AWS keys, sealed with the credential vault (never plaintext). */
    awsCredentials: text("aws_credentials"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const authFailures = sqliteTable(
  "auth_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** What the attempt counts against: "acct:<email>", "acct-ip:<email>|<address>", "ip:<address>" or "signup:<address>". */
    key: text("key").notNull(),
    at: ms("at").notNull(),
  },
  (t) => [index("auth_failures_key_at_idx").on(t.key, t.at)],
);

export const awsCredentials = sqliteTable("aws_credentials", {
  workspaceId: text("workspace_id").primaryKey().references(() => workspaces.id, { onDelete: "cascade" }),
  accessKeyIdMasked: text("access_key_id_masked").notNull(),
  region: text("region").notNull(),
  /** base64(nonce ‖ AES-256-GCM ciphertext ‖ tag) with the workspace id as associated data. */
  sealed: text("sealed").notNull(),
  keyId: text("key_id").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    // No foreign keys on contacts and list_contacts: checking them per row costs about 45% of a
    // PostgreSQL import. Tenancy is enforced by every query; deletes clean up explicitly.
    workspaceId: text("workspace_id").notNull(),
    /** Lower-cased: an address belongs to a workspace once, whatever its case. */
    email: text("email").notNull(),
    attributes: json<Record<string, string>>("attributes").notNull().default(sql`'{}'`),
    status: text("status").$type<"active" | "unsubscribed" | "bounced" | "complained">().notNull().default("active"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [uniqueIndex("contacts_workspace_email_idx").on(t.workspaceId, t.email)],
);

export const lists = sqliteTable(
  "lists",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Members of the list, kept in the same transaction as every change of membership (pages never count a big list). */
    contactCount: integer("contact_count").notNull().default(0),
    /** The attribute columns the list's imports brought, with the header each had in its CSV. */
    columns: json<{ key: string; label: string }[]>("columns").notNull().default(sql`'[]'`),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [index("lists_workspace_idx").on(t.workspaceId)],
);

export const listContacts = sqliteTable(
  "list_contacts",
  {
    listId: text("list_id").notNull(),
    contactId: integer("contact_id").notNull(),
    workspaceId: text("workspace_id").notNull(),
    createdAt: ms("created_at").notNull(),
    /** The row of the CSV it came from (0 when added by hand): with created_at, the order the list was filled in. */
    position: integer("position").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.listId, t.contactId] }),
    index("list_contacts_contact_idx").on(t.contactId),
    index("list_contacts_added_idx").on(t.listId, t.createdAt, t.position),
  ],
);

export const imports = sqliteTable(
  "imports",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    listId: text("list_id").notNull().references(() => lists.id, { onDelete: "cascade" }),
    status: text("status").$type<"uploaded" | "running" | "done" | "failed" | "cancelled">().notNull(),
    fileName: text("file_name"),
    filePath: text("file_path"),
    fileSize: integer("file_size").notNull().default(0),
    /** How the file reads: encoding, delimiter, header cells. */
    format: json<{ encoding: string; delimiter: string; columns: string[] }>("format"),
    /** Column index of the address, and the attribute key each other kept column becomes. */
    mapping: json<{ email: number; attributes: { index: number; key: string }[] }>("mapping"),
    onConflict: text("on_conflict").$type<"update" | "keep">().notNull().default("update"),
    /** Data rows committed so far: the cursor a restarted import resumes after. */
    total: integer("total").notNull().default(0),
    bytesRead: integer("bytes_read").notNull().default(0),
    imported: integer("imported").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    invalid: integer("invalid").notNull().default(0),
    suppressed: integer("suppressed").notNull().default(0),
    /** The first invalid rows (the full list is in the errors file). */
    errors: json<{ row: number; reason: string }[]>("errors").notNull().default(sql`'[]'`),
    failure: text("failure"),
    createdBy: text("created_by"),
    createdAt: ms("created_at").notNull(),
    startedAt: ms("started_at"),
    finishedAt: ms("finished_at"),
    /** Which run of the import job holds it, and until when: a run that stops renewing loses it. */
    runner: text("runner"),
    leaseUntil: ms("lease_until"),
  },
  (t) => [
    index("imports_workspace_idx").on(t.workspaceId),
    // At most one import runs into a list at a time; a second start fails on this index.
    uniqueIndex("imports_one_running_per_list_idx").on(t.listId).where(sql`status = 'running'`),
  ],
);

export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text"),
    variables: json<string[]>("variables").notNull().default(sql`'[]'`),
    /** The SES stored template this one was last published as, and when. */
    sesTemplateName: text("ses_template_name"),
    sesPublishedAt: ms("ses_published_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("templates_workspace_idx").on(t.workspaceId)],
);

export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    status: text("status").notNull(),
    fromAddress: text("from_address").notNull(),
    subject: text("subject").notNull(),
    html: text("html"),
    text: text("text"),
    templateId: text("template_id"),
    listIds: json<string[]>("list_ids").notNull().default(sql`'[]'`),
    configurationSet: text("configuration_set"),
    replyTo: text("reply_to"),
    /** Open pixel and click links on or off for this campaign. */
    tracking: bool("tracking").notNull().default(true),
    /** "campaign" from the campaign pages, "send" from POST /email/send (single, bulk and API sends). */
    kind: text("kind").$type<"campaign" | "send">().notNull().default("campaign"),
    /** Why a campaign is paused or waiting, in words for its page (quota, account paused, the user). */
    pauseReason: text("pause_reason"),
    /** Set when a person resumed a campaign the reputation guard paused: the guard leaves it alone after that. */
    guardOffAt: ms("guard_off_at"),
    /** While the 24-hour quota is used up: when sending is tried again. */
    holdUntil: ms("hold_until"),
    /** The session whose session-only AWS keys send this campaign when the workspace has no saved keys. */
    sessionId: text("session_id"),
    /** Addresses that were in more than one of the campaign's lists (or given twice), counted once. */
    duplicates: integer("duplicates").notNull().default(0),
    /** Set when every recipient row exists; until then a restart resumes the expansion at the cursor. */
    expandedAt: ms("expanded_at"),
    /** Expansion cursor: the last contact id copied into recipients, so a restart resumes there. */
    expandedThrough: integer("expanded_through").notNull().default(0),
    scheduledAt: ms("scheduled_at"),
    launchedAt: ms("launched_at"),
    finishedAt: ms("finished_at"),
    /** Files from the workspace's S3 bucket sent with every mail of the campaign. */
    attachments: json<{ bucket: string; key: string; filename: string; contentType: string; size: number }[]>("attachments").notNull().default(sql`'[]'`),
    createdBy: text("created_by"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("campaigns_workspace_idx").on(t.workspaceId, t.createdAt)],
);

export const recipients = sqliteTable(
  "recipients",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: text("workspace_id").notNull(),
    campaignId: text("campaign_id").notNull().references(() => campaigns.id, { onDelete: "cascade" }),
    contactId: integer("contact_id"),
    email: text("email").notNull(),
    variables: json<Record<string, string>>("variables"),
    status: text("status").notNull(),
    messageId: text("message_id"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: ms("claimed_at"),
    /** The runner (one per process) that claimed the row: a dead runner's claims become "unknown". */
    claimedBy: text("claimed_by"),
    sentAt: ms("sent_at"),
    openedAt: ms("opened_at"),
    clickedAt: ms("clicked_at"),
    unsubscribedAt: ms("unsubscribed_at"),
    /** When each fact about the mail was first learnt (SES events, tracking hits): counters move once per fact, whatever order events arrive in. */
    deliveredAt: ms("delivered_at"),
    bouncedAt: ms("bounced_at"),
    complainedAt: ms("complained_at"),
    humanOpenedAt: ms("human_opened_at"),
    humanClickedAt: ms("human_clicked_at"),
  },
  (t) => [
    uniqueIndex("recipients_campaign_email_idx").on(t.campaignId, t.email),
    index("recipients_campaign_status_idx").on(t.campaignId, t.status, t.id),
    index("recipients_message_idx").on(t.messageId),
  ],
);

export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: text("workspace_id").notNull(),
    type: text("type").notNull(),
    /** SNS MessageId or tracking hit id: unique per workspace, so a redelivery changes nothing. */
    sourceId: text("source_id").notNull(),
    campaignId: text("campaign_id"),
    recipientId: integer("recipient_id"),
    email: text("email"),
    at: ms("at").notNull(),
    detail: json<Record<string, unknown>>("detail"),
    /** Opens and clicks: "human" or "machine" (privacy proxies, scanners, HEAD requests, instant or burst hits). */
    class: text("class"),
  },
  (t) => [
    uniqueIndex("events_workspace_source_idx").on(t.workspaceId, t.sourceId),
    index("events_workspace_at_idx").on(t.workspaceId, t.at),
    index("events_campaign_idx").on(t.campaignId, t.type),
    index("events_workspace_email_idx").on(t.workspaceId, t.email, t.at),
    index("events_recipient_idx").on(t.recipientId, t.type),
    index("events_workspace_type_idx").on(t.workspaceId, t.type, t.at),
    // The campaign report's top links: grouped from this index alone (clicks only), never from the rows.
    index("events_click_links_idx")
      .on(t.workspaceId, t.campaignId, sql`(${t.detail} ->> 'url')`, t.class, t.recipientId)
      .where(sql`${t.type} = 'click'`),
  ],
);

export const suppressions = sqliteTable(
  "suppressions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    reason: text("reason").$type<"hard_bounce" | "soft_bounce" | "complaint" | "unsubscribe" | "manual">().notNull(),
    source: text("source"),
    /** The event that caused it (a bounce, a complaint, an unsubscribe), when there is one. */
    eventId: integer("event_id"),
    /** When this address was put on SES's account-level suppression list (pushed, or pulled from there). */
    sesPushedAt: ms("ses_pushed_at"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("suppressions_workspace_email_idx").on(t.workspaceId, t.email)],
);

export const campaignStats = sqliteTable(
  "campaign_stats",
  {
    workspaceId: text("workspace_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    /** Start of the hour, epoch ms. */
    hour: integer("hour").notNull(),
    sent: integer("sent").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    delivered: integer("delivered").notNull().default(0),
    bounced: integer("bounced").notNull().default(0),
    complained: integer("complained").notNull().default(0),
    opened: integer("opened").notNull().default(0),
    clicked: integer("clicked").notNull().default(0),
    uniqueOpens: integer("unique_opens").notNull().default(0),
    uniqueClicks: integer("unique_clicks").notNull().default(0),
    /** Recipients with at least one open (click) classified human. */
    humanOpens: integer("human_opens").notNull().default(0),
    humanClicks: integer("human_clicks").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    delayed: integer("delayed").notNull().default(0),
    /** Unknown outcomes an SES event showed to have been sent. */
    settled: integer("settled").notNull().default(0),
    unsubscribed: integer("unsubscribed").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.hour] }), index("campaign_stats_workspace_idx").on(t.workspaceId, t.hour)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope").$type<"send" | "full">().notNull(),
    /** SHA-256 of the key; the key is shown once and never stored. */
    keyHash: text("key_hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    createdBy: text("created_by"),
    createdAt: ms("created_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    /** The workspace role the key acts with for limits and powers (its creator's, owner counted as admin). */
    role: text("role").$type<"admin" | "member">().notNull().default("member"),
    /** Limits the instance admin set for this one key; null takes the role's. */
    requestsPerMinute: integer("requests_per_minute"),
    mailsPerDay: integer("mails_per_day"),
    revokedAt: ms("revoked_at"),
  },
  (t) => [index("api_keys_workspace_idx").on(t.workspaceId)],
);

export const invites = sqliteTable("invites", {
  id: text("id").primaryKey(),
  workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
  role: text("role").$type<"admin" | "member">().notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  createdBy: text("created_by"),
  createdAt: ms("created_at").notNull(),
  expiresAt: ms("expires_at").notNull(),
  usedAt: ms("used_at"),
  /** Who it was sent to, when it was sent by mail; who accepted it. */
  email: text("email"),
  usedBy: text("used_by"),
  revokedAt: ms("revoked_at"),
});

/** Single-use password reset links (the token lives only in the link; its SHA-256 is kept). */
export const passwordResets = sqliteTable("password_resets", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull().unique(),
  /** The admin who made the link, or null when the person asked for it by mail. */
  createdBy: text("created_by"),
  createdAt: ms("created_at").notNull(),
  expiresAt: ms("expires_at").notNull(),
  usedAt: ms("used_at"),
});

/** Instance-wide settings the instance admin changes from the admin pages: key → JSON value. */
export const instanceSettings = sqliteTable("instance_settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** Fixed-window counters for API limits (requests per minute, mails per day), shared by every instance. */
export const rateCounters = sqliteTable(
  "rate_counters",
  {
    /** What is counted: "req:key:<id>", "mail:user:<workspace>:<user>", … */
    key: text("key").notNull(),
    /** Start of the window, epoch ms. */
    windowStart: ms("window_start").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** Who did what, when and from where. The app only ever inserts here (database triggers refuse changes). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    /** Null for instance-level entries (a failed sign-in for an unknown address, instance settings). */
    workspaceId: text("workspace_id"),
    actorType: text("actor_type").$type<"user" | "api_key" | "anonymous" | "system">().notNull(),
    actorId: text("actor_id"),
    /** The actor as people read it (an email address, "API key Deploy"), kept even if the actor is deleted. */
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    targetLabel: text("target_label"),
    detail: json<Record<string, unknown>>("detail"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    at: ms("at").notNull(),
  },
  (t) => [index("audit_log_workspace_at_idx").on(t.workspaceId, t.at), index("audit_log_at_idx").on(t.at)],
);

/** One row per instance-wide probe: /healthz and start-up write here to learn whether the database accepts writes. */
export const instanceHealth = sqliteTable("instance_health", {
  id: text("id").primaryKey(),
  checkedAt: ms("checked_at").notNull(),
});

/**
 * The SES pace of a workspace, shared by its campaigns and by every instance: sends are given time
 * slots 1/rate apart (so no one-second window holds more than the rate), and the 24-hour quota is
 * counted down from the last GetAccount.
 */
export const sendPacing = sqliteTable("send_pacing", {
  workspaceId: text("workspace_id").primaryKey(),
  /** MaxSendRate from GetAccount. */
  maxRate: real("max_rate").notNull(),
  /** The rate in use: halved on throttling, restored slowly on success. */
  rate: real("rate").notNull(),
  /** The earliest time the next send may start. */
  nextSlotAt: integer("next_slot_at").notNull().default(0),
  max24HourSend: real("max_24_hour_send").notNull(),
  /** SentLast24Hours at `checkedAt`, plus what Sesame sent since. */
  sentLast24Hours: real("sent_last_24_hours").notNull(),
  checkedAt: ms("checked_at").notNull(),
});

/** One row per running process that sends: a runner whose heartbeat stops has its claims settled as "unknown". */
export const runners = sqliteTable("runners", {
  id: text("id").primaryKey(),
  startedAt: ms("started_at").notNull(),
  heartbeatAt: ms("heartbeat_at").notNull(),
});

/**
 * SES's sending identities as last read, per workspace and region: the sender picks and the campaign
 * checks read them without an SES call, and the background refresh re-reads pending ones until verified.
 */
export const sesIdentities = sqliteTable(
  "ses_identities",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    region: text("region").notNull(),
    name: text("name").notNull(),
    type: text("type").$type<"EMAIL_ADDRESS" | "DOMAIN" | "MANAGED_DOMAIN">().notNull(),
    verificationStatus: text("verification_status").notNull(),
    dkimStatus: text("dkim_status"),
    dkimTokens: json<string[]>("dkim_tokens"),
    mailFromDomain: text("mail_from_domain"),
    mailFromStatus: text("mail_from_status"),
    sendingEnabled: bool("sending_enabled").notNull().default(false),
    checkedAt: ms("checked_at").notNull(),
    /** When the background refresh reads it next (null once verified and signed). */
    nextCheckAt: ms("next_check_at"),
    verifiedAt: ms("verified_at"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.region, t.name] }), index("ses_identities_next_check_idx").on(t.nextCheckAt)],
);

/** GetAccount as read over time, per workspace and region: the account's standing history and quota use. */
export const awsAccountSamples = sqliteTable(
  "aws_account_samples",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    region: text("region").notNull(),
    at: ms("at").notNull(),
    sendingEnabled: bool("sending_enabled").notNull(),
    productionAccess: bool("production_access").notNull(),
    enforcementStatus: text("enforcement_status").notNull(),
    /** The production-access request's review status (ReviewDetails.Status), when there is one. */
    reviewStatus: text("review_status"),
    maxSendRate: real("max_send_rate").notNull(),
    max24HourSend: real("max_24_hour_send").notNull(),
    sentLast24Hours: real("sent_last_24_hours").notNull(),
    vdmEnabled: bool("vdm_enabled"),
  },
  (t) => [index("aws_account_samples_workspace_idx").on(t.workspaceId, t.region, t.at)],
);
