import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/** PostgreSQL mirror of schema.sqlite.ts: same tables, same columns, same meaning. */

/** Epoch milliseconds stored as bigint, read as Date, exactly like SQLite's timestamp_ms columns. */
const msTimestamp = customType<{ data: Date; driverData: string | number }>({
  dataType: () => "bigint",
  toDriver: (value) => value.getTime(),
  fromDriver: (value) => new Date(Number(value)),
});
const ms = (name: string) => msTimestamp(name);
const id = (name: string) => bigint(name, { mode: "number" });
const json = <T>(name: string) => jsonb(name).$type<T>();

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  passwordHash: text("password_hash").notNull(),
  role: text("role").$type<"admin" | "user">().notNull(),
  timeZone: text("time_zone"),
  disabled: boolean("disabled").notNull().default(false),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const workspaces = pgTable("workspaces", {
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

export const memberships = pgTable(
  "memberships",
  {
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<"owner" | "admin" | "member">().notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    createdAt: ms("created_at").notNull(),
    lastSeenAt: ms("last_seen_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    revokedAt: ms("revoked_at"),
    awsCredentials: text("aws_credentials"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

export const authFailures = pgTable(
  "auth_failures",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    key: text("key").notNull(),
    at: ms("at").notNull(),
  },
  (t) => [index("auth_failures_key_at_idx").on(t.key, t.at)],
);

export const awsCredentials = pgTable("aws_credentials", {
  workspaceId: text("workspace_id").primaryKey().references(() => workspaces.id, { onDelete: "cascade" }),
  accessKeyIdMasked: text("access_key_id_masked").notNull(),
  region: text("region").notNull(),
  sealed: text("sealed").notNull(),
  keyId: text("key_id").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const contacts = pgTable(
  "contacts",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    // No foreign keys on contacts and list_contacts: checking them per row costs about 45% of a
    // PostgreSQL import. Tenancy is enforced by every query; deletes clean up explicitly.
    workspaceId: text("workspace_id").notNull(),
    email: text("email").notNull(),
    attributes: json<Record<string, string>>("attributes").notNull().default(sql`'{}'::jsonb`),
    status: text("status").$type<"active" | "unsubscribed" | "bounced" | "complained">().notNull().default("active"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  // text_pattern_ops: the same unique index also serves "address starts with" searches, whatever the database's collation.
  (t) => [uniqueIndex("contacts_workspace_email_idx").on(t.workspaceId, t.email.op("text_pattern_ops"))],
);

export const lists = pgTable(
  "lists",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Members of the list, kept in the same transaction as every change of membership (pages never count a big list). */
    contactCount: integer("contact_count").notNull().default(0),
    /** The attribute columns the list's imports brought, with the header each had in its CSV. */
    columns: json<{ key: string; label: string }[]>("columns").notNull().default(sql`'[]'::jsonb`),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [index("lists_workspace_idx").on(t.workspaceId)],
);

export const listContacts = pgTable(
  "list_contacts",
  {
    listId: text("list_id").notNull(),
    contactId: id("contact_id").notNull(),
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

export const imports = pgTable(
  "imports",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    listId: text("list_id").notNull().references(() => lists.id, { onDelete: "cascade" }),
    status: text("status").$type<"uploaded" | "running" | "done" | "failed" | "cancelled">().notNull(),
    fileName: text("file_name"),
    filePath: text("file_path"),
    fileSize: id("file_size").notNull().default(0),
    format: json<{ encoding: string; delimiter: string; columns: string[] }>("format"),
    mapping: json<{ email: number; attributes: { index: number; key: string }[] }>("mapping"),
    onConflict: text("on_conflict").$type<"update" | "keep">().notNull().default("update"),
    total: integer("total").notNull().default(0),
    bytesRead: id("bytes_read").notNull().default(0),
    imported: integer("imported").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    invalid: integer("invalid").notNull().default(0),
    suppressed: integer("suppressed").notNull().default(0),
    errors: json<{ row: number; reason: string }[]>("errors").notNull().default(sql`'[]'::jsonb`),
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
    uniqueIndex("imports_one_running_per_list_idx").on(t.listId).where(sql`status = 'running'`),
  ],
);

export const templates = pgTable(
  "templates",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    subject: text("subject").notNull(),
    html: text("html").notNull(),
    text: text("text"),
    variables: json<string[]>("variables").notNull().default(sql`'[]'::jsonb`),
    /** The SES stored template this one was last published as, and when. */
    sesTemplateName: text("ses_template_name"),
    sesPublishedAt: ms("ses_published_at"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("templates_workspace_idx").on(t.workspaceId)],
);

export const campaigns = pgTable(
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
    listIds: json<string[]>("list_ids").notNull().default(sql`'[]'::jsonb`),
    configurationSet: text("configuration_set"),
    replyTo: text("reply_to"),
    tracking: boolean("tracking").notNull().default(true),
    kind: text("kind").$type<"campaign" | "send">().notNull().default("campaign"),
    pauseReason: text("pause_reason"),
    /** Set when a person resumed a campaign the reputation guard paused: the guard leaves it alone after that. */
    guardOffAt: ms("guard_off_at"),
    holdUntil: ms("hold_until"),
    sessionId: text("session_id"),
    duplicates: integer("duplicates").notNull().default(0),
    expandedAt: ms("expanded_at"),
    expandedThrough: id("expanded_through").notNull().default(0),
    scheduledAt: ms("scheduled_at"),
    launchedAt: ms("launched_at"),
    finishedAt: ms("finished_at"),
    /** Files from the workspace's S3 bucket sent with every mail of the campaign. */
    attachments: json<{ bucket: string; key: string; filename: string; contentType: string; size: number }[]>("attachments").notNull().default(sql`'[]'::jsonb`),
    createdBy: text("created_by"),
    createdAt: ms("created_at").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [index("campaigns_workspace_idx").on(t.workspaceId, t.createdAt)],
);

export const recipients = pgTable(
  "recipients",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    campaignId: text("campaign_id").notNull().references(() => campaigns.id, { onDelete: "cascade" }),
    contactId: id("contact_id"),
    email: text("email").notNull(),
    variables: json<Record<string, string>>("variables"),
    status: text("status").notNull(),
    messageId: text("message_id"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    claimedAt: ms("claimed_at"),
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

export const events = pgTable(
  "events",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    workspaceId: text("workspace_id").notNull(),
    type: text("type").notNull(),
    sourceId: text("source_id").notNull(),
    campaignId: text("campaign_id"),
    recipientId: id("recipient_id"),
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

export const suppressions = pgTable(
  "suppressions",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    reason: text("reason").$type<"hard_bounce" | "soft_bounce" | "complaint" | "unsubscribe" | "manual">().notNull(),
    source: text("source"),
    /** The event that caused it (a bounce, a complaint, an unsubscribe), when there is one. */
    eventId: id("event_id"),
    /** When this address was put on SES's account-level suppression list (pushed, or pulled from there). */
    sesPushedAt: ms("ses_pushed_at"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("suppressions_workspace_email_idx").on(t.workspaceId, t.email)],
);

export const campaignStats = pgTable(
  "campaign_stats",
  {
    workspaceId: text("workspace_id").notNull(),
    campaignId: text("campaign_id").notNull(),
    hour: id("hour").notNull(),
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

export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope").$type<"send" | "full">().notNull(),
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

export const invites = pgTable("invites", {
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
export const passwordResets = pgTable("password_resets", {
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
export const instanceSettings = pgTable("instance_settings", {
  key: text("key").primaryKey(),
  value: json<unknown>("value").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** Fixed-window counters for API limits (requests per minute, mails per day), shared by every instance. */
export const rateCounters = pgTable(
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
export const auditLog = pgTable(
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
export const instanceHealth = pgTable("instance_health", {
  id: text("id").primaryKey(),
  checkedAt: ms("checked_at").notNull(),
});

export const sendPacing = pgTable("send_pacing", {
  workspaceId: text("workspace_id").primaryKey(),
  maxRate: doublePrecision("max_rate").notNull(),
  rate: doublePrecision("rate").notNull(),
  nextSlotAt: id("next_slot_at").notNull().default(0),
  max24HourSend: doublePrecision("max_24_hour_send").notNull(),
  sentLast24Hours: doublePrecision("sent_last_24_hours").notNull(),
  checkedAt: ms("checked_at").notNull(),
});

export const runners = pgTable("runners", {
  id: text("id").primaryKey(),
  startedAt: ms("started_at").notNull(),
  heartbeatAt: ms("heartbeat_at").notNull(),
});

/**
 * SES's sending identities as last read, per workspace and region: the sender picks and the campaign
 * checks read them without an SES call, and the background refresh re-reads pending ones until verified.
 */
export const sesIdentities = pgTable(
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
    sendingEnabled: boolean("sending_enabled").notNull().default(false),
    checkedAt: ms("checked_at").notNull(),
    /** When the background refresh reads it next (null once verified and signed). */
    nextCheckAt: ms("next_check_at"),
    verifiedAt: ms("verified_at"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.region, t.name] }), index("ses_identities_next_check_idx").on(t.nextCheckAt)],
);

/** GetAccount as read over time, per workspace and region: the account's standing history and quota use. */
export const awsAccountSamples = pgTable(
  "aws_account_samples",
  {
    id: id("id").primaryKey().generatedByDefaultAsIdentity(),
    workspaceId: text("workspace_id").notNull().references(() => workspaces.id, { onDelete: "cascade" }),
    region: text("region").notNull(),
    at: ms("at").notNull(),
    sendingEnabled: boolean("sending_enabled").notNull(),
    productionAccess: boolean("production_access").notNull(),
    enforcementStatus: text("enforcement_status").notNull(),
    /** The production-access request's review status (ReviewDetails.Status), when there is one. */
    reviewStatus: text("review_status"),
    maxSendRate: doublePrecision("max_send_rate").notNull(),
    max24HourSend: doublePrecision("max_24_hour_send").notNull(),
    sentLast24Hours: doublePrecision("sent_last_24_hours").notNull(),
    vdmEnabled: boolean("vdm_enabled"),
  },
  (t) => [index("aws_account_samples_workspace_idx").on(t.workspaceId, t.region, t.at)],
);
