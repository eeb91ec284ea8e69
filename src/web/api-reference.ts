import { t, type TSchema } from "elysia";
import { apiDoc } from "./openapi";

/**
 * What each JSON route answers, with an example, for the API reference (/docs). Each route declares
 * its own request schemas (`body`, `query`, `params`) and takes its `detail` from here:
 * `{ body: …, detail: listsDocs.create }`. The shapes are documentation, never validation of the
 * answer (see src/web/openapi.ts); tests/docs/openapi.test.ts calls every route and checks its real
 * answer against them, and each example against its schema.
 */

const id = (prefix: string) => t.String({ description: `An id such as \`${prefix}_Ab12Cd34Ef56Gh78\`.` });
const date = t.String({ format: "date-time" });
const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);
/** A whole number (Elysia's own integer type also accepts digit strings, which an answer never holds). */
const int = (options: { minimum?: number; description?: string } = {}) => t.Number({ ...options, multipleOf: 1 });
const count = int({ minimum: 0 });
const items = <T extends TSchema>(item: T) => t.Object({ items: t.Array(item) });
const page = <T extends TSchema>(item: T) => t.Object({ items: t.Array(item), total: count });
const when = "2026-06-01T10:00:00.000Z";
const csv = (description: string, example: string) => ({ description, contentType: "text/csv", schema: t.String(), example });
const gone = (description: string) => ({ description });

// ——— Accounts ———

const user = t.Object({ id: id("usr"), email: t.String(), role: t.Union([t.Literal("admin"), t.Literal("user")], { description: "The role on this Sesame instance." }) });
const workspace = t.Object({ id: id("wsp"), name: t.String() });
const session = t.Object({ user, workspace });
const userExample = { id: "usr_f0HudA2GRNQ0uRQp", email: "olive@example.com", role: "admin" };
const workspaceExample = { id: "wsp_kt5a_OPBXUDhxUd2", name: "Olive's workspace" };

export const authDocs = {
  signup: apiDoc({
    tag: "Accounts",
    summary: "Create an account",
    description: "The first account on an instance becomes its administrator; each account gets a workspace of its own. Sets the session cookie.",
    auth: "public",
    requestExample: { email: "olive@example.com", password: "correct horse battery", name: "Olive" },
    responses: {
      201: { description: "The account and its workspace; the session cookie is set.", schema: session, example: { user: userExample, workspace: workspaceExample } },
      409: { description: "An account with this address exists.", example: { error: "There is already an account with this email.", code: "email_taken", field: "email" } },
      429: { description: "Too many accounts from one address in an hour.", example: { error: "Too many accounts were created from this address; try again in an hour.", code: "too_many_signups" } },
    },
  }),
  login: apiDoc({
    tag: "Accounts",
    summary: "Log in",
    description: "Starts a fresh session and sets its cookie. A wrong address and a wrong password get the same 401; repeated failures are slowed down with 429.",
    auth: "public",
    requestExample: { email: "olive@example.com", password: "correct horse battery" },
    responses: {
      200: { description: "The session cookie is set.", schema: session, example: { user: userExample, workspace: workspaceExample } },
      401: { description: "Wrong address or password.", example: { error: "Wrong email or password.", code: "invalid_credentials" } },
      429: { description: "Too many failed attempts: wait `Retry-After` seconds.", example: { error: "Too many attempts. Try again in 8 seconds.", code: "too_many_attempts" } },
    },
  }),
  logout: apiDoc({
    tag: "Accounts",
    summary: "Log out",
    description: "Revokes the session on the server: the old cookie no longer works.",
    auth: "public",
    responses: { 204: gone("Logged out.") },
  }),
  me: apiDoc({
    tag: "Accounts",
    summary: "Who is calling",
    responses: {
      200: {
        description: "The caller and the workspace the request acts in.",
        schema: t.Object({ user: t.Object({ ...user.properties, name: t.String(), timeZone: nullable(t.String()) }), workspace }),
        example: { user: { ...userExample, name: "Olive", timeZone: "Europe/Paris" }, workspace: workspaceExample },
      },
    },
  }),
  timeZone: apiDoc({
    tag: "Accounts",
    summary: "Set the caller's time zone",
    description: "An IANA zone name. Schedules and dates are entered and shown in it; `ifNone` sets it only when none is chosen yet.",
    requestExample: { timeZone: "Europe/Paris" },
    responses: { 204: gone("Saved.") },
  }),
  updateProfile: apiDoc({
    tag: "Accounts",
    summary: "Change the caller's name or time zone",
    description: "Either field may be left out. The time zone is an IANA name such as Europe/Paris.",
    requestExample: { name: "Olive Martin", timeZone: "Europe/Paris" },
    responses: {
      200: {
        description: "The account as saved.",
        schema: t.Object({ user: t.Object({ ...user.properties, name: t.String(), timeZone: nullable(t.String()) }) }),
        example: { user: { ...userExample, name: "Olive Martin", timeZone: "Europe/Paris" } },
      },
      422: { description: "A name that is too long, or a time zone that does not exist.", example: { error: "Choose a time zone from the list, such as Europe/Paris.", code: "invalid_time_zone", field: "timeZone" } },
    },
  }),
  changePassword: apiDoc({
    tag: "Accounts",
    summary: "Change the caller's password",
    description: "Needs the current password. Every other session of the account ends; the one that asked stays logged in. Wrong current passwords are slowed down as logins are.",
    requestExample: { currentPassword: "correct horse battery", newPassword: "correct horse battery staple" },
    responses: {
      204: gone("Changed."),
      422: { description: "The current password is wrong, or the new one is too short or too long.", example: { error: "That is not your current password.", code: "wrong_password", field: "currentPassword" } },
      429: { description: "Too many wrong passwords: wait `Retry-After` seconds.", example: { error: "Too many failed attempts. Try again in 8 seconds.", code: "too_many_attempts" } },
    },
  }),
  forgot: apiDoc({
    tag: "Accounts",
    summary: "Ask for a password reset link",
    description:
      "The answer is the same whether or not an account uses the address. When the instance has system mail, a single-use link valid for an hour is mailed (`delivery: mail`); otherwise only an administrator can make one (`delivery: admin`).",
    auth: "public",
    requestExample: { email: "olive@example.com" },
    responses: {
      202: {
        description: "How a link reaches people on this instance, in a sentence to show.",
        schema: t.Object({ delivery: t.Union([t.Literal("mail"), t.Literal("admin")]), message: t.String() }),
        example: { delivery: "mail", message: "If an account uses that address, a link to choose a new password is on its way. It works once, within the next hour. Check your spam folder if it does not arrive." },
      },
      429: { description: "Too many requests from one address: wait `Retry-After` seconds.", example: { error: "Too many reset requests from your address. Try again in 40 minutes.", code: "too_many_resets" } },
    },
  }),
  reset: apiDoc({
    tag: "Accounts",
    summary: "Choose a new password with a reset link",
    description: "`token` is the last part of the link (`/reset/<token>`). The link works once; every session of the account ends, and the person logs in with the new password.",
    auth: "public",
    requestExample: { token: "umfxCSHRTLq0x3b0QyqzXg2t1Yv3r8Wm9c4nJd6kPaE", password: "a new long passphrase" },
    responses: {
      204: gone("Changed; log in with the new password."),
      422: { description: "The link is used, expired or unknown, or the password is too short or too long.", example: { error: "This reset link has expired (they work for an hour). Ask for a new one.", code: "reset_link_expired", field: "token" } },
    },
  }),
};

const workspaceRole = t.Union([t.Literal("owner"), t.Literal("admin"), t.Literal("member")], { description: "The caller's role in that workspace." });
const workspaceChoice = t.Object({ ...workspace.properties, role: workspaceRole });

export const workspaceDocs = {
  get: apiDoc({ tag: "Workspace", summary: "The workspace", responses: { 200: { description: "Its id and name.", schema: workspace, example: workspaceExample } } }),
  mine: apiDoc({
    tag: "Workspace",
    summary: "The caller's workspaces",
    description: "Every workspace the caller belongs to, with their role there; `current` marks the one this session acts in.",
    responses: {
      200: {
        description: "Oldest first.",
        schema: items(t.Object({ ...workspaceChoice.properties, current: t.Boolean() })),
        example: { items: [{ ...workspaceExample, role: "owner", current: true }, { id: "wsp_Q2x9LmN4pR7sT1vW", name: "Acme", role: "member", current: false }] },
      },
    },
  }),
  create: apiDoc({
    tag: "Workspace",
    summary: "Create a workspace",
    description: "The caller owns it. The session stays in its current workspace: switch with POST /workspace/switch.",
    requestExample: { name: "Side project" },
    responses: {
      201: { description: "The new workspace.", schema: workspaceChoice, example: { id: "wsp_3bHk8QwZ0yLmP5nR", name: "Side project", role: "owner" } },
      422: { description: "An empty or too long name.", example: { error: "Give the workspace a name: recipients see it when they unsubscribe.", code: "invalid_name", field: "name" } },
    },
  }),
  switch: apiDoc({
    tag: "Workspace",
    summary: "Move the session to another of the caller's workspaces",
    description: "Everything the session does next acts in that workspace. An API key belongs to its workspace for good (403).",
    requestExample: { workspaceId: "wsp_3bHk8QwZ0yLmP5nR" },
    responses: {
      200: { description: "The workspace the session is in now.", schema: t.Object({ workspace: workspaceChoice }), example: { workspace: { id: "wsp_3bHk8QwZ0yLmP5nR", name: "Side project", role: "owner" } } },
      404: { description: "The caller does not belong to that workspace (whether or not it exists).", example: { error: "You do not belong to that workspace.", code: "workspace_not_found" } },
    },
  }),
  rename: apiDoc({
    tag: "Workspace",
    summary: "Rename the workspace",
    description: "Recipients see this name on the unsubscribe page. Workspace admins only.",
    requestExample: { name: "Olive's shop" },
    responses: { 200: { description: "The workspace as saved.", schema: workspace, example: { ...workspaceExample, name: "Olive's shop" } } },
  }),
};

