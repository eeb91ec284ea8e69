import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { ContactStatus } from "./model";

export async function findContactsByEmails(db: Database, workspaceId: string, emails: string[]) {
  if (emails.length === 0) return [];
  const { contacts } = db.t;
  return db.orm
    .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes, status: contacts.status })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.email, emails)));
}

/**
 * Writes many contacts in one statement: new addresses are inserted, existing ones get the given
 * (already merged) attributes. Status is never touched here: an import cannot revive an address.
 */
export async function upsertContacts(
  db: Database,
  rows: { workspaceId: string; email: string; attributes: Record<string, string>; status: ContactStatus; createdAt: Date; updatedAt: Date }[],
) {
  if (rows.length === 0) return [];
  const { contacts } = db.t;
  return db.orm
    .insert(contacts)
    .values(rows)
    .onConflictDoUpdate({
      target: [contacts.workspaceId, contacts.email],
      set: { attributes: sql`excluded.attributes`, updatedAt: sql`excluded.updated_at` },
    })
    .returning({ id: contacts.id, email: contacts.email });
}

export async function addContactsToList(db: Database, workspaceId: string, listId: string, contactIds: number[], now: Date) {
  if (contactIds.length === 0) return;
  const { listContacts } = db.t;
  await db.orm
    .insert(listContacts)
    .values(contactIds.map((contactId) => ({ listId, contactId, workspaceId, createdAt: now })))
    .onConflictDoNothing({ target: [listContacts.listId, listContacts.contactId] });
}

export async function deleteContact(db: Database, workspaceId: string, id: number): Promise<boolean> {
  const { contacts } = db.t;
  const deleted = await db.orm.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id))).returning({ id: contacts.id });
  return deleted.length > 0;
}

export async function setContactStatusByEmail(db: Database, workspaceId: string, email: string, status: ContactStatus, now: Date) {
  const { contacts } = db.t;
  await db.orm.update(contacts).set({ status, updatedAt: now }).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.email, email)));
}
