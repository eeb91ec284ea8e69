import { transaction } from "../../db/client";
import type { Deps, Scope } from "../../deps";
import { isEmail, normalizeEmail } from "../../lib/email";
import { Invalid, NotFound } from "../../lib/errors";
import { addListColumns, addListMember, findList, listsOfContact, workspaceColumnLabels } from "../lists/queries";
import { CELL_MAX } from "../imports/model";
import { findSuppressed } from "../suppressions/queries";
import { STATUS_FOR_SUPPRESSION, attributeKey, RESERVED_ATTRIBUTES, type ContactView } from "./model";
import { deleteContact, findContact, findContactsByEmails, insertContact, setContactAttributes } from "./queries";

export const ATTRIBUTES_MAX = 100;

/**
 * Attributes as a person typed them: names become variable keys ("First name" → first_name), the
 * label is kept for the list's column header, blank values are dropped.
 */
function checkAttributes(raw: Record<string, unknown>): { attributes: Record<string, string>; columns: { key: string; label: string }[] } {
  const attributes: Record<string, string> = {};
  const columns: { key: string; label: string }[] = [];
  const entries = Object.entries(raw);
  if (entries.length > ATTRIBUTES_MAX) throw new Invalid(`A contact has at most ${ATTRIBUTES_MAX} attributes.`, "too_many_attributes", "attributes");
  for (const [label, value] of entries) {
    const key = attributeKey(label);
    if (!key) throw new Invalid(`"${label.slice(0, 60)}" cannot be an attribute name; use letters or digits.`, "invalid_attribute", "attributes");
    if (RESERVED_ATTRIBUTES.has(key)) throw new Invalid(`"${key}" is reserved; choose another name.`, "reserved_attribute", "attributes");
    const text = String(value ?? "").trim();
    if (text.length > CELL_MAX) throw new Invalid(`The value of "${label.slice(0, 60)}" is longer than ${CELL_MAX.toLocaleString("en")} characters.`, "attribute_too_long", "attributes");
    if (text === "") continue;
    attributes[key] = text;
    columns.push({ key, label: label.trim() });
  }
  return { attributes, columns };
}

/**
 * Adds one contact to a list by hand. An address the workspace already has joins the list with its
 * attributes updated by the given ones; a suppressed address joins with the status it has.
 */
export async function addContact(deps: Deps, scope: Scope, listId: string, input: { email: string; attributes?: Record<string, unknown> }): Promise<ContactView & { created: boolean }> {
  const email = normalizeEmail(input.email);
  if (!isEmail(email)) throw new Invalid("Enter a valid email address.", "invalid_email", "email");
  const { attributes, columns } = checkAttributes(input.attributes ?? {});
  const now = deps.clock.now();
  return transaction(deps.db, async (tx) => {
    if (!(await findList(tx, scope.workspaceId, listId))) throw new NotFound("There is no such list.");
    const [existing] = await findContactsByEmails(tx, scope.workspaceId, [email]);
    let contact: ContactView;
    if (existing) {
      const merged = { ...existing.attributes, ...attributes };
      await setContactAttributes(tx, scope.workspaceId, existing.id, merged, now);
      contact = { ...existing, attributes: merged };
    } else {
      const [suppressed] = await findSuppressed(tx, scope.workspaceId, [email]);
      const status = suppressed ? STATUS_FOR_SUPPRESSION[suppressed.reason] : "active";
      contact = { id: await insertContact(tx, { workspaceId: scope.workspaceId, email, attributes, status, now }), email, attributes, status };
    }
    await addListMember(tx, { workspaceId: scope.workspaceId, listId }, contact.id, now);
    // The attributes it already had (from other lists) become columns of this list too.
    const all = [...columns, ...Object.keys(contact.attributes).map((key) => ({ key, label: key }))];
    await addListColumns(tx, scope.workspaceId, listId, await withWorkspaceLabels(tx, scope.workspaceId, all));
    return { ...contact, created: !existing };
  });
}

/** Replaces a contact's attributes with the given ones (an attribute left out is removed); every list it is on learns new columns. */
export async function updateContact(deps: Deps, scope: Scope, id: number, input: { attributes: Record<string, unknown> }): Promise<ContactView> {
  const { attributes, columns } = checkAttributes(input.attributes);
  return transaction(deps.db, async (tx) => {
    const contact = await findContact(tx, scope.workspaceId, id);
    if (!contact) throw new NotFound("There is no such contact.");
    await setContactAttributes(tx, scope.workspaceId, id, attributes, deps.clock.now());
    const named = await withWorkspaceLabels(tx, scope.workspaceId, columns);
    for (const listId of await listsOfContact(tx, scope.workspaceId, id)) await addListColumns(tx, scope.workspaceId, listId, named);
    return { id: contact.id, email: contact.email, attributes, status: contact.status };
  });
}

/** Columns with the label a CSV already gave each key in the workspace's lists, else their own. */
async function withWorkspaceLabels(db: Parameters<typeof workspaceColumnLabels>[0], workspaceId: string, columns: { key: string; label: string }[]) {
  if (columns.length === 0) return [];
  const known = await workspaceColumnLabels(db, workspaceId);
  return columns.map((c) => ({ key: c.key, label: known.get(c.key) ?? c.label }));
}

export async function getContact(deps: Deps, scope: Scope, id: number): Promise<ContactView> {
  const contact = await findContact(deps.db, scope.workspaceId, id);
  if (!contact) throw new NotFound("There is no such contact.");
  return { id: contact.id, email: contact.email, attributes: contact.attributes, status: contact.status };
}

export async function removeContact(deps: Deps, scope: Scope, id: number): Promise<void> {
  const deleted = await transaction(deps.db, (tx) => deleteContact(tx, scope.workspaceId, id));
  if (!deleted) throw new NotFound("There is no such contact.");
}
