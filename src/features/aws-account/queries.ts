import { and, asc, desc, eq, gte, inArray, lt, ne } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { AccountSample } from "./model";

const sampleColumns = (t: Database["t"]["awsAccountSamples"]) => ({
  id: t.id,
  at: t.at,
  region: t.region,
  sendingEnabled: t.sendingEnabled,
  productionAccess: t.productionAccess,
  enforcementStatus: t.enforcementStatus,
  reviewStatus: t.reviewStatus,
  maxSendRate: t.maxSendRate,
  max24HourSend: t.max24HourSend,
  sentLast24Hours: t.sentLast24Hours,
  vdmEnabled: t.vdmEnabled,
});

export async function latestAccountSample(db: Database, workspaceId: string, region: string): Promise<(AccountSample & { id: number }) | null> {
  const samples = db.t.awsAccountSamples;
  const [row] = await db.orm
    .select(sampleColumns(samples))
    .from(samples)
    .where(and(eq(samples.workspaceId, workspaceId), eq(samples.region, region)))
    .orderBy(desc(samples.at), desc(samples.id))
    .limit(1);
  return row ? { ...row, id: Number(row.id) } : null;
}

export async function insertAccountSample(db: Database, workspaceId: string, sample: AccountSample): Promise<number> {
  const [row] = await db.orm
    .insert(db.t.awsAccountSamples)
    .values({ workspaceId, ...sample })
    .returning({ id: db.t.awsAccountSamples.id });
  return Number(row!.id);
}

/** Readings older than `before` go, except the newest one kept, which later readings are compared with. */
export async function pruneAccountSamples(db: Database, workspaceId: string, region: string, before: Date, keepId: number) {
  const samples = db.t.awsAccountSamples;
  await db.orm
    .delete(samples)
    .where(and(eq(samples.workspaceId, workspaceId), eq(samples.region, region), lt(samples.at, before), ne(samples.id, keepId)));
}

/** The workspace's readings in one region since `since`, oldest first. */
export async function accountSamplesSince(db: Database, workspaceId: string, region: string, since: Date, limit: number): Promise<AccountSample[]> {
  const samples = db.t.awsAccountSamples;
  const rows = await db.orm
    .select(sampleColumns(samples))
    .from(samples)
    .where(and(eq(samples.workspaceId, workspaceId), eq(samples.region, region), gte(samples.at, since)))
    .orderBy(asc(samples.at), asc(samples.id))
    .limit(limit);
  return rows.map(({ id: _id, ...sample }) => sample);
}

/** Workspaces whose keys are saved: the ones background jobs may call AWS for. */
export async function workspacesWithSavedKeys(db: Database): Promise<string[]> {
  const rows = await db.orm.select({ workspaceId: db.t.awsCredentials.workspaceId }).from(db.t.awsCredentials);
  return rows.map((r) => r.workspaceId);
}

/** The configuration set the event set-up created for the workspace, if it ran. */
export async function findConfigurationSetName(db: Database, workspaceId: string): Promise<string | null> {
  const [row] = await db.orm.select({ name: db.t.workspaces.configurationSet }).from(db.t.workspaces).where(eq(db.t.workspaces.id, workspaceId));
  return row?.name ?? null;
}

/**
 * The workspace's campaigns still to send (scheduled, running or paused) that send with one session's
 * own keys: those launched from that session while the workspace had no saved keys.
 */
export async function findCampaignsStillSendingFromSession(db: Database, workspaceId: string, sessionId: string) {
  const { campaigns: c } = db.t;
  return db.orm
    .select({ id: c.id, name: c.name })
    .from(c)
    .where(and(eq(c.workspaceId, workspaceId), eq(c.sessionId, sessionId), inArray(c.status, ["scheduled", "running", "paused"])))
    .orderBy(asc(c.createdAt));
}