const signupMode = t.Union([t.Literal("open"), t.Literal("invite"), t.Literal("closed")]);
const systemMail = t.Object({ workspaceId: id("wsp"), from: t.String(), workspaceName: t.String() });
const systemMailExample = { workspaceId: workspaceExample.id, from: "no-reply@example.com", workspaceName: workspaceExample.name };
const limit = t.Object({ requestsPerMinute: nullable(int({ minimum: 1 })), mailsPerDay: nullable(int({ minimum: 1 })) });
const roleLimits = t.Object({ roles: t.Object({ owner: limit, admin: limit, member: limit }) });
const roleLimitsExample = { roles: { owner: { requestsPerMinute: 1200, mailsPerDay: null }, admin: { requestsPerMinute: 1200, mailsPerDay: null }, member: { requestsPerMinute: 600, mailsPerDay: 10000 } } };
const adminUser = t.Object({ id: id("usr"), email: t.String(), role: user.properties.role, disabled: t.Boolean(), createdAt: date });
const adminUserExample = { id: "usr_KM4tkjwhlBUWZbr-", email: "sam@example.com", role: "user", disabled: false, createdAt: when };

export const adminDocs = {
  users: apiDoc({
    tag: "Admin",
    summary: "Every user of the instance",
    description: "Instance administrators only; others get 403.",
    responses: { 200: { description: "All users, oldest first.", schema: items(t.Object({ ...adminUser.properties, name: t.String() })), example: { items: [{ ...adminUserExample, name: "Sam" }] } } },
  }),
  change: apiDoc({
    tag: "Admin",
    summary: "Change a user's role, or disable them",
    description: "Disabling ends the user's sessions at once. The last administrator cannot be demoted or disabled.",
    requestExample: { disabled: true },
    responses: {
      200: { description: "The user as saved.", schema: adminUser, example: { ...adminUserExample, disabled: true } },
      409: { description: "That would leave the instance without an administrator.", example: { error: "The last administrator cannot be demoted or disabled.", code: "last_admin" } },
    },
  }),
  resetLink: apiDoc({
    tag: "Admin",
    summary: "Make a password reset link for a user",
    description: "A single-use link, valid for an hour, to hand to the person (it is shown this once, and answered with `Cache-Control: no-store`). Any earlier link of theirs keeps working until used or expired.",
    responses: {
      201: {
        description: "The link.",
        schema: t.Object({ url: t.String(), expiresAt: date }),
        example: { url: "https://sesame.example.com/reset/umfxCSHRTLq0x3b0QyqzXg2t1Yv3r8Wm9c4nJd6kPaE", expiresAt: "2026-06-01T11:00:00.000Z" },
      },
      409: { description: "The account is disabled: enable it first.", example: { error: "This account is disabled: enable it first, or the new password will not let them in.", code: "user_disabled" } },
    },
  }),
  workspaces: apiDoc({
    tag: "Admin",
    summary: "Sending per workspace",
    description: "Every workspace of the instance with its member count, mails sent today and this month (UTC), its last SES quota reading and its bounce and complaint rates over 30 days; from counters only, never a list or a recipient.",
    responses: {
      200: {
        description: "Every workspace.",
        schema: items(
          t.Object({
            ...workspace.properties,
            members: count,
            sentToday: count,
            sentThisMonth: count,
            quota: nullable(t.Object({ max24HourSend: t.Number(), sentLast24Hours: t.Number(), region: t.String(), measuredAt: date })),
            bounceRate: nullable(t.Number({ description: "Bounced out of delivered or bounced; null before there is any." })),
            complaintRate: nullable(t.Number({ description: "Complaints out of delivered; null before there is any." })),
          }),
        ),
        example: {
          items: [
            { ...workspaceExample, members: 3, sentToday: 1200, sentThisMonth: 18400, quota: { max24HourSend: 50000, sentLast24Hours: 12500, region: "us-east-1", measuredAt: when }, bounceRate: 0.008, complaintRate: 0.0002 },
          ],
        },
      },
    },
  }),
  settings: apiDoc({
    tag: "Admin",
    summary: "Sign-up mode and system mail",
    description: "`signup`: open (anyone), invite (with an invite link only) or closed. `systemMail`: the workspace and verified sender that password reset links are mailed through, or null.",
    responses: {
      200: {
        description: "The instance's settings.",
        schema: t.Object({ signup: signupMode, systemMail: nullable(systemMail) }),
        example: { signup: "open", systemMail: systemMailExample },
      },
    },
  }),
  signup: apiDoc({
    tag: "Admin",
    summary: "Choose who may sign up",
    requestExample: { mode: "invite" },
    responses: {
      200: { description: "The mode as saved.", schema: t.Object({ mode: signupMode }), example: { mode: "invite" } },
      422: { description: "Not one of open, invite or closed.", example: { error: "Choose open, invite or closed.", code: "invalid_signup_mode", field: "mode" } },
    },
  }),
  systemMail: apiDoc({
    tag: "Admin",
    summary: "Set the system mail sender",
    description: "Password reset links are then mailed through SES with that workspace's saved keys, from `from`: an address SES verified there, or one at a verified domain.",
    requestExample: { workspaceId: workspaceExample.id, from: "no-reply@example.com" },
    responses: {
      200: { description: "The setting as saved.", schema: systemMail, example: systemMailExample },
      422: { description: "The workspace has no saved keys, or the sender is not verified there.", example: { error: "no-reply@example.com is not verified in SES for Olive's workspace (us-east-1): verify the address or its domain on that workspace's Identities page first.", code: "system_mail_unverified", field: "from" } },
    },
  }),
  clearSystemMail: apiDoc({ tag: "Admin", summary: "Turn system mail off", description: "Reset links then come only from an administrator.", responses: { 204: gone("Turned off.") } }),
  testSystemMail: apiDoc({
    tag: "Admin",
    summary: "Send a test mail through system mail",
    description: "To the caller's own address. `not_configured`: no setting, or its workspace has no saved keys any more; `failed`: SES did not take it (the server log says why).",
    responses: { 200: { description: "What happened.", schema: t.Object({ outcome: t.Union([t.Literal("sent"), t.Literal("not_configured"), t.Literal("failed")]) }), example: { outcome: "sent" } } },
  }),
  limits: apiDoc({
    tag: "Admin",
    summary: "API limits per workspace role",
    description: "Requests per minute and mails per day for the callers of each role (an API key acts with its role); null is no limit.",
    responses: { 200: { description: "The limits.", schema: roleLimits, example: roleLimitsExample } },
  }),
  setLimits: apiDoc({
    tag: "Admin",
    summary: "Set the API limits per workspace role",
    description: "Every role's two limits: a whole number from 1, or null for no limit. They apply from the next request.",
    requestExample: roleLimitsExample,
    responses: {
      200: { description: "The limits as saved.", schema: roleLimits, example: roleLimitsExample },
      422: { description: "A limit that is not a whole number from 1 (or null); `field` names it.", example: { error: "Requests per minute is a whole number from 1, or empty for no limit.", code: "invalid_limit", field: "member.requestsPerMinute" } },
    },
  }),
  keyLimits: apiDoc({
    tag: "Admin",
    summary: "Set one API key's own limits",
    description: "Any key of the instance. A null limit follows the key's role.",
    requestExample: { requestsPerMinute: 120, mailsPerDay: 5000 },
    responses: {
      200: { description: "The key's limits as saved.", schema: t.Object({ id: id("key"), ...limit.properties }), example: { id: "key_Xy12Ab34Cd56Ef78", requestsPerMinute: 120, mailsPerDay: 5000 } },
      404: { description: "No API key has that id.", example: { error: "There is no API key with that id.", code: "api_key_not_found" } },
      422: { description: "A limit that is not a whole number from 1 (or null).", example: { error: "Mails per day is a whole number from 1, or empty for no limit.", code: "invalid_limit", field: "key.mailsPerDay" } },
    },
  }),
};

// ——— AWS connection and events ———

const accountDetails = t.Object({
  mailType: nullable(t.String()),
  websiteUrl: nullable(t.String()),
  contactLanguage: nullable(t.String()),
  useCaseDescription: nullable(t.String()),
  additionalContactEmails: t.Array(t.String()),
  reviewStatus: nullable(t.String({ description: "PENDING, GRANTED, DENIED or FAILED: SES's review of the production-access request." })),
  reviewCaseId: nullable(t.String()),
});
const account = t.Object({
  sendingEnabled: t.Boolean(),
  productionAccess: t.Boolean({ description: "False while the account is in the SES sandbox." }),
  enforcementStatus: nullable(t.String()),
  maxSendRate: t.Number({ description: "Mails per second (SES's MaxSendRate)." }),
  max24HourSend: t.Number(),
  sentLast24Hours: t.Number(),
  suppressedReasons: t.Array(t.String()),
  vdmEnabled: t.Boolean(),
  details: nullable(accountDetails),
});
const accountExample = {
  sendingEnabled: true,
  productionAccess: true,
  enforcementStatus: "HEALTHY",
  maxSendRate: 14,
  max24HourSend: 50000,
  sentLast24Hours: 12500,
  suppressedReasons: ["BOUNCE", "COMPLAINT"],
  vdmEnabled: false,
  details: {
    mailType: "MARKETING",
    websiteUrl: "https://example.com",
    contactLanguage: "EN",
    useCaseDescription: "A monthly newsletter to customers who opted in at checkout.",
    additionalContactEmails: [],
    reviewStatus: "GRANTED",
    reviewCaseId: "case-1",
  },
};
const connection = t.Object({
  connected: t.Literal(true),
  region: t.String(),
  accessKeyId: t.String({ description: "Masked: the first and last four characters." }),
  saved: t.Boolean({ description: "True: stored encrypted in the database; false: kept only in this session." }),
  account,
});
const connectionExample = { connected: true, region: "us-east-1", accessKeyId: "AKIA…WXYZ", saved: true, account: accountExample };
const events = t.Object({
  configurationSet: nullable(t.String()),
  topicArn: nullable(t.String()),
  subscription: t.Object({ state: t.String({ description: "none, pending or confirmed." }), endpoint: t.String(), problem: nullable(t.String()) }),
});
const eventsExample = {
  configurationSet: "sesame-wsp_kt5a_OPBXUDhxUd2",
  topicArn: "arn:aws:sns:us-east-1:123456789012:sesame-events-wsp_kt5a_OPBXUDhxUd2",
  subscription: { state: "pending", endpoint: "https://sesame.example.com/sns/notifications", problem: null },
};
const awsRefused = { description: "AWS refused the keys or the call; the sentence says why (and which permission is missing).", example: { error: "AWS refused these keys: the access key id does not exist.", code: "aws_invalid_keys" } };

