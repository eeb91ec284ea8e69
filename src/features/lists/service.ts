import { transaction, type Database } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { Conflict, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { exportStream } from "../../web/exports";
import { findRunningImport } from "../imports/queries";
import { CONTACT_SORTS, defaultSort, EXPORT_PAGE, LIST_NAME_MAX, PAGE_SIZE, type ContactSort, type ListSummary } from "./model";
import { contactsAfter, deleteListAndOrphans, searchMode, findList, findListByName, insertList, listContactsPage, listListsWithCounts, renameListRow } from "./queries";

function checkName(rawName: string): string {
  const name = rawName.trim();
  if (!name) throw new Invalid("Give the list a name.", "invalid_name", "name");
  if (name.length > LIST_NAME_MAX) throw new Invalid(`A list name is at most ${LIST_NAME_MAX} characters.`, "invalid_name", "name");
  return name;
}

export async function createList(deps: Deps, scope: Scope, rawName: string): Promise<ListSummary> {
  const name = checkName(rawName);
  if (await findListByName(deps.db, scope.workspaceId, name)) throw new Conflict(`There is already a list named "${name}".`, "list_exists");
  const id = newId("lst");
  await insertList(deps.db, { id, workspaceId: scope.workspaceId, name, createdAt: deps.clock.now() });
  return { id, name, contacts: 0 };
}

export async function renameList(deps: Deps, scope: Scope, id: string, rawName: string): Promise<ListSummary> {
  const list = await getList(deps, scope, id);
  const name = checkName(rawName);
  const other = await findListByName(deps.db, scope.workspaceId, name);
  if (other && other.id !== id) throw new Conflict(`There is already a list named "${name}".`, "list_exists");
  await renameListRow(deps.db, scope.workspaceId, id, name);
  return { id, name, contacts: list.contactCount };
}

export async function listLists(deps: Deps, scope: Scope): Promise<ListSummary[]> {
  return (await listListsWithCounts(deps.db, scope.workspaceId)).map(({ id, name, contacts }) => ({ id, name, contacts: Number(contacts) }));
}

export async function getList(deps: Deps, scope: Scope, id: string) {
  const list = await findList(deps.db, scope.workspaceId, id);
  if (!list) throw new NotFound("There is no such list.");
  return list;
}

type ContactQuery = { q?: string; page?: number; sort?: string };

/** A list and one page of its contacts (the list page), checked once. */
export async function listWithContacts(deps: Deps, scope: Scope, listId: string, options: ContactQuery) {
  const list = await getList(deps, scope, listId);
  const page = Math.max(1, Math.floor(options.page ?? 1) || 1);
  const q = (options.q ?? "").trim().slice(0, 200);
  const search = searchMode(list);
  const sort: ContactSort = CONTACT_SORTS.includes(options.sort as ContactSort) ? (options.sort as ContactSort) : defaultSort(q, search);
  const result = await listContactsPage(deps.db, scope.workspaceId, list, { q, page, pageSize: PAGE_SIZE, sort });
  return { list, contacts: { ...result, q, page, pageSize: PAGE_SIZE, sort, search } };
}

export async function deleteList(deps: Deps, scope: Scope, id: string): Promise<{ contactsDeleted: number }> {
  await getList(deps, scope, id);
  if (await findRunningImport(deps.db, scope.workspaceId, id)) {
    throw new Conflict("An import into this list is running; cancel it or wait until it has finished, then delete the list.", "import_running");
  }
  return transaction(deps.db, (tx) => deleteListAndOrphans(tx, scope.workspaceId, id));
}

/** A list as CSV (address, status, then every attribute column of the list), read on a worker thread and streamed. */
export async function exportList(deps: Deps, scope: Scope, listId: string): Promise<{ name: string; body: ReadableStream<Uint8Array> }> {
  const list = await getList(deps, scope, listId);
  return { name: list.name, body: exportStream(deps, { name: "list", workspaceId: scope.workspaceId, listId: list.id }) };
}

/** The rows of a list's export, a page at a time along the membership key (never OFFSET). */
export async function* listExportRows(db: Database, workspaceId: string, listId: string): AsyncGenerator<string> {
  const list = await findList(db, workspaceId, listId);
  if (!list) return;
  const keys = list.columns.map((c) => c.key);
  yield csvLine(["email", "status", ...list.columns.map((c) => c.label)]);
  let after = 0;
  for (;;) {
    const rows = await contactsAfter(db, workspaceId, listId, after, EXPORT_PAGE);
    if (rows.length === 0) return;
    let out = "";
    for (const r of rows) out += csvLine([r.email, r.status, ...keys.map((k) => r.attributes[k] ?? "")]);
    yield out;
    after = rows.at(-1)!.id;
  }
}

/** The variables a template can use with this list: the address, the unsubscribe link and every attribute column. */
export async function listVariables(deps: Deps, scope: Scope, listId: string): Promise<string[]> {
  const list = await getList(deps, scope, listId);
  return ["email", "unsubscribe_url", ...list.columns.map((c) => c.key)];
}
