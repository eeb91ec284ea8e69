import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { ContactPage } from "../../../views/lists/ContactPage";
import { ContactsTable, ListPage } from "../../../views/lists/ListPage";
import { ListsPage } from "../../../views/lists/ListsPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { csvDownload, isHtmx, slug, wantsPage } from "../../web/respond";
import { addContact, getContact, removeContact, updateContact } from "../contacts/service";
import { runningImportReport } from "../imports/service";
import { createList, deleteList, exportList, getList, listLists, listVariables, listWithContacts, renameList } from "./service";
import { listsDocs } from "../../web/api-reference";

const contactQuery = t.Object({ q: t.Optional(t.String({ maxLength: 500 })), page: t.Optional(t.Numeric({ minimum: 1, maximum: 1_000_000 })), sort: t.Optional(t.String({ maxLength: 20 })) });

/** Attributes arrive as a JSON object, or from a form as attr_<key> fields plus one new_name/new_value pair. */
function attributesFrom(body: Record<string, unknown>): Record<string, unknown> {
  if (body.attributes && typeof body.attributes === "object" && !Array.isArray(body.attributes)) return body.attributes as Record<string, unknown>;
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) if (name.startsWith("attr_")) attributes[name.slice(5)] = value;
  if (typeof body.new_name === "string" && body.new_name.trim()) attributes[body.new_name] = body.new_value ?? "";
  return attributes;
}

const contactBody = t.Object(
  { email: t.Optional(t.String({ maxLength: 1000 })), listId: t.Optional(t.String({ maxLength: 100 })), attributes: t.Optional(t.Record(t.String({ maxLength: 200 }), t.Unknown())) },
  { additionalProperties: true },
);

export function listsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/lists", async ({ auth, deps, request }) => {
      const scope = requireScope(auth);
      const lists = await listLists(deps, scope);
      return wantsPage(request) ? <ListsPage auth={requireAuth(auth)} lists={lists} /> : { items: lists };
    }, { detail: listsDocs.list })
    .post(
      "/lists",
      async ({ auth, deps, body, request, set }) => {
        const list = await createList(deps, requireScope(auth), body.name);
        if (isHtmx(request)) set.headers["hx-redirect"] = `/lists/${list.id}`;
        set.status = 201;
        return { id: list.id, name: list.name };
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }), detail: listsDocs.create },
    )
    .get(
      "/lists/:id",
      async ({ auth, deps, params, query, request }) => {
        const scope = requireScope(auth);
        const { list, contacts } = await listWithContacts(deps, scope, params.id, query);
        const table = { ...contacts, listId: list.id, columns: list.columns };
        // The search box, sort links and pages swap the table in and push this page's URL.
        if (isHtmx(request)) return <ContactsTable {...table} />;
        if (!wantsPage(request)) return { id: list.id, name: list.name, contacts: list.contactCount, columns: list.columns };
        return <ListPage auth={requireAuth(auth)} list={list} contacts={table} running={await runningImportReport(deps, scope, list.id)} />;
      },
      { query: contactQuery, detail: listsDocs.get },
    )
    .patch(
      "/lists/:id",
      async ({ auth, deps, params, body, request, set }) => {
        const list = await renameList(deps, requireScope(auth), params.id, body.name);
        if (!isHtmx(request)) return list;
        set.headers["hx-refresh"] = "true";
        return <Flash kind="success" message={`Renamed to "${list.name}".`} />;
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }), detail: listsDocs.rename },
    )
    .get(
      "/lists/:id/contacts",
      async ({ auth, deps, params, query, request, redirect }) => {
        // A browser that opens this API address gets the list page showing the same contacts.
        if (wantsPage(request)) return redirect(`/lists/${encodeURIComponent(params.id)}?${new URLSearchParams(query as Record<string, string>)}`, 303);
        const { list, contacts } = await listWithContacts(deps, requireScope(auth), params.id, query);
        if (isHtmx(request)) return <ContactsTable {...contacts} listId={list.id} columns={list.columns} />;
        return { items: contacts.items, total: contacts.total, ...(contacts.totalCapped ? { totalCapped: true } : {}) };
      },
      { query: contactQuery, detail: listsDocs.contacts },
    )
    .post(
      "/lists/:id/contacts",
      async ({ auth, deps, params, body, request, set }) => {
        const contact = await addContact(deps, requireScope(auth), params.id, { email: body.email ?? "", attributes: attributesFrom(body) });
        set.status = contact.created ? 201 : 200;
        if (!isHtmx(request)) return contact;
        set.headers["hx-refresh"] = "true";
        return <Flash kind="success" message={contact.created ? `Added ${contact.email}.` : `${contact.email} was already a contact; it is on this list now, with these attributes.`} />;
      },
      { body: contactBody, detail: listsDocs.addContact },
    )
    .delete("/lists/:id", async ({ auth, deps, params, request, set }) => {
      const result = await deleteList(deps, requireScope(auth), params.id);
      if (isHtmx(request)) set.headers["hx-redirect"] = "/lists";
      return { deleted: true, ...result };
    }, { detail: listsDocs.remove })
    .get(
      "/contacts/:id",
      async ({ auth, deps, params, query, request }) => {
        const scope = requireScope(auth);
        const contact = await getContact(deps, scope, params.id);
        if (!wantsPage(request)) return contact;
        const list = query.list ? await getList(deps, scope, query.list).catch(() => null) : null;
        return <ContactPage auth={requireAuth(auth)} contact={contact} list={list} />;
      },
      { params: t.Object({ id: t.Numeric() }), query: t.Object({ list: t.Optional(t.String({ maxLength: 100 })) }), detail: listsDocs.contact },
    )
    .patch(
      "/contacts/:id",
      async ({ auth, deps, params, body, request }) => {
        const contact = await updateContact(deps, requireScope(auth), params.id, { attributes: attributesFrom(body) });
        return isHtmx(request) ? <Flash kind="success" message="Saved." /> : contact;
      },
      { params: t.Object({ id: t.Numeric() }), body: contactBody, detail: listsDocs.updateContact },
    )
    .delete(
      "/contacts/:id",
      async ({ auth, deps, params, request, set }) => {
        await removeContact(deps, requireScope(auth), params.id);
        if (!isHtmx(request)) set.status = 204;
        return "";
      },
      { params: t.Object({ id: t.Numeric() }), detail: listsDocs.removeContact },
    )
    .get("/lists/:id/variables", async ({ auth, deps, params }) => ({ variables: await listVariables(deps, requireScope(auth), params.id) }), { detail: listsDocs.variables })
    .get("/lists/:id/export.csv", async ({ auth, deps, params }) => {
      const { name, body } = await exportList(deps, requireScope(auth), params.id);
      return csvDownload(`${slug(name)}.csv`, body);
    }, { detail: listsDocs.export });
}
