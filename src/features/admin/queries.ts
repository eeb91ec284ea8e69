import { and, count, eq, ne } from "drizzle-orm";
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
