import { and, eq, inArray, sql } from "drizzle-orm";
import { inJson, type Database } from "../../db/client";
import type { ContactStatus } from "./model";

export async function findContactsByEmails(db: Database, workspaceId: string, emails: string[]) {
  if (emails.length === 0) return [];
  const { contacts } = db.t;
  return db.orm
    .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes, status: contacts.status })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inJson(db, contacts.email, emails)));
}

/**
 * Writes many contacts and puts them on a list: new addresses are inserted; existing ones get the
 * given attributes merged over theirs when `merge` (merged in SQL, so two imports touching one
 * address at once both keep their attributes) and are left as they are otherwise; `kept` are
 * existing contacts that only join the list. Status is never touched for an existing contact: an
 * import cannot revive an address. Rows travel as one JSON parameter that the database unpacks, in
 * address order, so concurrent writers lock rows in one order and do not deadlock.
 *
 * Returns what became of each row (imported, updated, unchanged) where the caller's lookup could
 * have been overtaken: on PostgreSQL another import may insert an address between the lookup and
 * this write. On SQLite the lookup ran under the same write lock, so `outcome` is null (it was
 * exact). `joined` counts the contacts that were not on the list before; the caller adds it to the
 * list's count. Each membership keeps the CSV row it came from (`row`), so "order added" is the
 * file's order even though rows are written in address order. Imports run this per 1,000 rows, so each dialect takes its faster route to the new ids:
 * PostgreSQL returns them from the insert, while on SQLite RETURNING costs more than finding the
 * rows again through the unique index.
 */
export async function upsertContactsOnList(
  db: Database,
  scope: { workspaceId: string; listId: string },
  rows: { email: string; attributes: Record<string, string>; status: ContactStatus; row: number }[],
  kept: { id: number; email: string; row: number }[],
  now: Date,
  merge: boolean,
): Promise<{ outcome: Map<string, "imported" | "updated" | "unchanged"> | null; joined: number }> {
  const { workspaceId, listId } = scope;
  const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
  const json = JSON.stringify([...rows].sort(byEmail));
  const at = now.getTime();
  if (db.dialect === "postgres") {
    // Another import may have added an address since the lookup: it merges into that row (or, to
    // keep, leaves it) and only real changes are written and returned.
    const written =
      rows.length === 0
        ? []
        : await db.rows<{ id: number; email: string; inserted: boolean }>(sql`
            insert into contacts (workspace_id, email, attributes, status, created_at, updated_at)
            select ${workspaceId}, r.email, r.attributes, r.status, ${at}, ${at}
            from jsonb_to_recordset(${json}::jsonb) as r(email text, attributes jsonb, status text)
            on conflict (workspace_id, email) do ${
              merge
                ? sql`update set attributes = contacts.attributes || excluded.attributes, updated_at = excluded.updated_at
                      where contacts.attributes is distinct from contacts.attributes || excluded.attributes`
                : sql`nothing`
            }
            returning id, email, (xmax = 0) as inserted`);
    const outcome = new Map<string, "imported" | "updated" | "unchanged">(written.map((w) => [w.email, w.inserted ? "imported" : "updated"]));
    // Rows left as they were are not returned: their ids come from a fresh look (which sees the other import's commit).
    const untouched = rows.filter((r) => !outcome.has(r.email)).map((r) => r.email);
    const found = await findContactsByEmails(db, workspaceId, untouched);
    for (const f of found) outcome.set(f.email, "unchanged");
    const rowOf = new Map<string, number>([...rows, ...kept].map((r) => [r.email, r.row]));
    const members = JSON.stringify(
      [...written, ...found, ...kept].map((r) => ({ id: Number(r.id), row: rowOf.get(r.email) ?? 0 })).sort((a, b) => a.id - b.id),
    );
    if (members === "[]") return { outcome, joined: 0 };
    const [inserted] = await db.rows<{ n: number }>(sql`
      with added as (
        insert into list_contacts (list_id, contact_id, workspace_id, created_at, position)
        select ${listId}, m.id, ${workspaceId}, ${at}, m.row from jsonb_to_recordset(${members}::jsonb) as m(id bigint, row integer)
        on conflict do nothing
        returning 1
      )
      select count(*)::integer as n from added`);
    return { outcome, joined: Number(inserted?.n ?? 0) };
  }
  if (rows.length > 0)
    await db.rows(sql`
      insert into contacts (workspace_id, email, attributes, status, created_at, updated_at)
      select ${workspaceId}, j.value ->> '$.email', json(j.value -> '$.attributes'), j.value ->> '$.status', ${at}, ${at}
      from json_each(${json}) j where true
      on conflict (workspace_id, email) do ${
        merge ? sql`update set attributes = json_patch(contacts.attributes, excluded.attributes), updated_at = excluded.updated_at` : sql`nothing`
      }`);
  const members = JSON.stringify([...rows, ...kept].map((r) => [r.email, r.row]));
  if (members === "[]") return { outcome: null, joined: 0 };
  // CROSS JOIN keeps the JSON array as the outer loop: each address is one probe of the unique index.
  await db.rows(sql`
    insert into list_contacts (list_id, contact_id, workspace_id, created_at, position)
    select ${listId}, c.id, ${workspaceId}, ${at}, j.value ->> '$[1]'
    from json_each(${members}) j cross join contacts c on c.workspace_id = ${workspaceId} and c.email = j.value ->> '$[0]'
    where true
    on conflict do nothing`);
  // The caller runs this inside its transaction, so no other statement came between on this connection.
  const [inserted] = await db.rows<{ n: number }>(sql`select changes() as n`);
  return { outcome: null, joined: Number(inserted?.n ?? 0) };
}