export const credentialsDocs = {
  connect: apiDoc({
    tag: "AWS",
    summary: "Connect AWS keys",
    description: "Checks the keys by calling SES GetAccount with them. `save: false` keeps them only in the server-side session (gone at logout); `save: true` stores them encrypted. Workspace admins only.",
    requestExample: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1", save: true },
    responses: { 200: { description: "Connected, with the account's live quota.", schema: connection, example: connectionExample }, 422: awsRefused },
  }),
  status: apiDoc({
    tag: "AWS",
    summary: "Connection status and live quota",
    responses: {
      200: { description: "The connection (as for POST /aws/connect), or `{connected: false}`.", schema: t.Union([connection, t.Object({ connected: t.Literal(false) })]), example: connectionExample },
    },
  }),
  disconnect: apiDoc({ tag: "AWS", summary: "Forget the AWS keys", description: "Erases saved and session keys.", responses: { 204: gone("Keys erased.") } }),
  events: apiDoc({ tag: "AWS", summary: "Bounce and complaint tracking set-up", responses: { 200: { description: "The configuration set, SNS topic and subscription.", schema: events, example: eventsExample } } }),
  setupEvents: apiDoc({
    tag: "AWS",
    summary: "Set up bounce and complaint tracking",
    description: "Creates the configuration set, the SNS topic, the event destination and the HTTPS subscription to `<PUBLIC_URL>/sns/notifications` in the connected account (idempotent).",
    responses: { 200: { description: "What exists now.", schema: events, example: eventsExample }, 422: awsRefused },
  }),
  registerTopic: apiDoc({
    tag: "AWS",
    summary: "Use an existing SNS topic for events",
    requestExample: { topicArn: "arn:aws:sns:us-east-1:123456789012:ses-events" },
    responses: { 200: { description: "What exists now.", schema: events, example: { ...eventsExample, topicArn: "arn:aws:sns:us-east-1:123456789012:ses-events" } }, 422: awsRefused },
  }),
};

const dnsRecord = t.Object({ type: t.String(), name: t.String(), value: t.String(), priority: t.Optional(int()) });
const identity = t.Object({
  identity: t.String(),
  type: t.Union([t.Literal("domain"), t.Literal("email")]),
  verified: t.Boolean(),
  verificationStatus: nullable(t.String()),
  sendingEnabled: t.Boolean(),
  dkimStatus: nullable(t.String()),
  dkimRecords: t.Array(dnsRecord),
  mailFrom: nullable(t.Object({ domain: t.String(), status: nullable(t.String()), records: t.Array(dnsRecord) })),
  dmarcRecord: nullable(dnsRecord),
  pending: t.Boolean({ description: "Sesame keeps checking it in the background until SES says it is verified." }),
  region: t.String(),
  checkedAt: date,
});
const identityExample = {
  identity: "example.com",
  type: "domain",
  verified: true,
  verificationStatus: "SUCCESS",
  sendingEnabled: true,
  dkimStatus: "SUCCESS",
  dkimRecords: [{ type: "CNAME", name: "a855ebc2fefe4f94._domainkey.example.com", value: "a855ebc2fefe4f94.dkim.amazonses.com" }],
  mailFrom: {
    domain: "mail.example.com",
    status: "PENDING",
    records: [
      { type: "MX", name: "mail.example.com", value: "feedback-smtp.us-east-1.amazonses.com", priority: 10 },
      { type: "TXT", name: "mail.example.com", value: '"v=spf1 include:amazonses.com ~all"' },
    ],
  },
  dmarcRecord: { type: "TXT", name: "_dmarc.example.com", value: '"v=DMARC1; p=none;"' },
  pending: true,
  region: "us-east-1",
  checkedAt: when,
};

export const identitiesDocs = {
  list: apiDoc({ tag: "SES identities", summary: "Sending identities", description: "Read from SES with the workspace's keys.", responses: { 200: { description: "Every identity.", schema: items(identity), example: { items: [identityExample] } }, 422: awsRefused } }),
  add: apiDoc({
    tag: "SES identities",
    summary: "Add a domain or address",
    description: "A domain answers with the DNS records to publish; an address gets SES's verification mail. Workspace admins only.",
    requestExample: { identity: "example.com" },
    responses: { 201: { description: "The new identity.", schema: identity, example: { ...identityExample, verified: false, mailFrom: null } }, 422: awsRefused },
  }),
  check: apiDoc({ tag: "SES identities", summary: "One identity, read live from SES", responses: { 200: { description: "Its status now.", schema: identity, example: identityExample }, 422: awsRefused } }),
  mailFrom: apiDoc({
    tag: "SES identities",
    summary: "Set or remove the custom MAIL FROM domain",
    description: "`domain: null` (or empty) removes it.",
    requestExample: { domain: "mail.example.com" },
    responses: { 200: { description: "The identity with its MAIL FROM records.", schema: identity, example: identityExample }, 422: awsRefused },
  }),
  remove: apiDoc({
    tag: "SES identities",
    summary: "Delete an identity",
    responses: {
      204: gone("Deleted in SES."),
      409: { description: "A scheduled, running or paused campaign sends from it.", example: { error: 'example.com cannot be deleted while the campaign "June news" sends from it.', code: "identity_in_use" } },
    },
  }),
};

// ——— SES suppression list, templates, account ———

const sesSuppression = t.Object({ email: t.String(), reason: t.Union([t.Literal("BOUNCE"), t.Literal("COMPLAINT")]), lastUpdate: date });
const syncRun = t.Object({
  direction: t.String(),
  startedAt: date,
  endedAt: nullable(date),
  added: count,
  skipped: count,
  refused: count,
  running: t.Boolean(),
  error: nullable(t.String()),
});
const syncStatus = t.Object({ sync: t.String({ description: "off, pull, push or both." }), lastSyncAt: nullable(date), pulledThrough: nullable(date), run: nullable(syncRun) });
const syncStatusExample = { sync: "pull", lastSyncAt: when, pulledThrough: when, run: { direction: "pull", startedAt: when, endedAt: when, added: 3, skipped: 1, refused: 0, running: false, error: null } };
const reasons = t.Object({ reasons: t.Array(t.String()) });

export const sesSuppressionsDocs = {
  list: apiDoc({
    tag: "SES suppression list",
    summary: "SES's account-level suppression list",
    description: "A whole address in `q` is looked up directly; part of one scans up to 20,000 entries (then `scanned` and `stoppedEarly` say how far it went). Page on with `nextToken`.",
    responses: {
      200: {
        description: "One page of entries.",
        schema: t.Object({ items: t.Array(sesSuppression), nextToken: nullable(t.String()), scanned: t.Optional(count), stoppedEarly: t.Optional(t.Boolean()) }),
        example: { items: [{ email: "gone@example.com", reason: "BOUNCE", lastUpdate: when }], nextToken: null },
      },
      422: awsRefused,
    },
  }),
  add: apiDoc({ tag: "SES suppression list", summary: "Add an address", requestExample: { email: "gone@example.com", reason: "BOUNCE" }, responses: { 204: gone("Added in SES."), 422: awsRefused } }),
  remove: apiDoc({ tag: "SES suppression list", summary: "Remove an address", responses: { 204: gone("Removed from SES's list."), 422: awsRefused } }),
  syncStatus: apiDoc({ tag: "SES suppression list", summary: "How Sesame's list and SES's are kept in step", responses: { 200: { description: "The setting and the last run.", schema: syncStatus, example: syncStatusExample } } }),
  sync: apiDoc({
    tag: "SES suppression list",
    summary: "Sync now",
    description: "`pull` copies SES's entries into Sesame's list, `push` Sesame's hard bounces and complaints into SES's. A run that outlasts 20 seconds answers 202 with `running: true` and goes on.",
    requestExample: { direction: "pull" },
    responses: {
      200: { description: "What the run did; `refused` when SES would not take some addresses.", schema: t.Object({ added: count, skipped: count, refused: t.Optional(count) }), example: { added: 3, skipped: 1 } },
      202: { description: "Still running.", schema: t.Object({ added: count, skipped: count, refused: t.Optional(count), running: t.Literal(true) }), example: { added: 1200, skipped: 4, running: true } },
      422: awsRefused,
    },
  }),
  settings: apiDoc({ tag: "SES suppression list", summary: "The sync setting", responses: { 200: { description: "The setting and the last run.", schema: syncStatus, example: syncStatusExample } } }),
  setSettings: apiDoc({ tag: "SES suppression list", summary: "Choose the sync direction", requestExample: { sync: "both" }, responses: { 200: { description: "The setting as saved.", schema: syncStatus, example: { ...syncStatusExample, sync: "both" } } } }),
  attributes: apiDoc({ tag: "SES suppression list", summary: "What SES itself suppresses", responses: { 200: { description: "The reasons SES adds addresses for.", schema: reasons, example: { reasons: ["BOUNCE", "COMPLAINT"] } }, 422: awsRefused } }),
  setAttributes: apiDoc({ tag: "SES suppression list", summary: "Choose what SES itself suppresses", requestExample: { reasons: ["BOUNCE", "COMPLAINT"] }, responses: { 200: { description: "As saved in SES.", schema: reasons, example: { reasons: ["BOUNCE", "COMPLAINT"] } }, 422: awsRefused } }),
};

const sesTemplate = t.Object({ name: t.String(), subject: t.String(), html: t.String(), text: t.String() });
const sesTemplateExample = { name: "receipt", subject: "Your receipt", html: "<p>Thanks {{name}}</p>", text: "" };

