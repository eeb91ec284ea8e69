import { Elysia, t } from "elysia";
import { ContactsTable, ListPage } from "../../../views/lists/ListPage";
import { ListsPage } from "../../../views/lists/ListsPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { csvDownload, isHtmx, slug, wantsPage } from "../../web/respond";
import { createList, deleteList, exportList, listContacts, listLists, listVariables, listWithContacts, removeContact } from "./service";

const contactQuery = t.Object({ q: t.Optional(t.String({ maxLength: 500 })), page: t.Optional(t.Numeric({ minimum: 1, maximum: 1_000_000 })), sort: t.Optional(t.String({ maxLength: 20 })) });

export function listsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/lists", async ({ auth, deps, request }) => {
      const scope = requireScope(auth);
      const lists = await listLists(deps, scope);
      return wantsPage(request) ? <ListsPage auth={requireAuth(auth)} lists={lists} /> : { items: lists };
    })
    .post(
      "/lists",
      async ({ auth, deps, body, request, set }) => {
        const list = await createList(deps, requireScope(auth), body.name);
        if (isHtmx(request)) set.headers["hx-redirect"] = `/lists/${list.id}`;
        set.status = 201;
        return { id: list.id, name: list.name };
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }) },
    )
    .get(
      "/lists/:id",
      async ({ auth, deps, params, query, request }) => {
        const { list, contacts } = await listWithContacts(deps, requireScope(auth), params.id, query);
        if (!wantsPage(request)) return { id: list.id, name: list.name, contacts: contacts.total };
        return <ListPage auth={requireAuth(auth)} list={list} contacts={{ ...contacts, listId: list.id, q: query.q ?? "" }} />;
      },
      { query: contactQuery },
    )
    .get(
      "/lists/:id/contacts",
      async ({ auth, deps, params, query, request }) => {
        const page = await listContacts(deps, requireScope(auth), params.id, query);
        if (isHtmx(request)) return <ContactsTable {...page} listId={params.id} q={query.q ?? ""} />;
        return { items: page.items, total: page.total };
      },
      { query: contactQuery },
    )
    .delete("/lists/:id", async ({ auth, deps, params, request, set }) => {
      const result = await deleteList(deps, requireScope(auth), params.id);
      if (isHtmx(request)) set.headers["hx-redirect"] = "/lists";
      return { deleted: true, ...result };
    })
    .delete(
      "/contacts/:id",
      async ({ auth, deps, params, request, set }) => {
        await removeContact(deps, requireScope(auth), params.id);
        if (!isHtmx(request)) set.status = 204;
        return "";
      },
      { params: t.Object({ id: t.Numeric() }) },
    )
    .get("/lists/:id/variables", async ({ auth, deps, params }) => ({ variables: await listVariables(deps, requireScope(auth), params.id) }))
    .get("/lists/:id/export.csv", async ({ auth, deps, params }) => {
      const { name, chunks } = await exportList(deps, requireScope(auth), params.id);
      return csvDownload(`${slug(name)}.csv`, chunks);
    });
}
