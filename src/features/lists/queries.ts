import { and, asc, count, desc, eq, gt, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { ContactSort } from "./model";

export async function insertList(db: Database, row: { id: string; workspaceId: string; name: string; createdAt: Date }) {
  await db.orm.insert(db.t.lists).values(row);
}

export async function findList(db: Database, workspaceId: string, id: string) {
  const { lists } = db.t;
  const [row] = await db.orm.select().from(lists).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, id)));
  return row ?? null;
}

export async function findListByName(db: Database, workspaceId: string, name: string) {
  const { lists } = db.t;
  const [row] = await db.orm
    .select()
    .from(lists)
    .where(and(eq(lists.workspaceId, workspaceId), sql`lower(${lists.name}) = ${name.toLowerCase()}`));
  return row ?? null;
}

export async function listListsWithCounts(db: Database, workspaceId: string) {
  const { lists, listContacts } = db.t;
  const rows = await db.orm
    .select({ id: lists.id, name: lists.name, createdAt: lists.createdAt, contacts: count(listContacts.contactId) })
    .from(lists)
    .leftJoin(listContacts, eq(listContacts.listId, lists.id))
    .where(eq(lists.workspaceId, workspaceId))
    .groupBy(lists.id, lists.name, lists.createdAt)
    .orderBy(asc(lists.createdAt));
  return rows.map((r) => ({ ...r, contacts: Number(r.contacts) }));
}

/** Deletes a list, and the contacts that belonged to it and to no other list. */
export async function deleteListAndOrphans(db: Database, workspaceId: string, listId: string): Promise<{ contactsDeleted: number }> {
  const { lists, contacts, listContacts } = db.t;
  const deleted = await db.orm
    .delete(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`${contacts.id} in (select ${listContacts.contactId} from ${listContacts} where ${listContacts.listId} = ${listId})`,
        sql`not exists (select 1 from ${listContacts} other where other.contact_id = ${contacts.id} and other.list_id <> ${listId})`,
      ),
    )
    .returning({ id: contacts.id });
  await db.orm.delete(listContacts).where(and(eq(listContacts.workspaceId, workspaceId), eq(listContacts.listId, listId)));
  await db.orm.delete(lists).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, listId)));
  return { contactsDeleted: deleted.length };
}

/** `q` matches the address or the value of any attribute, case-insensitively. */
function contactSearch(db: Database, q: string): SQL {
  const { contacts } = db.t;
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db.dialect === "postgres"
    ? sql`(${contacts.email} ilike ${pattern} escape '\\' or exists (select 1 from jsonb_each_text(${contacts.attributes}) as a(key, value) where a.value ilike ${pattern} escape '\\'))`
    : sql`(${contacts.email} like ${pattern} escape '\\' or exists (select 1 from json_each(${contacts.attributes}) as a where a.value like ${pattern} escape '\\'))`;
}

export async function listContactsPage(
  db: Database,
  workspaceId: string,
  listId: string,
  options: { q: string; page: number; pageSize: number; sort: ContactSort },
) {
  const { contacts, listContacts } = db.t;
  const where = and(
    eq(listContacts.listId, listId),
    eq(contacts.workspaceId, workspaceId),
    options.q ? contactSearch(db, options.q) : undefined,
  );
  const order = {
    email: asc(contacts.email),
    "-email": desc(contacts.email),
    created: asc(contacts.id),
    "-created": desc(contacts.id),
  }[options.sort];
  const [items, [total]] = await Promise.all([
    db.orm
      .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes, status: contacts.status })
      .from(listContacts)
      .innerJoin(contacts, eq(contacts.id, listContacts.contactId))
      .where(where)
      .orderBy(order)
      .limit(options.pageSize)
      .offset((options.page - 1) * options.pageSize),
    db.orm.select({ n: count() }).from(listContacts).innerJoin(contacts, eq(contacts.id, listContacts.contactId)).where(where),
  ]);
  return { items, total: Number(total?.n ?? 0) };
}

/** One page of a list's contacts after `afterId`, in id order: exports walk a list this way without OFFSET. */
export async function contactsAfter(db: Database, workspaceId: string, listId: string, afterId: number, limit: number) {
  const { contacts, listContacts } = db.t;
  return db.orm
    .select({ id: contacts.id, email: contacts.email, attributes: contacts.attributes, status: contacts.status })
    .from(listContacts)
    .innerJoin(contacts, eq(contacts.id, listContacts.contactId))
    .where(and(eq(listContacts.listId, listId), eq(contacts.workspaceId, workspaceId), gt(contacts.id, afterId)))
    .orderBy(asc(contacts.id))
    .limit(limit);
}

/** Every attribute key used by a list's contacts, for the header of an export. */
export async function listAttributeKeys(db: Database, workspaceId: string, listId: string): Promise<string[]> {
  const { contacts, listContacts } = db.t;
  const rows =
    db.dialect === "postgres"
      ? await db.rows<{ key: string }>(
          sql`select distinct k as key from ${listContacts} lc join ${contacts} c on c.id = lc.contact_id, jsonb_object_keys(c.attributes) as k
              where lc.list_id = ${listId} and c.workspace_id = ${workspaceId} order by 1`,
        )
      : await db.rows<{ key: string }>(
          sql`select distinct j.key as key from ${listContacts} lc join ${contacts} c on c.id = lc.contact_id, json_each(c.attributes) j
              where lc.list_id = ${listId} and c.workspace_id = ${workspaceId} order by 1`,
        );
  return rows.map((r) => r.key);
}