export const sesTemplatesDocs = {
  list: apiDoc({ tag: "SES templates", summary: "Templates stored in SES", responses: { 200: { description: "Every SES template of the region.", schema: items(t.Object({ name: t.String(), createdAt: date })), example: { items: [{ name: "receipt", createdAt: when }] } }, 422: awsRefused } }),
  create: apiDoc({
    tag: "SES templates",
    summary: "Create an SES template, or publish a Sesame one",
    description: "With `templateId`, publishes that Sesame template (`{{name|there}}` becomes Handlebars), optionally under `name`; a different SES template of that name is replaced only with `overwrite: true`. Without it, stores `name`, `subject`, `html` and `text` as written.",
    requestExample: { templateId: "tpl_hB5RzXMbyNX0hwFh" },
    responses: {
      201: { description: "The SES template's name, with warnings about what SES does differently.", schema: t.Object({ name: t.String(), warnings: t.Optional(t.Array(t.String())) }), example: { name: "welcome", warnings: [] } },
      409: { description: "A different SES template has that name.", example: { error: 'SES already has a different template named "welcome".', code: "ses_template_exists" } },
      422: awsRefused,
    },
  }),
  get: apiDoc({ tag: "SES templates", summary: "One SES template", responses: { 200: { description: "Its content.", schema: sesTemplate, example: sesTemplateExample }, 422: awsRefused } }),
  update: apiDoc({ tag: "SES templates", summary: "Edit an SES template", requestExample: { subject: "Your receipt", html: "<p>Thank you {{name}}</p>" }, responses: { 200: { description: "Saved in SES.", schema: t.Object({ name: t.String() }), example: { name: "receipt" } }, 422: awsRefused } }),
  remove: apiDoc({ tag: "SES templates", summary: "Delete an SES template", responses: { 204: gone("Deleted in SES."), 422: awsRefused } }),
  import: apiDoc({
    tag: "SES templates",
    summary: "Import an SES template into Sesame",
    description: "Refused, naming them, for constructs Sesame cannot render the same (such as `{{#each}}`).",
    responses: { 201: { description: "The new Sesame template.", schema: t.Object({ templateId: id("tpl") }), example: { templateId: "tpl_oClwvJovJ8ZxlFDV" } }, 422: awsRefused },
  }),
  render: apiDoc({
    tag: "SES templates",
    summary: "Test-render an SES template",
    description: "SES's TestRenderEmailTemplate with `data` (an object, or its JSON text).",
    requestExample: { data: { name: "Ana" } },
    responses: { 200: { description: "What SES rendered.", schema: t.Object({ subject: t.String(), html: t.String(), text: t.String() }), example: { subject: "Your receipt", html: "<p>Thank you Ana</p>", text: "" } }, 422: awsRefused },
  }),
  publication: apiDoc({
    tag: "SES templates",
    summary: "Where a Sesame template is published in SES",
    responses: {
      200: {
        description: "The SES template it was published as, or null.",
        schema: t.Object({ publication: nullable(t.Object({ region: t.String(), name: t.String(), publishedAt: date })) }),
        example: { publication: { region: "us-east-1", name: "welcome", publishedAt: when } },
      },
    },
  }),
};

const configurationSet = t.Object({ status: t.String(), name: nullable(t.String()), sendingEnabled: nullable(t.Boolean()), reputationMetricsEnabled: nullable(t.Boolean()), lastFreshStart: nullable(date) });
const configurationSetExample = { status: "ready", name: "sesame-wsp_kt5a_OPBXUDhxUd2", sendingEnabled: true, reputationMetricsEnabled: false, lastFreshStart: null };
const vdm = t.Object({ enabled: t.Boolean(), days: int(), metrics: t.Unknown(), recommendations: t.Unknown(), error: nullable(t.String()) });
const vdmExample = { enabled: false, days: 7, metrics: null, recommendations: null, error: null };

export const awsAccountDocs = {
  account: apiDoc({
    tag: "SES account",
    summary: "The SES account",
    description: "Standing, production access, the configuration set and the account's history as Sesame observed it.",
    responses: {
      200: {
        description: "The account overview.",
        schema: t.Object({ region: t.String(), saved: t.Boolean(), account, configurationSet, history: t.Array(t.Object({ at: date, first: t.Boolean(), changes: t.Array(t.Unknown()) })) }),
        example: { region: "us-east-1", saved: true, account: accountExample, configurationSet: configurationSetExample, history: [{ at: when, first: true, changes: [] }] },
      },
      422: awsRefused,
    },
  }),
  productionAccess: apiDoc({
    tag: "SES account",
    summary: "Request production access",
    description: "SES's PutAccountDetails. `mailType` is MARKETING or TRANSACTIONAL, `contactLanguage` EN or JA; the use case needs at least 50 characters.",
    requestExample: { websiteUrl: "https://example.com", useCaseDescription: "A monthly newsletter to customers who opted in at checkout; bounces and complaints suppress at once.", mailType: "MARKETING", contactLanguage: "EN" },
    responses: {
      200: { description: "The request as SES recorded it.", schema: t.Object({ productionAccess: t.Boolean(), reviewStatus: nullable(t.String()), caseId: nullable(t.String()) }), example: { productionAccess: false, reviewStatus: "PENDING", caseId: "case-36d01649" } },
      422: awsRefused,
    },
  }),
  accountSending: apiDoc({
    tag: "SES account",
    summary: "Pause or resume sending for the whole AWS account",
    requestExample: { enabled: false },
    responses: { 200: { description: "Whether the account sends now.", schema: t.Object({ sendingEnabled: t.Boolean() }), example: { sendingEnabled: false } }, 422: awsRefused },
  }),
  configurationSetSending: apiDoc({
    tag: "SES account",
    summary: "Pause or resume sending for this workspace's configuration set",
    requestExample: { enabled: false },
    responses: { 200: { description: "The configuration set now.", schema: t.Object({ configurationSet }), example: { configurationSet: { ...configurationSetExample, sendingEnabled: false } } }, 422: awsRefused },
  }),
  regions: apiDoc({
    tag: "SES account",
    summary: "Every SES region's quota for the same keys",
    responses: {
      200: {
        description: "The region in use and each region's standing.",
        schema: t.Object({
          current: t.String(),
          saved: t.Boolean(),
          items: t.Array(
            t.Object({
              region: t.String(),
              productionAccess: nullable(t.Boolean()),
              sendingEnabled: nullable(t.Boolean()),
              enforcementStatus: nullable(t.String()),
              maxSendRate: nullable(t.Number()),
              max24HourSend: nullable(t.Number()),
              sentLast24Hours: nullable(t.Number()),
              enabled: t.Boolean(),
              error: nullable(t.String()),
            }),
          ),
        }),
        example: {
          current: "us-east-1",
          saved: true,
          items: [{ region: "us-east-1", productionAccess: true, sendingEnabled: true, enforcementStatus: "HEALTHY", maxSendRate: 14, max24HourSend: 50000, sentLast24Hours: 12500, enabled: true, error: null }],
        },
      },
      422: awsRefused,
    },
  }),
  switchRegion: apiDoc({
    tag: "SES account",
    summary: "Move the keys in use to another region",
    description: "Refused for a region the account has not enabled; 409 naming the campaigns while some are scheduled, running or paused, unless `force: true`.",
    requestExample: { region: "eu-west-1" },
    responses: {
      200: { description: "The connection in its new region.", schema: t.Object({ region: t.String(), saved: t.Boolean(), account }), example: { region: "eu-west-1", saved: true, account: accountExample } },
      409: { description: "Campaigns still send in the old region.", example: { error: 'The campaign "June news" is still sending from us-east-1.', code: "campaigns_still_sending" } },
      422: awsRefused,
    },
  }),
  reputation: apiDoc({
    tag: "SES account",
    summary: "Bounce and complaint rates, reputation metrics and VDM",
    responses: {
      200: {
        description: "The workspace's last 24 hours against SES's review thresholds.",
        schema: t.Object({
          region: t.String(),
          configurationSet,
          rates: t.Object({ sent: count, delivered: count, bounced: count, complained: count, bounceRate: nullable(t.Number()), complaintRate: nullable(t.Number()) }),
          vdm,
        }),
        example: { region: "us-east-1", configurationSet: configurationSetExample, rates: { sent: 1000, delivered: 990, bounced: 8, complained: 0, bounceRate: 0.008, complaintRate: 0 }, vdm: vdmExample },
      },
      422: awsRefused,
    },
  }),
  reputationMetrics: apiDoc({
    tag: "SES account",
    summary: "Turn the configuration set's reputation metrics on or off",
    requestExample: { enabled: true },
    responses: { 200: { description: "The configuration set now.", schema: t.Object({ configurationSet }), example: { configurationSet: { ...configurationSetExample, reputationMetricsEnabled: true } } }, 422: awsRefused },
  }),
  vdm: apiDoc({ tag: "SES account", summary: "Virtual Deliverability Manager", description: "`days` is 7 or 14.", responses: { 200: { description: "Its metrics and recommendations when on.", schema: vdm, example: vdmExample }, 422: awsRefused } }),
  setVdm: apiDoc({
    tag: "SES account",
    summary: "Turn Virtual Deliverability Manager on or off",
    description: "Turning it on is paid by the AWS account.",
    requestExample: { enabled: false },
    responses: { 200: { description: "Its state now.", schema: vdm, example: vdmExample }, 422: awsRefused },
  }),
};

// ——— Templates ———

const warning = t.Object({ code: t.String(), message: t.String(), variables: t.Optional(t.Array(t.String())) });
const template = t.Object({
  id: id("tpl"),
  name: t.String(),
  subject: t.String(),
  html: t.String(),
  text: nullable(t.String()),
  variables: t.Array(t.String()),
  createdAt: date,
  updatedAt: date,
});
const templateExample = {
  id: "tpl_hB5RzXMbyNX0hwFh",
  name: "Welcome",
  subject: "Hello {{name|there}}",
  html: "<p>Hi {{name|there}}, welcome to {{company|our shop}}.</p>",
  text: null,
  variables: ["name", "company"],
  createdAt: when,
  updatedAt: when,
};
const saved = t.Object({ ...template.properties, warnings: t.Array(warning) });
const templateRequest = { name: "Welcome", subject: "Hello {{name|there}}", html: "<p>Hi {{name|there}}, welcome to {{company|our shop}}.</p>" };

