import { transaction } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { csvLine } from "../../lib/csv";
import { Conflict, Invalid, NotFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { deleteContact } from "../contacts/queries";
import { hasRunningImport } from "../imports/queries";
import { CONTACT_SORTS, LIST_NAME_MAX, PAGE_SIZE, type ContactSort, type ListSummary } from "./model";
import { contactsAfter, deleteListAndOrphans, findList, findListByName, insertList, listAttributeKeys, listContactsPage, listListsWithCounts } from "./queries";

export async function createList(deps: Deps, scope: Scope, rawName: string): Promise<ListSummary> {
  const name = rawName.trim();
  if (!name) throw new Invalid("Give the list a name.", "invalid_name", "name");
  if (name.length > LIST_NAME_MAX) throw new Invalid(`A list name is at most ${LIST_NAME_MAX} characters.`, "invalid_name", "name");
  if (await findListByName(deps.db, scope.workspaceId, name)) throw new Conflict(`There is already a list named "${name}".`, "list_exists");
  const id = newId("lst");
  await insertList(deps.db, { id, workspaceId: scope.workspaceId, name, createdAt: deps.clock.now() });
  return { id, name, contacts: 0 };
}

export async function listLists(deps: Deps, scope: Scope): Promise<ListSummary[]> {
  return (await listListsWithCounts(deps.db, scope.workspaceId)).map(({ id, name, contacts }) => ({ id, name, contacts }));
}

export async function getList(deps: Deps, scope: Scope, id: string) {
  const list = await findList(deps.db, scope.workspaceId, id);
  if (!list) throw new NotFound("There is no such list.");
  return list;
}

type ContactQuery = { q?: string; page?: number; sort?: string };

export async function listContacts(deps: Deps, scope: Scope, listId: string, options: ContactQuery) {
  await getList(deps, scope, listId);
  return contactsPage(deps, scope, listId, options);
}

/** A list and one page of its contacts (the list page), checked once. */
export async function listWithContacts(deps: Deps, scope: Scope, listId: string, options: ContactQuery) {
  const list = await getList(deps, scope, listId);
  return { list, contacts: await contactsPage(deps, scope, listId, options) };
}

async function contactsPage(deps: Deps, scope: Scope, listId: string, options: ContactQuery) {
  const sort: ContactSort = CONTACT_SORTS.includes(options.sort as ContactSort) ? (options.sort as ContactSort) : "created";
  const page = Math.max(1, Math.floor(options.page ?? 1) || 1);
  const result = await listContactsPage(deps.db, scope.workspaceId, listId, { q: (options.q ?? "").trim().slice(0, 200), page, pageSize: PAGE_SIZE, sort });
  return { ...result, page, pageSize: PAGE_SIZE, sort };
}

export async function deleteList(deps: Deps, scope: Scope, id: string): Promise<{ contactsDeleted: number }> {
  await getList(deps, scope, id);
  if (await hasRunningImport(deps.db, scope.workspaceId, id)) {
    throw new Conflict("An import into this list is running; delete the list when it has finished.", "import_running");
  }
  return transaction(deps.db, (tx) => deleteListAndOrphans(tx, scope.workspaceId, id));
}

export async function removeContact(deps: Deps, scope: Scope, id: number): Promise<void> {
  const deleted = await transaction(deps.db, (tx) => deleteContact(tx, scope.workspaceId, id));
  if (!deleted) throw new NotFound("There is no such contact.");
}

/** A list as CSV (address, status, then every attribute), streamed in pages of 1,000. */
export async function exportList(deps: Deps, scope: Scope, listId: string): Promise<{ name: string; chunks: AsyncGenerator<string> }> {
  const list = await getList(deps, scope, listId);
  return { name: list.name, chunks: exportRows(deps, scope, listId) };
}

async function* exportRows(deps: Deps, scope: Scope, listId: string): AsyncGenerator<string> {
  const keys = await listAttributeKeys(deps.db, scope.workspaceId, listId);
  yield csvLine(["email", "status", ...keys]);
  let after = 0;
  for (;;) {
    const rows = await contactsAfter(deps.db, scope.workspaceId, listId, after, 1000);
    if (rows.length === 0) return;
    yield rows.map((r) => csvLine([r.email, r.status, ...keys.map((k) => r.attributes[k] ?? "")])).join("");
    after = rows.at(-1)!.id;
  }
}

/** The variables a template can use with this list: the address, the unsubscribe link and every attribute. */
export async function listVariables(deps: Deps, scope: Scope, listId: string): Promise<string[]> {
  await getList(deps, scope, listId);
  return ["email", "unsubscribe_url", ...(await listAttributeKeys(deps.db, scope.workspaceId, listId))];
}
