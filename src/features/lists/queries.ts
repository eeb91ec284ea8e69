import { and, asc, count, desc, eq, gt, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { ContactStatus } from "../contacts/model";
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
  const { lists } = db.t;
  return db.orm
    .select({ id: lists.id, name: lists.name, createdAt: lists.createdAt, contacts: lists.contactCount })
    .from(lists)
    .where(eq(lists.workspaceId, workspaceId))
    .orderBy(asc(lists.createdAt));
}

export async function renameListRow(db: Database, workspaceId: string, id: string, name: string): Promise<boolean> {
  const { lists } = db.t;
  const renamed = await db.orm.update(lists).set({ name }).where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, id))).returning({ id: lists.id });
  return renamed.length > 0;
}

/** Adds `n` new members to a list's count, in the transaction that added them. */
export async function addListMembers(db: Database, workspaceId: string, listId: string, n: number) {
  if (n === 0) return;
  const { lists } = db.t;
  await db.orm
    .update(lists)
    .set({ contactCount: sql`${lists.contactCount} + ${n}` })
    .where(and(eq(lists.workspaceId, workspaceId), eq(lists.id, listId)));
}

/**
 * Records attribute columns a list's contacts carry: new keys are appended, a known key keeps its
 * first label. One statement, so two writers adding columns at once both keep theirs.
 */
export async function addListColumns(db: Database, workspaceId: string, listId: string, columns: { key: string; label: string }[]) {
  const seen = new Set<string>();
  const fresh = JSON.stringify(columns.filter((c) => !seen.has(c.key) && (seen.add(c.key), true)));
  if (fresh === "[]") return;
  await db.rows(
    db.dialect === "postgres"
      ? sql`update lists set columns = columns || coalesce((
              select jsonb_agg(x order by n) from jsonb_array_elements(${fresh}::jsonb) with ordinality as f(x, n)
              where not exists (select 1 from jsonb_array_elements(lists.columns) c where c ->> 'key' = x ->> 'key')), '[]'::jsonb)
            where workspace_id = ${workspaceId} and id = ${listId}`
      : sql`update lists set columns = (
              select json_group_array(json(value)) from (
                select value, 0 as part, key as n from json_each(lists.columns)
                union all
                select x.value, 1, x.key from json_each(${fresh}) x
                where not exists (select 1 from json_each(lists.columns) c where c.value ->> '$.key' = x.value ->> '$.key')
                order by part, n))
            where workspace_id = ${workspaceId} and id = ${listId}`,
  );
}

/** The label each attribute key has in the workspace's lists (its CSV header), for columns a contact brings from elsewhere. */
export async function workspaceColumnLabels(db: Database, workspaceId: string): Promise<Map<string, string>> {
  const { lists } = db.t;
  const rows = await db.orm.select({ columns: lists.columns }).from(lists).where(eq(lists.workspaceId, workspaceId)).orderBy(asc(lists.createdAt));
  const labels = new Map<string, string>();
  for (const row of rows) for (const c of row.columns) if (!labels.has(c.key)) labels.set(c.key, c.label);
  return labels;
}

/** The lists a contact is on. */
export async function listsOfContact(db: Database, workspaceId: string, contactId: number): Promise<string[]> {
  const { listContacts } = db.t;
  const rows = await db.orm
    .select({ listId: listContacts.listId })
    .from(listContacts)
    .where(and(eq(listContacts.workspaceId, workspaceId), eq(listContacts.contactId, contactId)));
  return rows.map((r) => r.listId);
}