export const templatesDocs = {
  list: apiDoc({ tag: "Templates", summary: "Sesame's templates", responses: { 200: { description: "Every template of the workspace.", schema: items(template), example: { items: [templateExample] } } } }),
  create: apiDoc({
    tag: "Templates",
    summary: "Create a template",
    description: "The HTML is sanitised to email-safe HTML. Variables are `{{name}}`, any list column, with an optional fallback `{{name|there}}`.",
    requestExample: templateRequest,
    responses: { 201: { description: "The template, its variables and warnings (such as variables no list has).", schema: saved, example: { ...templateExample, warnings: [] } } },
  }),
  get: apiDoc({ tag: "Templates", summary: "One template", responses: { 200: { description: "The template.", schema: template, example: templateExample } } }),
  update: apiDoc({ tag: "Templates", summary: "Replace a template", requestExample: templateRequest, responses: { 200: { description: "As saved, with warnings.", schema: saved, example: { ...templateExample, warnings: [] } } } }),
  remove: apiDoc({ tag: "Templates", summary: "Delete a template", responses: { 204: gone("Deleted.") } }),
  duplicate: apiDoc({ tag: "Templates", summary: "Copy a template", responses: { 201: { description: "The copy.", schema: template, example: { ...templateExample, id: "tpl_LPo31O5GcxIZtORm", name: "Copy of Welcome" } } } }),
  preview: apiDoc({
    tag: "Templates",
    summary: "Render a template as it would be sent",
    description: "With `variables`, or the attributes of a contact (`contactId`). `missing` lists variables with neither a value nor a fallback.",
    requestExample: { variables: { name: "Ana" } },
    responses: {
      200: {
        description: "The rendered subject and parts (tracking aside).",
        schema: t.Object({ subject: t.String(), html: t.String(), text: t.String(), missing: t.Array(t.String()) }),
        example: { subject: "Hello Ana", html: "<!doctype html><html>…<p>Hi Ana, welcome to our shop.</p>…</html>", text: "Hi Ana, welcome to our shop.", missing: [] },
      },
    },
  }),
  test: apiDoc({
    tag: "Templates",
    summary: "Send one test mail",
    description: "Through SES, rendered by the same renderer, marked `[Test]`; its unsubscribe link suppresses no one.",
    requestExample: { to: "ana@example.com", from: "news@example.com", variables: { name: "Ana" } },
    responses: { 200: { description: "SES's message id.", schema: t.Object({ messageId: t.String() }), example: { messageId: "0100018f-5b7c-7c1e-a1b2-0123456789ab-000000" } }, 422: awsRefused },
  }),
};

// ——— Lists, contacts, imports, suppressions ———

const listSummary = t.Object({ id: id("lst"), name: t.String(), contacts: count });
const listExample = { id: "lst_FgYbySDqUOszMdUr", name: "Customers", contacts: 1250 };
const contactStatus = t.Union([t.Literal("active"), t.Literal("unsubscribed"), t.Literal("bounced"), t.Literal("complained")]);
const contact = t.Object({ id: int(), email: t.String(), attributes: t.Record(t.String(), t.Unknown()), status: contactStatus });
const contactExample = { id: 1, email: "ana@example.com", attributes: { name: "Ana", company: "Acme" }, status: "active" };
const listExists = { description: "Another list has that name.", example: { error: 'There is already a list named "Customers".', code: "list_exists" } };

export const listsDocs = {
  list: apiDoc({ tag: "Lists", summary: "Every list", responses: { 200: { description: "The workspace's lists with their contact counts.", schema: items(listSummary), example: { items: [listExample] } } } }),
  create: apiDoc({
    tag: "Lists",
    summary: "Create a list",
    requestExample: { name: "Customers" },
    responses: { 201: { description: "The new list.", schema: t.Object({ id: id("lst"), name: t.String() }), example: { id: listExample.id, name: "Customers" } }, 409: listExists },
  }),
  get: apiDoc({
    tag: "Lists",
    summary: "One list",
    responses: {
      200: {
        description: "The list, its contact count and its attribute columns (as the CSV named them).",
        schema: t.Object({ ...listSummary.properties, columns: t.Array(t.Object({ key: t.String(), label: t.String() })) }),
        example: { ...listExample, columns: [{ key: "name", label: "Name" }] },
      },
    },
  }),
  rename: apiDoc({ tag: "Lists", summary: "Rename a list", requestExample: { name: "Customers 2026" }, responses: { 200: { description: "The list as saved.", schema: listSummary, example: { ...listExample, name: "Customers 2026" } }, 409: listExists } }),
  remove: apiDoc({
    tag: "Lists",
    summary: "Delete a list",
    description: "Contacts on no other list go with it. Refused while an import into it runs.",
    responses: {
      200: { description: "Deleted.", schema: t.Object({ deleted: t.Literal(true), contactsDeleted: count }), example: { deleted: true, contactsDeleted: 1250 } },
      409: { description: "An import into the list is running.", example: { error: "An import into this list is running; cancel it or wait until it has finished, then delete the list.", code: "import_running" } },
    },
  }),
  contacts: apiDoc({
    tag: "Lists",
    summary: "A list's contacts",
    description: "`q` matches the address or any attribute (in lists over 20,000 contacts, addresses by their start; past 10,000 matches `totalCapped` is set). 50 a page.",
    responses: {
      200: {
        description: "One page of contacts.",
        schema: t.Object({ items: t.Array(t.Object({ ...contact.properties, addedAt: date })), total: count, totalCapped: t.Optional(t.Boolean()) }),
        example: { items: [{ ...contactExample, addedAt: when }], total: 1 },
      },
    },
  }),
  addContact: apiDoc({
    tag: "Lists",
    summary: "Add a contact to a list",
    description: "An address already known in the workspace joins the list with these attributes (200, `created: false`).",
    requestExample: { email: "ana@example.com", attributes: { name: "Ana", company: "Acme" } },
    responses: {
      201: { description: "A new contact.", schema: t.Object({ ...contact.properties, created: t.Boolean() }), example: { ...contactExample, created: true } },
      200: { description: "An existing contact, now on this list.", schema: t.Object({ ...contact.properties, created: t.Boolean() }), example: { ...contactExample, created: false } },
    },
  }),
  contact: apiDoc({ tag: "Lists", summary: "One contact", responses: { 200: { description: "The contact.", schema: contact, example: contactExample } } }),
  updateContact: apiDoc({
    tag: "Lists",
    summary: "Change a contact's attributes",
    requestExample: { attributes: { name: "Ana", company: "Acme Ltd" } },
    responses: { 200: { description: "The contact as saved.", schema: contact, example: { ...contactExample, attributes: { name: "Ana", company: "Acme Ltd" } } } },
  }),
  removeContact: apiDoc({ tag: "Lists", summary: "Delete a contact", responses: { 204: gone("Deleted from every list.") } }),
  variables: apiDoc({
    tag: "Lists",
    summary: "The template variables a list offers",
    responses: { 200: { description: "`email`, `unsubscribe_url` and every attribute column.", schema: t.Object({ variables: t.Array(t.String()) }), example: { variables: ["email", "unsubscribe_url", "name", "company"] } } },
  }),
  export: apiDoc({
    tag: "Lists",
    summary: "Download a list as CSV",
    description: "Address, status and every attribute column; streamed, any size; spreadsheet formulas neutralised.",
    responses: { 200: csv("The CSV file.", "email,status,name,company\r\nana@example.com,active,Ana,Acme\r\n") },
  }),
};

const importReport = t.Object({
  id: id("imp"),
  listId: id("lst"),
  status: t.String({ description: "uploaded (waiting for a mapping), running, done, failed or cancelled." }),
  fileName: nullable(t.String()),
  total: count,
  imported: count,
  updated: count,
  unchanged: count,
  duplicates: count,
  invalid: count,
  suppressed: count,
  errors: t.Array(t.Object({ row: int(), reason: t.String() })),
  progress: t.Number({ minimum: 0, maximum: 1 }),
  rowsPerSecond: t.Number(),
  failure: nullable(t.String()),
  columns: t.Array(t.String()),
});
const importExample = {
  id: "imp_85mgPSe5REQIWsdj",
  listId: listExample.id,
  status: "done",
  fileName: "customers.csv",
  total: 3,
  imported: 2,
  updated: 0,
  unchanged: 0,
  duplicates: 0,
  invalid: 1,
  suppressed: 0,
  errors: [{ row: 3, reason: "not-an-address is not an email address." }],
  progress: 1,
  rowsPerSecond: 41000,
  failure: null,
  columns: ["email", "name"],
};
const preview = t.Object({
  format: t.Object({ encoding: t.String(), delimiter: t.String(), columns: t.Array(t.String()) }),
  rows: t.Array(t.Array(t.String())),
  emailColumn: nullable(int()),
});

export const importsDocs = {
  upload: apiDoc({
    tag: "Imports",
    summary: "Import a CSV into a list",
    description:
      "The file as the body (`text/csv`) or as the `file` field of a multipart form; streamed to disk, any size. One column holds the address (header `email`, or found by its content); every other becomes an attribute. With `preview=1` it stops after the upload and answers the first rows, to be mapped with POST /imports/{id}/start. Refused (409) while another import into the list runs.",
    requestBody: {
      description: "The CSV (comma, semicolon or tab; UTF-8 or Windows-1252).",
      content: { "text/csv": { schema: t.String(), example: "email,name,company\nana@example.com,Ana,Acme\n" }, "multipart/form-data": { schema: t.Object({ file: t.String({ format: "binary" }) }) } },
    },
    responses: {
      202: {
        description: "Accepted: running, or uploaded with a preview to map.",
        schema: t.Object({ importId: id("imp"), status: t.String(), preview: t.Optional(preview) }),
        example: { importId: "imp_85mgPSe5REQIWsdj", status: "running" },
      },
      409: { description: "An import into this list is running.", example: { error: "An import into this list is already running.", code: "import_running" } },
      413: { description: "The file is over the upload limit.", example: { error: "The file is larger than 2 GB.", code: "payload_too_large" } },
    },
  }),
  start: apiDoc({
    tag: "Imports",
    summary: "Start an uploaded import with a column mapping",
    description: "`mapping.email` is the address column's index; each attribute names a column index and the key it becomes.",
    requestExample: { mapping: { email: 0, attributes: [{ index: 1, key: "name" }] } },
    responses: {
      202: { description: "Started.", schema: t.Object({ importId: id("imp"), status: t.String() }), example: { importId: "imp_q6LlD93ZgnssBHOP", status: "running" } },
      409: { description: "It was started already.", example: { error: "This import has already been started.", code: "import_started" } },
    },
  }),
  get: apiDoc({ tag: "Imports", summary: "An import's progress and report", responses: { 200: { description: "Counts so far and every invalid row (numbered as a spreadsheet numbers them).", schema: importReport, example: importExample } } }),
  cancel: apiDoc({ tag: "Imports", summary: "Cancel a running import", description: "What it committed stays.", responses: { 200: { description: "The report, cancelled.", schema: importReport, example: { ...importExample, status: "cancelled", failure: "Cancelled." } } } }),
  errors: apiDoc({ tag: "Imports", summary: "An import's invalid rows as CSV", responses: { 200: csv("Row number and reason.", "row,reason\r\n3,not-an-address is not an email address.\r\n") } }),
};

