import { Elysia, t } from "elysia";
import { ApiKeysPage, KeyRow, KeysTable, NewKey } from "../../../views/api-keys/ApiKeysPage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { userTimeZone } from "../auth/service";
import { createKey, keyJson, listWorkspaceKeys, revokeKey } from "./service";
import { apiKeysDocs } from "../../web/api-reference";

export function apiKeysRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings/api-keys", async ({ auth, deps }) => {
      const scope = requireScope(auth);
      return <ApiKeysPage auth={requireAuth(auth)} keys={await listWorkspaceKeys(deps, scope)} />;
    })
    .get("/api-keys", async ({ auth, deps }) => ({ items: (await listWorkspaceKeys(deps, requireScope(auth))).map(keyJson) }), { detail: apiKeysDocs.list })
    .post(
      "/api-keys",
      async ({ auth, deps, body, request, set }) => {
        const { key, secret } = await createKey(deps, requireScope(auth), body);
        set.status = 201;
        // The table gains the new row; the form's slot shows the key, once.
        if (isHtmx(request)) {
          set.headers["hx-trigger"] = "keys-changed";
          return <NewKey name={key.name} secret={secret} />;
        }
        return { ...keyJson(key), key: secret };
      },
      {
        body: t.Object({
          name: t.String({ maxLength: 1000 }),
          scope: t.String({ maxLength: 20 }),
          role: t.Optional(t.String({ maxLength: 20 })),
        }),
        detail: apiKeysDocs.create,
      },
    )
    .get("/api-keys/table", async ({ auth, deps }) => {
      return <KeysTable auth={requireAuth(auth)} keys={await listWorkspaceKeys(deps, requireScope(auth))} />;
    })
    .delete("/api-keys/:id", async ({ auth, deps, params, request, set }) => {
      const key = await revokeKey(deps, requireScope(auth), params.id);
      if (isHtmx(request)) return <KeyRow item={key} zone={userTimeZone(requireAuth(auth))} />;
      set.status = 204;
      return "";
    }, { detail: apiKeysDocs.revoke });
}