/** Deletes a contact and its list memberships (there is no foreign key to cascade them), keeping the lists' counts. */
export async function deleteContact(db: Database, workspaceId: string, id: number): Promise<boolean> {
  const { contacts, listContacts, lists } = db.t;
  const left = await db.orm
    .delete(listContacts)
    .where(and(eq(listContacts.workspaceId, workspaceId), eq(listContacts.contactId, id)))
    .returning({ listId: listContacts.listId });
  if (left.length)
    await db.orm
      .update(lists)
      .set({ contactCount: sql`${lists.contactCount} - 1` })
      .where(and(eq(lists.workspaceId, workspaceId), inArray(lists.id, left.map((l) => l.listId))));
  const deleted = await db.orm.delete(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id))).returning({ id: contacts.id });
  return deleted.length > 0;
}

/** One status for many addresses at once (a suppression import sets a thousand per statement). */
export async function setContactsStatusByEmails(db: Database, workspaceId: string, emails: string[], status: ContactStatus, now: Date) {
  if (emails.length === 0) return;
  const { contacts } = db.t;
  await db.orm.update(contacts).set({ status, updatedAt: now }).where(and(eq(contacts.workspaceId, workspaceId), inJson(db, contacts.email, emails)));
}

export async function setContactStatusByEmail(db: Database, workspaceId: string, email: string, status: ContactStatus, now: Date) {
  const { contacts } = db.t;
  await db.orm.update(contacts).set({ status, updatedAt: now }).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.email, email)));
}

/**
 * PostgreSQL plans the address lookups of an import, and the searches of a list, from table
 * statistics; on tables that grew from empty within one import they are stale and plans degrade to
 * scans. Imports refresh them as the tables grow and when they finish. SQLite needs nothing.
 */
export async function refreshContactStats(db: Database) {
  if (db.dialect === "postgres") await db.rows(sql`analyze contacts, list_contacts`);
}

export async function findContact(db: Database, workspaceId: string, id: number) {
  const { contacts } = db.t;
  const [row] = await db.orm.select().from(contacts).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)));
  return row ?? null;
}

export async function insertContact(
  db: Database,
  row: { workspaceId: string; email: string; attributes: Record<string, string>; status: ContactStatus; now: Date },
): Promise<number> {
  const { contacts } = db.t;
  const [inserted] = await db.orm
    .insert(contacts)
    .values({ workspaceId: row.workspaceId, email: row.email, attributes: row.attributes, status: row.status, createdAt: row.now, updatedAt: row.now })
    .returning({ id: contacts.id });
  return Number(inserted!.id);
}

export async function setContactAttributes(db: Database, workspaceId: string, id: number, attributes: Record<string, string>, now: Date) {
  const { contacts } = db.t;
  await db.orm.update(contacts).set({ attributes, updatedAt: now }).where(and(eq(contacts.workspaceId, workspaceId), eq(contacts.id, id)));
}