const suppression = t.Object({ id: int(), email: t.String(), reason: t.String(), source: t.String(), eventId: nullable(t.Union([t.String(), int()])), createdAt: date });

export const suppressionsDocs = {
  list: apiDoc({
    tag: "Suppressions",
    summary: "Sesame's suppression list",
    description: "Addresses skipped at send time: hard bounces, complaints, unsubscribes and manual entries. Filter by `q` (part of the address) and `reason`.",
    responses: {
      200: { description: "One page.", schema: page(suppression), example: { items: [{ id: 1, email: "old@example.com", reason: "manual", source: "manual:form", eventId: null, createdAt: when }], total: 1 } },
    },
  }),
  add: apiDoc({
    tag: "Suppressions",
    summary: "Suppress addresses",
    requestExample: { emails: ["old@example.com"] },
    responses: { 201: { description: "How many were added and how many were suppressed already.", schema: t.Object({ added: count, already: count }), example: { added: 1, already: 0 } } },
  }),
  import: apiDoc({
    tag: "Suppressions",
    summary: "Suppress the addresses of a CSV",
    requestBody: { description: "A CSV with an address column.", content: { "text/csv": { schema: t.String(), example: "email\nold@example.com\n" }, "multipart/form-data": { schema: t.Object({ file: t.String({ format: "binary" }) }) } } },
    responses: { 200: { description: "What happened to the rows.", schema: t.Object({ added: count, already: count, invalid: count }), example: { added: 1, already: 0, invalid: 0 } } },
  }),
  remove: apiDoc({ tag: "Suppressions", summary: "Stop suppressing an address", description: "Workspace admins only.", responses: { 204: gone("Removed.") } }),
  export: apiDoc({ tag: "Suppressions", summary: "Download the suppression list as CSV", responses: { 200: csv("The CSV file.", "email,reason,source,suppressed_at\r\nold@example.com,manual,manual:form,2026-06-01T10:00:00.000Z\r\n") } }),
};

// ——— Sending ———

const attachment = t.Object({
  bucket: t.String(),
  key: t.String({ description: "The object's key in the bucket." }),
  filename: t.String({ description: "The name the file goes out under." }),
  contentType: t.String(),
  size: count,
});
const attachmentExample = { bucket: "acme-newsletter-files", key: "sesame/attachments/Xq3bT9kLm2Pw/price-list.pdf", filename: "price-list.pdf", contentType: "application/pdf", size: 182044 };
const campaignStatus = t.Union(["draft", "scheduled", "running", "paused", "sent", "cancelled"].map((s) => t.Literal(s)));
const campaign = t.Object({
  id: id("cmp"),
  name: t.String(),
  kind: t.Union([t.Literal("campaign"), t.Literal("send")], { description: "send: made by POST /email/send." }),
  status: campaignStatus,
  from: t.String(),
  replyTo: nullable(t.String()),
  subject: nullable(t.String()),
  templateId: nullable(t.String()),
  listIds: t.Array(t.String()),
  tracking: t.Boolean(),
  scheduledAt: nullable(date),
  launchedAt: nullable(date),
  finishedAt: nullable(date),
  createdAt: date,
  pauseReason: nullable(t.String()),
  holdUntil: nullable(date),
  attachments: t.Array(attachment, { description: "Files from the workspace's S3 bucket sent with every mail (POST /campaigns/{id}/attachments)." }),
});
const campaignExample = {
  id: "cmp_4ErJC61E5Ct5-BPV",
  name: "June news",
  kind: "campaign",
  status: "draft",
  from: "news@example.com",
  replyTo: null,
  subject: "Hello {{name|there}}",
  templateId: "tpl_hB5RzXMbyNX0hwFh",
  listIds: ["lst_FgYbySDqUOszMdUr"],
  tracking: true,
  scheduledAt: null,
  launchedAt: null,
  finishedAt: null,
  createdAt: when,
  pauseReason: null,
  holdUntil: null,
  attachments: [attachmentExample],
};
const counts = t.Object(
  Object.fromEntries(
    ["total", "queued", "sent", "failed", "unknown", "suppressed", "delivered", "bounced", "complained", "opened", "clicked", "humanOpened", "humanClicked", "unsubscribed"].map((name) => [name, count]),
  ),
  { description: "`unknown`: the request may have reached SES when the process died (never re-sent by itself). `opened`/`clicked` count people with any hit, `humanOpened`/`humanClicked` those with a hit classified human." },
);
const countsExample = { total: 4, queued: 0, sent: 1, failed: 0, unknown: 0, suppressed: 0, delivered: 3, bounced: 0, complained: 0, opened: 2, clicked: 1, humanOpened: 1, humanClicked: 1, unsubscribed: 0 };
const withCounts = t.Object({ ...campaign.properties, counts });
const wrongState = { description: "The campaign is not in a state that allows it.", example: { error: "Only a running campaign can be paused.", code: "wrong_state" } };
const cannotLaunch = { description: "It cannot go out as it is (an unverified sender, no recipients, keys missing…): the sentence says what to fix.", example: { error: "news@example.com is not a verified identity in SES.", code: "cannot_launch" } };

export const campaignsDocs = {
  send: apiDoc({
    tag: "Sending",
    summary: "Send an email",
    description:
      "`to` is one address, a list of addresses, or a list of `{email, …variables}`; or `listId` sends to a list. Give `subject` and `html` (and `text`), or a `templateId` with `variables`. `scheduledAt` sends later. `attachments` names files already in the workspace's S3 bucket by `key` (upload with POST /attachments). Every send is a campaign of the workspace, followed with GET /campaigns/{id}.",
    requestExample: { from: "news@example.com", to: [{ email: "ana@example.com", name: "Ana" }], templateId: "tpl_hB5RzXMbyNX0hwFh", variables: { company: "Acme" } },
    responses: {
      202: { description: "Queued.", schema: t.Object({ campaignId: id("cmp"), queued: count, warnings: t.Optional(t.Array(t.Unknown())) }), example: { campaignId: "cmp_sOXsZcpv9xYXI_VF", queued: 1, warnings: [] } },
      422: cannotLaunch,
    },
  }),
  list: apiDoc({ tag: "Sending", summary: "Campaigns, newest first", responses: { 200: { description: "One page, each with its counts.", schema: page(withCounts), example: { items: [{ ...campaignExample, counts: countsExample }], total: 1 } } } }),
  create: apiDoc({
    tag: "Sending",
    summary: "Create a campaign",
    description: "A draft, from a template (`templateId`) or its own `subject` and `html`, to one or more lists, with `attachments` (files in the workspace's S3 bucket, by `key`) if any. Launch it with POST /campaigns/{id}/launch.",
    requestExample: { name: "June news", from: "news@example.com", templateId: "tpl_hB5RzXMbyNX0hwFh", listIds: ["lst_FgYbySDqUOszMdUr"] },
    responses: { 201: { description: "The draft.", schema: campaign, example: campaignExample } },
  }),
  get: apiDoc({ tag: "Sending", summary: "A campaign and its counts", responses: { 200: { description: "The campaign.", schema: withCounts, example: { ...campaignExample, status: "running", counts: countsExample } } } }),
  update: apiDoc({
    tag: "Sending",
    summary: "Change a draft or scheduled campaign",
    description: "Only the fields given change; `attachments` (by `key`) replaces the campaign's whole set of files.",
    requestExample: { name: "June newsletter", scheduledAt: "2026-06-02T08:00:00Z" },
    responses: { 200: { description: "As saved.", schema: campaign, example: { ...campaignExample, name: "June newsletter", status: "scheduled", scheduledAt: "2026-06-02T08:00:00.000Z" } }, 409: wrongState },
  }),
  remove: apiDoc({ tag: "Sending", summary: "Delete a draft", responses: { 204: gone("Deleted."), 409: wrongState } }),
  review: apiDoc({
    tag: "Sending",
    summary: "What a launch would do",
    description: "How many will be mailed, skipped as suppressed or duplicates, whether the quota covers it, and what would stop it.",
    responses: {
      200: {
        description: "The review.",
        schema: t.Object({ distinct: count, duplicates: count, suppressed: count, toSend: count, quotaLeft: nullable(t.Number()), senderVerified: nullable(t.Boolean()), problems: t.Array(t.Unknown()), warnings: t.Array(t.Unknown()) }),
        example: { distinct: 1250, duplicates: 3, suppressed: 12, toSend: 1235, quotaLeft: 37500, senderVerified: true, problems: [], warnings: [] },
      },
    },
  }),
  launch: apiDoc({
    tag: "Sending",
    summary: "Launch a campaign",
    description: "Sends now, or at its `scheduledAt`. No body is needed.",
    requestBody: { description: "None needed.", required: false, content: { "application/json": { schema: t.Object({}), example: {} } } },
    responses: { 202: { description: "Running (or scheduled).", schema: t.Object({ ...campaign.properties, warnings: t.Array(t.Unknown()) }), example: { ...campaignExample, status: "running", launchedAt: when, warnings: [] } }, 409: wrongState, 422: cannotLaunch },
  }),
  pause: apiDoc({ tag: "Sending", summary: "Pause a running campaign", responses: { 200: { description: "Paused.", schema: campaign, example: { ...campaignExample, status: "paused", launchedAt: when, pauseReason: "Paused by a person in this workspace." } }, 409: wrongState } }),
  resume: apiDoc({ tag: "Sending", summary: "Resume a paused campaign", responses: { 200: { description: "Running again.", schema: campaign, example: { ...campaignExample, status: "running", launchedAt: when } }, 409: wrongState } }),
  cancel: apiDoc({ tag: "Sending", summary: "Cancel a campaign", description: "Recipients not yet sent to are cancelled.", responses: { 200: { description: "Cancelled.", schema: campaign, example: { ...campaignExample, status: "cancelled", launchedAt: when, finishedAt: when } }, 409: wrongState } }),
  resendUnknown: apiDoc({
    tag: "Sending",
    summary: "Re-send the recipients whose outcome is unknown",
    description: "Only when the user decides: their first request may have reached SES.",
    responses: { 202: { description: "How many were queued again.", schema: t.Object({ queued: count }), example: { queued: 3 } }, 409: wrongState },
  }),
  recipients: apiDoc({
    tag: "Sending",
    summary: "A campaign's recipients",
    description: "Filter by `status`; 50 a page.",
    responses: {
      200: {
        description: "One page.",
        schema: page(t.Object({ email: t.String(), status: t.String(), messageId: nullable(t.String()), sentAt: nullable(date), error: nullable(t.String()) })),
        example: { items: [{ email: "ana@example.com", status: "delivered", messageId: "0100018f-5b7c-7c1e-a1b2-0123456789ab-000000", sentAt: when, error: null }], total: 1 },
      },
    },
  }),
};

