import type { Database } from "../../db/client";

export type SuppressionReason = "hard_bounce" | "complaint" | "unsubscribe" | "manual";

/** Adds addresses to a workspace's suppression list; an address already there keeps its first reason. */
export async function addSuppressions(db: Database, rows: { workspaceId: string; email: string; reason: SuppressionReason; source: string; createdAt: Date }[]) {
  if (rows.length === 0) return;
  const { suppressions } = db.t;
  await db.orm.insert(suppressions).values(rows).onConflictDoNothing({ target: [suppressions.workspaceId, suppressions.email] });
}
