import { and, count, eq, ne, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { UserRole } from "../auth/model";

export async function listUsers(db: Database) {
  const { users } = db.t;
  return db.orm
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, disabled: users.disabled, createdAt: users.createdAt })
    .from(users)
    .orderBy(users.createdAt);
}

export async function findUser(db: Database, id: string) {
  const [row] = await db.orm.select().from(db.t.users).where(eq(db.t.users.id, id));
  return row ?? null;
}

/** Active administrators other than `exceptId`: there must always be at least one left. */
export async function countOtherActiveAdmins(db: Database, exceptId: string): Promise<number> {
  const { users } = db.t;
  const [row] = await db.orm
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, exceptId)));
  return Number(row?.n ?? 0);
}

export async function updateUser(db: Database, id: string, patch: { role?: UserRole; disabled?: boolean; updatedAt: Date }) {
  await db.orm.update(db.t.users).set(patch).where(eq(db.t.users.id, id));
}

/** One instance-wide setting (instance_settings), or null when it was never set. */
export async function readSetting(db: Database, key: string): Promise<unknown> {
  const { instanceSettings } = db.t;
  const [row] = await db.orm.select({ value: instanceSettings.value }).from(instanceSettings).where(eq(instanceSettings.key, key));
  return row?.value ?? null;
}

export async function writeSetting(db: Database, key: string, value: unknown, now: Date) {
  const { instanceSettings } = db.t;
  await db.orm
    .insert(instanceSettings)
    .values({ key, value, updatedAt: now })
    .onConflictDoUpdate({ target: instanceSettings.key, set: { value, updatedAt: now } });
}

export async function deleteSetting(db: Database, key: string) {
  const { instanceSettings } = db.t;
  await db.orm.delete(instanceSettings).where(eq(instanceSettings.key, key));
}

/** Every workspace with how many people belong to it, oldest first. */
export async function listWorkspacesWithMembers(db: Database) {
  const { workspaces, memberships } = db.t;
  const rows = await db.orm
    .select({ id: workspaces.id, name: workspaces.name, members: count(memberships.userId) })
    .from(workspaces)
    .leftJoin(memberships, eq(memberships.workspaceId, workspaces.id))
    .groupBy(workspaces.id, workspaces.name, workspaces.createdAt)
    .orderBy(workspaces.createdAt, workspaces.id);
  return rows.map((r) => ({ ...r, members: Number(r.members) }));
}

/**
 * Per workspace, from the hourly counters only (never a recipient or a message): mails sent since
 * `dayStart` and since `monthStart`, and delivered, bounced and complained since `ratesSince`.
 */
export async function sendingCountsByWorkspace(db: Database, windows: { dayStart: number; monthStart: number; ratesSince: number }) {
  const { dayStart, monthStart, ratesSince } = windows;
  const since = Math.min(monthStart, ratesSince);
  const rows = await db.rows<{ workspace_id: string; sent_today: unknown; sent_month: unknown; delivered: unknown; bounced: unknown; complained: unknown }>(sql`
    select workspace_id,
      coalesce(sum(case when hour >= ${dayStart} then sent else 0 end), 0) as sent_today,
      coalesce(sum(case when hour >= ${monthStart} then sent else 0 end), 0) as sent_month,
      coalesce(sum(case when hour >= ${ratesSince} then delivered else 0 end), 0) as delivered,
      coalesce(sum(case when hour >= ${ratesSince} then bounced else 0 end), 0) as bounced,
      coalesce(sum(case when hour >= ${ratesSince} then complained else 0 end), 0) as complained
    from campaign_stats
    where hour >= ${since}
    group by workspace_id`);
  return new Map(
    rows.map((r) => [
      r.workspace_id,
      { sentToday: Number(r.sent_today), sentThisMonth: Number(r.sent_month), delivered: Number(r.delivered), bounced: Number(r.bounced), complained: Number(r.complained) },
    ]),
  );
}

/** Each workspace's latest SES quota reading (GetAccount, as the account pages and their job keep it). */
export async function latestQuotaByWorkspace(db: Database) {
  const rows = await db.rows<{ workspace_id: string; region: string; at: unknown; max_24_hour_send: unknown; sent_last_24_hours: unknown }>(sql`
    select s.workspace_id, s.region, s.at, s.max_24_hour_send, s.sent_last_24_hours
    from aws_account_samples s
    where s.id = (select s2.id from aws_account_samples s2 where s2.workspace_id = s.workspace_id order by s2.at desc, s2.id desc limit 1)`);
  return new Map(
    rows.map((r) => [
      r.workspace_id,
      { region: r.region, at: new Date(Number(r.at)), max24HourSend: Number(r.max_24_hour_send), sentLast24Hours: Number(r.sent_last_24_hours) },
    ]),
  );
}

/** Workspaces that have saved AWS keys (a system mail connection needs keys that outlive any session), with their region. */
export async function workspacesWithSavedKeys(db: Database) {
  const { workspaces, awsCredentials } = db.t;
  return db.orm
    .select({ id: workspaces.id, name: workspaces.name, region: awsCredentials.region })
    .from(awsCredentials)
    .innerJoin(workspaces, eq(workspaces.id, awsCredentials.workspaceId))
    .orderBy(workspaces.name, workspaces.id);
}

/** Identities SES verified for a workspace in a region, as the identities pages last read them. */
export async function verifiedIdentities(db: Database, workspaceId: string, region: string) {
  const { sesIdentities: i } = db.t;
  return db.orm
    .select({ name: i.name, type: i.type })
    .from(i)
    .where(and(eq(i.workspaceId, workspaceId), eq(i.region, region), eq(i.verificationStatus, "SUCCESS")))
    .orderBy(i.name);
}

/** One API key's own limits (never its hash). */
export async function findApiKeyLimits(db: Database, id: string) {
  const { apiKeys } = db.t;
  const [row] = await db.orm
    .select({ id: apiKeys.id, requestsPerMinute: apiKeys.requestsPerMinute, mailsPerDay: apiKeys.mailsPerDay })
    .from(apiKeys)
    .where(eq(apiKeys.id, id));
  return row ?? null;
}