// ——— S3 bucket and attachments ———

const bucketSetting = t.Object({ bucket: nullable(t.String()), region: nullable(t.String({ description: "The bucket's region when it differs from the AWS keys' own; null: the keys' region." })) });
const noBucket = { description: "No AWS keys, or no bucket named yet, or S3 refused the call (the sentence says why).", example: { error: "This workspace has no S3 bucket for attachments yet. A workspace admin names it under Settings → AWS.", code: "no_bucket" } };
const fileRefused = {
  description: "No bucket yet, a file type SES refuses, a file too large for one message, a key not in the bucket, or S3 refused the call.",
  example: { error: "SES does not send .exe files, so setup.exe cannot be attached. Put it in a .zip archive or share a link to it instead.", code: "blocked_file_type", field: "file" },
};
const attachmentBody = {
  description: "The file to upload (multipart, field `file`), or JSON `{key}` to pick a file already in the bucket.",
  content: {
    "multipart/form-data": { schema: t.Object({ file: t.String({ format: "binary" }) }) },
    "application/json": { schema: t.Object({ key: t.String({ maxLength: 1024 }) }), example: { key: "price-lists/2026/price-list.pdf" } },
  },
};

export const attachmentsDocs = {
  bucket: apiDoc({ tag: "Attachments", summary: "The workspace's S3 bucket", description: "Where attachments are kept and picked from.", responses: { 200: { description: "The bucket, or nulls when none is named.", schema: bucketSetting, example: { bucket: "acme-newsletter-files", region: null } } } }),
  setBucket: apiDoc({
    tag: "Attachments",
    summary: "Name the workspace's S3 bucket",
    description: "Kept only once S3 answered HeadBucket for it with the workspace's AWS keys (in `region`, or the keys' region). The keys need s3:ListBucket, s3:GetObject and s3:PutObject on it. Workspace admins only.",
    requestExample: { bucket: "acme-newsletter-files", region: null },
    responses: {
      200: { description: "The bucket as saved.", schema: bucketSetting, example: { bucket: "acme-newsletter-files", region: null } },
      422: { description: "Not a bucket name, no such bucket, another region, or the keys may not use it.", example: { error: "There is no bucket named acme-files in us-east-1 for these keys. Check the name (S3 bucket names are lower case), or create the bucket in the S3 console first.", code: "s3_no_such_bucket", field: "bucket" } },
    },
  }),
  clearBucket: apiDoc({ tag: "Attachments", summary: "Forget the S3 bucket", description: "The files stay in S3; campaigns that already have attachments keep them. Workspace admins only.", responses: { 204: gone("Forgotten.") } }),
  objects: apiDoc({
    tag: "Attachments",
    summary: "Files in the bucket",
    description: "100 a page in key order, under `prefix` if given; page on with `nextToken`.",
    responses: {
      200: {
        description: "One page of files (folders left out).",
        schema: t.Object({ items: t.Array(t.Object({ key: t.String(), size: count, lastModified: nullable(date) })), nextToken: nullable(t.String()) }),
        example: { items: [{ key: "price-lists/2026/price-list.pdf", size: 182044, lastModified: when }], nextToken: null },
      },
      422: noBucket,
    },
  }),
  upload: apiDoc({
    tag: "Attachments",
    summary: "Upload a file to the bucket, or check one there",
    description:
      "An upload goes to `sesame/attachments/<id>/<filename>` in the workspace's bucket; a picked `key` must exist. Either way the file is checked as SES would (type, size up to about 30 MB) and answered as an attachment, to name by `key` in POST /email/send, POST /campaigns or PATCH /campaigns/{id}.",
    requestBody: attachmentBody,
    responses: { 201: { description: "The attachment.", schema: attachment, example: attachmentExample }, 422: fileRefused },
  }),
  list: apiDoc({ tag: "Attachments", summary: "A campaign's attachments", description: "In the order they are attached; `index` in DELETE counts from 0 in this list.", responses: { 200: { description: "The files.", schema: items(attachment), example: { items: [attachmentExample] } } } }),
  add: apiDoc({
    tag: "Attachments",
    summary: "Attach a file to a campaign",
    description: "Upload it (multipart) or pick it by `key` from the bucket, as for POST /attachments. Only while the campaign is a draft or scheduled; at most 10 files, and the whole message must stay within SES's 40 MB.",
    requestBody: attachmentBody,
    responses: { 201: { description: "The attachment added.", schema: attachment, example: attachmentExample }, 409: { description: "The campaign is not a draft or scheduled.", example: { error: "Attachments change only while the campaign is a draft or scheduled.", code: "wrong_state" } }, 422: fileRefused },
  }),
  remove: apiDoc({
    tag: "Attachments",
    summary: "Take an attachment off a campaign",
    description: "`index` is its place in GET /campaigns/{id}/attachments, from 0. The file stays in the bucket.",
    responses: {
      204: gone("Removed."),
      404: { description: "No such campaign here, or no attachment at that index.", example: { error: "The campaign has no such attachment.", code: "attachment_not_found" } },
      409: { description: "The campaign is not a draft or scheduled.", example: { error: "Attachments change only while the campaign is a draft or scheduled.", code: "wrong_state" } },
    },
  }),
};

// ——— Audit log ———

const auditEntry = t.Object({
  id: t.String(),
  at: date,
  action: t.String({ description: "Such as `campaign.launched`, `member.role_changed` or `auth.login_failed`." }),
  summary: t.String({ description: "The action in words." }),
  actor: t.Object({ type: t.Union([t.Literal("user"), t.Literal("api_key"), t.Literal("anonymous"), t.Literal("system")]), id: nullable(t.String()), label: t.String() }),
  target: nullable(t.Object({ type: t.String(), id: nullable(t.String()), label: nullable(t.String()) })),
  ip: nullable(t.String()),
  userAgent: nullable(t.String()),
  detail: nullable(t.Record(t.String(), t.Unknown(), { description: "Plain facts of the action (a role, a region); never a secret." })),
});
const auditExample = {
  items: [
    {
      id: "aud_0mpuwb4w00001k3f9x2q7pd",
      at: when,
      action: "campaign.launched",
      summary: "Launched campaign “June news”",
      actor: { type: "user", id: userExample.id, label: userExample.email },
      target: { type: "campaign", id: "cmp_4ErJC61E5Ct5-BPV", label: "June news" },
      ip: "203.0.113.7",
      userAgent: "curl/8.5.0",
      detail: null,
    },
  ],
  total: 1,
  page: 1,
  pageSize: 50,
};
const auditCsvExample = "time (UTC),action,what happened,actor type,actor,actor id,target type,target,target id,ip,user agent,detail,id\r\n2026-06-01T10:00:00.000Z,campaign.launched,Launched campaign “June news”,user,olive@example.com,usr_f0HudA2GRNQ0uRQp,campaign,June news,cmp_4ErJC61E5Ct5-BPV,203.0.113.7,curl/8.5.0,,aud_0mpuwb4w00001k3f9x2q7pd\r\n";
const auditFilters = "Filter by `action` (repeatable), `actor` (part of an address or key name), `from` and `to` (dates in the caller's time zone); `page`, `pageSize` (up to 200). `format=csv` answers every matching entry as CSV. A bad filter value is a 422 naming its field.";
const auditReply = {
  description: "One page, newest first (JSON), or the CSV.",
  schema: t.Object({ items: t.Array(auditEntry), total: count, page: int(), pageSize: int() }),
  example: auditExample,
  also: { "text/csv": { schema: t.String(), example: auditCsvExample } },
};
const badFilter = { description: "A filter value that is not understood; `field` names it.", example: { error: 'The "to" date is before the "from" date.', code: "invalid_to", field: "to" } };

export const auditDocs = {
  workspace: apiDoc({ tag: "Audit log", summary: "The workspace's audit log", description: `Who did what in this workspace, when and from where. Workspace owners and admins only. ${auditFilters}`, responses: { 200: auditReply, 422: badFilter } }),
  instance: apiDoc({
    tag: "Audit log",
    summary: "The instance's audit log",
    description: `Entries that belong to no workspace: instance administration, failed sign-ins for unknown addresses. Instance administrators only. ${auditFilters}`,
    responses: { 200: { ...auditReply, example: { ...auditExample, items: [{ ...auditExample.items[0]!, action: "admin.signup_mode_changed", summary: "Changed the sign-up mode", target: null, detail: { mode: "invite" } }] } }, 422: badFilter },
  }),
};

// ——— Events and analytics ———

const event = t.Object({ type: t.String(), email: t.String(), campaignId: nullable(t.String()), at: date, detail: t.Unknown() });

