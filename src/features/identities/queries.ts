import { and, asc, eq, inArray, isNotNull, lte, notInArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { CachedIdentity } from "./model";

export async function findCachedIdentities(db: Database, workspaceId: string, region: string): Promise<CachedIdentity[]> {
  const { sesIdentities: i } = db.t;
  return db.orm
    .select()
    .from(i)
    .where(and(eq(i.workspaceId, workspaceId), eq(i.region, region)))
    .orderBy(asc(i.name));
}

export async function findCachedIdentity(db: Database, workspaceId: string, region: string, name: string): Promise<CachedIdentity | null> {
  const { sesIdentities: i } = db.t;
  const [row] = await db.orm
    .select()
    .from(i)
    .where(and(eq(i.workspaceId, workspaceId), eq(i.region, region), eq(i.name, name)));
  return row ?? null;
}

export async function saveCachedIdentity(db: Database, row: CachedIdentity) {
  const { sesIdentities: i } = db.t;
  const { workspaceId, region, name, createdAt, ...values } = row;
  await db.orm
    .insert(i)
    .values(row)
    .onConflictDoUpdate({ target: [i.workspaceId, i.region, i.name], set: values });
}

/** Forgets the identities SES no longer lists for these keys' region (deleted in the console, or here). */
export async function forgetCachedIdentitiesExcept(db: Database, workspaceId: string, region: string, names: string[]) {
  const { sesIdentities: i } = db.t;
  const scope = and(eq(i.workspaceId, workspaceId), eq(i.region, region));
  await db.orm.delete(i).where(names.length ? and(scope, notInArray(i.name, names)) : scope);
}

export async function forgetCachedIdentity(db: Database, workspaceId: string, region: string, name: string) {
  const { sesIdentities: i } = db.t;
  await db.orm.delete(i).where(and(eq(i.workspaceId, workspaceId), eq(i.region, region), eq(i.name, name)));
}

/** Pending identities whose next background check is due, across workspaces, the longest-waiting first. */
export async function findDueIdentities(db: Database, now: Date, limit: number): Promise<CachedIdentity[]> {
  const { sesIdentities: i } = db.t;
  return db.orm
    .select()
    .from(i)
    .where(and(isNotNull(i.nextCheckAt), lte(i.nextCheckAt, now)))
    .orderBy(asc(i.nextCheckAt))
    .limit(limit);
}

/** Moves a workspace's due checks later (no keys to check with, or SES refused): they come back then. The same name in another region keeps its own schedule. */
export async function postponeIdentityChecks(db: Database, workspaceId: string, rows: Pick<CachedIdentity, "region" | "name">[], until: Date) {
  const { sesIdentities: i } = db.t;
  const byRegion = new Map<string, string[]>();
  for (const row of rows) byRegion.set(row.region, [...(byRegion.get(row.region) ?? []), row.name]);
  for (const [region, names] of byRegion) {
    await db.orm
      .update(i)
      .set({ nextCheckAt: until })
      .where(and(eq(i.workspaceId, workspaceId), eq(i.region, region), inArray(i.name, names), isNotNull(i.nextCheckAt)));
  }
}

/** The workspace's campaigns that will still send (scheduled, running or paused), with their From. */
export async function findCampaignsStillSending(db: Database, workspaceId: string) {
  const { campaigns: c } = db.t;
  return db.orm
    .select({ id: c.id, name: c.name, fromAddress: c.fromAddress })
    .from(c)
    .where(and(eq(c.workspaceId, workspaceId), inArray(c.status, ["scheduled", "running", "paused"])))
    .orderBy(asc(c.createdAt));
}
