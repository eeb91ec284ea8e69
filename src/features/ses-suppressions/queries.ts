import { and, eq, inArray, isNull, lt, ne, or } from "drizzle-orm";
import { transaction, type Database } from "../../db/client";
import { clearSesPushed } from "../suppressions/queries";
import type { SyncSetting } from "./model";

/** The workspace's sync setting, when it last started a sync, and the newest SES entry pulled so far. */
export async function findSyncState(db: Database, workspaceId: string) {
  const { workspaces } = db.t;
  const [row] = await db.orm
    .select({ sync: workspaces.sesSuppressionSync, syncedAt: workspaces.sesSuppressionSyncedAt, pulledThrough: workspaces.sesSuppressionPulledThrough })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row ?? null;
}

export async function updateSyncSetting(db: Database, workspaceId: string, sync: SyncSetting) {
  await db.orm.update(db.t.workspaces).set({ sesSuppressionSync: sync }).where(eq(db.t.workspaces.id, workspaceId));
}

export async function recordSyncStarted(db: Database, workspaceId: string, at: Date) {
  await db.orm.update(db.t.workspaces).set({ sesSuppressionSyncedAt: at }).where(eq(db.t.workspaces.id, workspaceId));
}

export async function recordPulledThrough(db: Database, workspaceId: string, through: Date) {
  await db.orm.update(db.t.workspaces).set({ sesSuppressionPulledThrough: through }).where(eq(db.t.workspaces.id, workspaceId));
}

/**
 * Points the sync's marks (the newest entry pulled, and each suppression's ses_pushed_at) at the
 * SES list `target`, forgetting them when they described another one: what was pushed to or pulled
 * from one account and region says nothing about another. True when they were reset.
 */
export async function retargetSyncMarks(db: Database, workspaceId: string, target: string): Promise<boolean> {
  return transaction(db, async (tx) => {
    const { workspaces } = tx.t;
    // Conditional, so that of two runs starting at once only one resets (the other finds it done).
    const moved = await tx.orm
      .update(workspaces)
      .set({ sesSuppressionTarget: target, sesSuppressionPulledThrough: null })
      .where(and(eq(workspaces.id, workspaceId), or(isNull(workspaces.sesSuppressionTarget), ne(workspaces.sesSuppressionTarget, target))))
      .returning({ id: workspaces.id });
    if (moved.length === 0) return false;
    await clearSesPushed(tx, workspaceId);
    return true;
  });
}

/** Workspaces with saved keys that chose to sync and have not started one since `before`. */
export async function workspacesDueForSync(db: Database, before: Date) {
  const { workspaces, awsCredentials } = db.t;
  return db.orm
    .select({ id: workspaces.id, sync: workspaces.sesSuppressionSync })
    .from(workspaces)
    .innerJoin(awsCredentials, eq(awsCredentials.workspaceId, workspaces.id))
    .where(and(ne(workspaces.sesSuppressionSync, "off"), or(isNull(workspaces.sesSuppressionSyncedAt), lt(workspaces.sesSuppressionSyncedAt, before))));
}

/**
 * Takes the workspace's turn to sync: only one caller wins while its last start is older than
 * `before`, so two app instances running the background job never start the same sync twice.
 */
export async function claimSync(db: Database, workspaceId: string, at: Date, before: Date): Promise<boolean> {
  const { workspaces } = db.t;
  const claimed = await db.orm
    .update(workspaces)
    .set({ sesSuppressionSyncedAt: at })
    .where(and(eq(workspaces.id, workspaceId), inArray(workspaces.sesSuppressionSync, ["pull", "push", "both"]), or(isNull(workspaces.sesSuppressionSyncedAt), lt(workspaces.sesSuppressionSyncedAt, before))))
    .returning({ id: workspaces.id });
  return claimed.length > 0;
}