export const eventsDocs = {
  list: apiDoc({
    tag: "Events",
    summary: "Events",
    description: "Every SES and tracking event of the workspace: `type` (send, delivery, bounce, complaint, reject, delivery_delay, open, click, unsubscribe; repeatable), `campaignId`, `q` (address), `from` and `to` (dates in the caller's time zone), `page`.",
    responses: {
      200: {
        description: "One page, newest first.",
        schema: t.Object({ items: t.Array(event), total: count, totalCapped: t.Boolean(), page: int(), pageSize: int() }),
        example: { items: [{ type: "delivery", email: "ana@example.com", campaignId: "cmp_4ErJC61E5Ct5-BPV", at: when, detail: { smtpResponse: "250 OK" } }], total: 1, totalCapped: false, page: 1, pageSize: 50 },
      },
    },
  }),
  timeline: apiDoc({
    tag: "Events",
    summary: "One address's timeline",
    responses: {
      200: {
        description: "Its events, oldest first.",
        schema: t.Object({ email: t.String(), campaignId: nullable(t.String()), campaignName: nullable(t.String()), items: t.Array(t.Unknown()), truncated: t.Boolean() }),
        example: { email: "ana@example.com", campaignId: null, campaignName: null, items: [], truncated: false },
      },
    },
  }),
  sns: apiDoc({
    tag: "Events",
    summary: "SNS webhook",
    description:
      "Where SNS posts SES events (SNS sends the raw message as `text/plain`). Signature-verified (versions 1 and 2); a `SubscriptionConfirmation` for a registered topic is confirmed; a duplicate `MessageId` is accepted and ignored; a verified notification that is not an SES event is acknowledged and ignored.",
    auth: "public",
    requestBody: { description: "The SNS message, as SNS sends it.", content: { "text/plain": { schema: t.String(), example: '{"Type":"Notification","MessageId":"…","TopicArn":"arn:aws:sns:…","Message":"{…}","SignatureVersion":"2","Signature":"…","SigningCertURL":"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-….pem"}' } } },
    responses: {
      200: { description: "Accepted (or ignored)." },
      400: { description: "Not an SNS message.", example: { error: "The body is not an SNS message (not JSON).", code: "sns_unparseable" } },
      403: { description: "Bad signature, untrusted certificate URL or unknown topic.", example: { error: "The SNS signature does not verify.", code: "sns_bad_signature" } },
    },
  }),
};

const totals = t.Object(Object.fromEntries(["sent", "delivered", "bounced", "complained", "opened", "clicked", "unsubscribed", "uniqueOpens", "uniqueClicks"].map((name) => [name, count])));
const bucket = t.Object({ t: t.String({ description: "The bucket: a day (YYYY-MM-DD) or an hour, in the caller's time zone." }), ...Object.fromEntries(["sent", "delivered", "bounced", "complained", "opened", "clicked"].map((name) => [name, count])) });
const totalsExample = { sent: 1000, delivered: 990, bounced: 8, complained: 0, opened: 420, clicked: 96, unsubscribed: 2, uniqueOpens: 380, uniqueClicks: 80, humanOpens: 300, humanClicks: 70 };

export const analyticsDocs = {
  get: apiDoc({
    tag: "Analytics",
    summary: "Figures for a period",
    description: "`from`/`to` are YYYY-MM-DD in the caller's time zone (the last 30 days by default); `interval` day or hour; narrow by `campaignId` or `listId`. `format=csv` answers CSV, `format=xlsx` an Excel workbook of the same view.",
    responses: {
      200: {
        description: "Totals and a gap-free series (JSON), or the CSV or workbook.",
        schema: t.Object({ totals, series: t.Array(bucket) }),
        also: {
          "text/csv": { schema: t.String(), example: "period,sent,delivered,bounced,complained,opened,clicked,uniqueOpens,uniqueClicks,humanOpens,humanClicks,unsubscribed\r\n2026-06-01,1000,990,8,0,420,96,380,80,300,70,2\r\n" },
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: t.String({ contentMediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }), example: "(an Excel workbook: Totals, Series and Recipients sheets)" },
        },
        example: {
          filter: { from: "2026-05-03", to: "2026-06-01", campaignId: null, listId: null, interval: "day", timeZone: "Europe/Paris" },
          totals: totalsExample,
          series: [{ t: "2026-06-01", sent: 1000, delivered: 990, bounced: 8, complained: 0, opened: 420, clicked: 96 }],
        },
      },
    },
  }),
  recipients: apiDoc({
    tag: "Analytics",
    summary: "Who was mailed, opened or clicked",
    description: "The view's recipients with their status, times, opens and clicks: `activity=opened|clicked|any`, `class=human` for people only, `format=csv|xlsx`. Streamed.",
    responses: {
      200: {
        ...csv("The file: CSV, or an Excel workbook with format=xlsx.", "Campaign,Email,Status,Sent at (Europe/Paris),…\r\nJune news,ana@example.com,clicked,2026-06-01 12:00,…\r\n"),
        also: { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { schema: t.String({ contentMediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" }), example: "(an Excel workbook)" } },
      },
    },
  }),
};

// ——— API keys and the team ———

const apiKey = t.Object({ id: id("key"), name: t.String(), scope: t.Union([t.Literal("send"), t.Literal("full")]), role: t.Union([t.Literal("admin"), t.Literal("member")]), prefix: t.String(), createdBy: nullable(t.String()), createdAt: date, lastUsedAt: nullable(date), revokedAt: nullable(date) });
const apiKeyExample = { id: "key_Xy12Ab34Cd56Ef78", name: "Shop server", scope: "send", role: "member", prefix: "sesame_Ab12Cd…", createdBy: "olive@example.com", createdAt: when, lastUsedAt: null, revokedAt: null };

export const apiKeysDocs = {
  create: apiDoc({
    tag: "API keys",
    summary: "Create an API key",
    description: "`scope` send: send mail and read its progress; full: the whole API. The key acts with at most its creator's role. The secret is in this answer only; Sesame keeps its hash.",
    requestExample: { name: "Shop server", scope: "send" },
    responses: { 201: { description: "The key, shown this once.", schema: t.Object({ ...apiKey.properties, key: t.String() }), example: { ...apiKeyExample, key: "sesame_Ab12Cd…(43 characters)" } } },
  }),
  list: apiDoc({ tag: "API keys", summary: "The workspace's API keys", description: "Admins see every key, members their own; never a secret.", responses: { 200: { description: "Newest first.", schema: items(apiKey), example: { items: [apiKeyExample] } } } }),
  revoke: apiDoc({ tag: "API keys", summary: "Revoke an API key", description: "It stops working at once.", responses: { 204: gone("Revoked.") } }),
};

const member = t.Object({ userId: id("usr"), email: t.String(), name: t.String(), role: t.Union([t.Literal("owner"), t.Literal("admin"), t.Literal("member")]), joinedAt: date });
const memberExample = { userId: "usr_f0HudA2GRNQ0uRQp", email: "olive@example.com", name: "Olive", role: "owner", joinedAt: when };
const samExample = { userId: "usr_KM4tkjwhlBUWZbr-", email: "sam@example.com", name: "Sam", role: "member", joinedAt: when };

export const teamDocs = {
  invite: apiDoc({
    tag: "Workspace",
    summary: "Invite someone to the workspace",
    description: "A single-use, expiring link (also mailed through SES when `email` is given and the workspace is connected). Workspace admins only.",
    requestExample: { role: "member", email: "sam@example.com" },
    responses: {
      201: {
        description: "The link to give the person (shown this once), and whether it was mailed.",
        schema: t.Object({ id: id("inv"), role: t.Union([t.Literal("admin"), t.Literal("member")]), expiresAt: date, url: t.String(), emailed: t.Boolean() }),
        example: { id: "inv_--L6OTcOxy2n0H0o", role: "member", expiresAt: "2026-06-08T10:00:00.000Z", url: "https://sesame.example.com/invite/umfxCSHRTL…", emailed: true },
      },
    },
  }),
  members: apiDoc({
    tag: "Workspace",
    summary: "The workspace's members",
    responses: { 200: { description: "Everyone with a role here.", schema: items(member), example: { items: [memberExample] } } },
  }),
  changeMember: apiDoc({
    tag: "Workspace",
    summary: "Change a member's role",
    description: "`role` is owner, admin or member. Owners change anyone's role and make owners; admins change admins and members but never touch an owner. The last owner keeps the role.",
    requestExample: { role: "admin" },
    responses: {
      200: { description: "The member as saved.", schema: member, example: { ...samExample, role: "admin" } },
      409: { description: "That would leave the workspace without an owner.", example: { error: "This is the workspace's last owner. Make someone else an owner first.", code: "last_owner" } },
      422: { description: "Not one of owner, admin or member.", example: { error: "Choose owner, admin or member.", code: "invalid_role", field: "role" } },
    },
  }),
  removeMember: apiDoc({
    tag: "Workspace",
    summary: "Remove a member, or leave the workspace",
    description: "With the caller's own id, the caller leaves. The person loses access at once: their sessions here move to another workspace of theirs, or end. The last owner cannot leave or be removed.",
    responses: {
      204: gone("Removed."),
      409: { description: "The workspace's last owner.", example: { error: "This is the workspace's last owner and cannot be removed.", code: "last_owner" } },
    },
  }),
  invites: apiDoc({
    tag: "Workspace",
    summary: "Pending invites",
    description: "Invites not yet used, revoked or expired; never their links (shown only when made). Workspace admins only.",
    responses: {
      200: {
        description: "Newest first.",
        schema: items(
          t.Object({
            id: id("inv"),
            role: t.Union([t.Literal("admin"), t.Literal("member")]),
            email: nullable(t.String()),
            createdAt: date,
            expiresAt: date,
            createdBy: nullable(t.Object({ id: id("usr"), email: t.String(), name: t.String() })),
          }),
        ),
        example: { items: [{ id: "inv_--L6OTcOxy2n0H0o", role: "member", email: "sam@example.com", createdAt: when, expiresAt: "2026-06-08T10:00:00.000Z", createdBy: { id: userExample.id, email: userExample.email, name: "Olive" } }] },
      },
    },
  }),
  revokeInvite: apiDoc({
    tag: "Workspace",
    summary: "Revoke an invite",
    description: "Its link stops working at once. Workspace admins only.",
    responses: { 204: gone("Revoked."), 404: { description: "No pending invite with that id here.", example: { error: "There is no pending invite with that id in this workspace (it may have been used, revoked or expired).", code: "invite_not_found" } } },
  }),
  accept: apiDoc({
    tag: "Workspace",
    summary: "Accept an invite",
    description:
      "`token` is the last part of the invite link (`/invite/<token>`). The signed-in caller joins the workspace with the invite's role and the session moves there. Someone already a member is just moved there (`joined: false`) and the link stays unused. Not with an API key.",
    responses: {
      200: {
        description: "The workspace the session is in now.",
        schema: t.Object({ workspace, role: member.properties.role, joined: t.Boolean() }),
        example: { workspace: workspaceExample, role: "member", joined: true },
      },
      422: { description: "The link was used, revoked, has expired or is unknown.", example: { error: "This invite link has already been used. Each link works once: ask the person who invited you for a new one.", code: "invite_used" } },
    },
  }),
};
