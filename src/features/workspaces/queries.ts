import { and, eq } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { WorkspaceRole } from "../auth/model";

export async function insertWorkspace(db: Database, row: { id: string; name: string; createdAt: Date }) {
  await db.orm.insert(db.t.workspaces).values(row);
}

export async function insertMembership(
  db: Database,
  row: { workspaceId: string; userId: string; role: WorkspaceRole; createdAt: Date },
) {
  await db.orm.insert(db.t.memberships).values(row);
}

/** The workspace a user lands in at login: the oldest one they belong to. */
export async function findHomeMembership(db: Database, userId: string) {
  const { memberships, workspaces } = db.t;
  const [row] = await db.orm
    .select({ workspaceId: memberships.workspaceId, workspaceName: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt)
    .limit(1);
  return row ?? null;
}

export async function findMembership(db: Database, workspaceId: string, userId: string) {
  const { memberships } = db.t;
  const [row] = await db.orm
    .select()
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
  return row ?? null;
}

export async function findWorkspace(db: Database, id: string) {
  const { workspaces } = db.t;
  const [row] = await db.orm.select().from(workspaces).where(eq(workspaces.id, id));
  return row ?? null;
}

export async function renameWorkspaceRow(db: Database, id: string, name: string) {
  const { workspaces } = db.t;
  await db.orm.update(workspaces).set({ name }).where(eq(workspaces.id, id));
}