/** Puts one contact on a list; true when it was not on it yet (the count goes up by one). */
export async function addListMember(db: Database, scope: { workspaceId: string; listId: string }, contactId: number, now: Date): Promise<boolean> {
  const { listContacts } = db.t;
  const added = await db.orm
    .insert(listContacts)
    .values({ listId: scope.listId, contactId, workspaceId: scope.workspaceId, createdAt: now, position: 0 })
    .onConflictDoNothing()
    .returning({ contactId: listContacts.contactId });
  if (added.length) await addListMembers(db, scope.workspaceId, scope.listId, 1);
  return added.length > 0;
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

/** `text` as a literal inside a LIKE pattern (with `escape '\\'`). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Contacts whose address starts with `q` (case-insensitive: addresses are stored lower-cased). A
 * range on the address index: SQLite's unique index compares bytes, PostgreSQL's is built with
 * text_pattern_ops (byte order too, whatever the collation).
 */
function addressStartsWith(db: Database, q: string): SQL {
  const { contacts } = db.t;
  const low = q.toLowerCase();
  const last = low.codePointAt(low.length - 1) ?? 0;
  // Strings with the prefix sort from it up to (not including) the prefix with its last character
  // raised by one: exactly the prefix's addresses, in byte order. The range alone, with no LIKE
  // beside it, also lets PostgreSQL estimate how many match, so it walks the index.
  const high = last < 0xd7ff ? low.slice(0, low.length - (last > 0xffff ? 2 : 1)) + String.fromCodePoint(last + 1) : null;
  const ge = db.dialect === "postgres" ? sql`${contacts.email} ~>=~ ${low}` : sql`${contacts.email} >= ${low}`;
  if (high !== null) return db.dialect === "postgres" ? sql`(${ge} and ${contacts.email} ~<~ ${high})` : sql`(${ge} and ${contacts.email} < ${high})`;
  // A last character with no successor we can write: the open range, then LIKE keeps the prefix.
  return sql`(${ge} and ${contacts.email} like ${`${likeLiteral(low)}%`} escape '\\')`;
}

/**
 * A list this size or smaller is searched everywhere: any part of an address or of an attribute value
 * (a scan, cheap at this size). A bigger list is searched by the start of the address only, along its
 * index, so a keystroke never waits on a scan of a million rows.
 */
export const FULL_SEARCH_MAX = 20_000;

export function searchMode(list: { contactCount: number }): "everywhere" | "address-start" {
  return list.contactCount <= FULL_SEARCH_MAX ? "everywhere" : "address-start";
}

/** Any part of the address or of any attribute value, case-insensitively (attribute names do not count). */
function matchesAnywhere(db: Database, q: string): SQL {
  const { contacts } = db.t;
  const pattern = `%${likeLiteral(q)}%`;
  return db.dialect === "postgres"
    ? sql`(${contacts.email} ilike ${pattern} escape '\\' or exists (select 1 from jsonb_each_text(${contacts.attributes}) as a(key, value) where a.value ilike ${pattern} escape '\\'))`
    : sql`(${contacts.email} like ${pattern} escape '\\' or exists (select 1 from json_each(${contacts.attributes}) as a where a.value like ${pattern} escape '\\'))`;
}

/** "Order added": the time each batch joined the list, then the row of its CSV. */
function addedOrder(direction: "asc" | "desc", by: { addedAt: AnyColumn; position: AnyColumn; id: AnyColumn }): SQL[] {
  const dir = direction === "asc" ? asc : desc;
  return [dir(by.addedAt), dir(by.position), dir(by.id)];
}

export async function listContactsPage(
  db: Database,
  workspaceId: string,
  list: { id: string; contactCount: number },
  options: { q: string; page: number; pageSize: number; sort: ContactSort },
): Promise<{ items: ContactRow[]; total: number; totalCapped: boolean }> {
  const { contacts, listContacts } = db.t;
  const everywhere = searchMode(list) === "everywhere";
  const match = options.q ? (everywhere ? matchesAnywhere(db, options.q) : addressStartsWith(db, options.q)) : undefined;
  const where = and(eq(listContacts.listId, list.id), eq(contacts.workspaceId, workspaceId), match);
  const columns = { id: contacts.id, email: contacts.email, attributes: contacts.attributes, status: contacts.status, addedAt: listContacts.createdAt, position: listContacts.position };
  // A fresh builder each time: Drizzle's builders change in place as they are refined.
  const members = () => db.orm.select(columns).from(listContacts).innerJoin(contacts, eq(contacts.id, listContacts.contactId)).where(where);
  const offset = (options.page - 1) * options.pageSize;
  const addressOrder = options.sort === "email" || options.sort === "-email" ? [byAddress(db, options.sort === "-email" ? "desc" : "asc")] : null;
  const addedDirection = options.sort === "-created" ? "desc" : "asc";

  if (!options.q || everywhere) {
    const order = addressOrder ?? addedOrder(addedDirection, { addedAt: listContacts.createdAt, position: listContacts.position, id: listContacts.contactId });
    const items = (await members().orderBy(...order).limit(options.pageSize).offset(offset)).map(withoutPosition);
    // Without a search the list's kept count is the total: a big list is never counted per page.
    if (!options.q) return { items, total: list.contactCount, totalCapped: false };
    const [counted] = await db.orm.select({ n: count() }).from(listContacts).innerJoin(contacts, eq(contacts.id, listContacts.contactId)).where(where);
    return { items, total: Number(counted?.n ?? 0), totalCapped: false };
  }
  // A search of a big list walks the address index and stops after SEARCH_CAP matches, however
  // broad the prefix ("a" in a million contacts): counting or sorting every match would cost
  // seconds per keystroke.
  const [counted] = await db.orm
    .select({ n: count() })
    .from(db.orm.select({ one: sql`1`.as("one") }).from(listContacts).innerJoin(contacts, eq(contacts.id, listContacts.contactId)).where(where).limit(SEARCH_CAP + 1).as("capped"));
  const found = Number(counted?.n ?? 0);
  const capped = { total: Math.min(found, SEARCH_CAP), totalCapped: found > SEARCH_CAP };
  if (addressOrder) return { items: (await members().orderBy(...addressOrder).limit(options.pageSize).offset(offset)).map(withoutPosition), ...capped };
  // Sorted by when they were added: the first SEARCH_CAP matches by address, in that order.
  const matches = members().orderBy(byAddress(db, "asc")).limit(SEARCH_CAP).as("matches");
  const items = await db.orm.select().from(matches).orderBy(...addedOrder(addedDirection, matches)).limit(options.pageSize).offset(offset);
  return { items: items.map(withoutPosition), ...capped };
}

/**
 * Address order, as the address index holds it, so a page walks the index instead of sorting every
 * match: byte order (PostgreSQL's index is text_pattern_ops, whose order operators ~<~ / ~>~ the
 * planner matches to it; SQLite's compares bytes already).
 */
function byAddress(db: Database, direction: "asc" | "desc"): SQL {
  const { contacts } = db.t;
  if (db.dialect === "postgres") return direction === "asc" ? sql`${contacts.email} using ~<~` : sql`${contacts.email} using ~>~`;
  return direction === "asc" ? asc(contacts.email) : desc(contacts.email);
}

/** Searches count and sort at most this many matches; past it the page says "10,000+" and asks for more letters. */
export const SEARCH_CAP = 10_000;

export interface ContactRow {
  id: number;
  email: string;
  attributes: Record<string, string>;
  status: ContactStatus;
  addedAt: Date;
}

function withoutPosition({ position: _, ...row }: ContactRow & { position: number }): ContactRow {
  return row;
}

/** One page of a list's contacts after `afterId`, in id order along the membership key: exports walk a list this way. */
export async function contactsAfter(db: Database, workspaceId: string, listId: string, afterId: number, limit: number) {
  const { contacts, listContacts } = db.t;
  return db.orm
    .select({ id: listContacts.contactId, email: contacts.email, attributes: contacts.attributes, status: contacts.status })
    .from(listContacts)
    .innerJoin(contacts, eq(contacts.id, listContacts.contactId))
    // The bound on contacts.id too (it equals the membership's): without it PostgreSQL may merge-join
    // from the first contact on every page, and an export of a million turns quadratic.
    .where(and(eq(listContacts.listId, listId), gt(listContacts.contactId, afterId), gt(contacts.id, afterId), eq(contacts.workspaceId, workspaceId)))
    .orderBy(asc(listContacts.contactId))
    .limit(limit);
}
