import { Elysia, t } from "elysia";
import { AdminPage, AdminUserRowView } from "../../../views/admin/AdminPage";
import type { Context } from "../../web/context";
import { requireAdmin } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { changeUser, listInstanceUsers } from "./service";

export function adminRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/admin", async ({ auth, deps }) => {
      const admin = requireAdmin(auth);
      return <AdminPage auth={admin} users={await listInstanceUsers(deps)} />;
    })
    .get("/admin/users", async ({ auth, deps }) => {
      requireAdmin(auth);
      return { items: await listInstanceUsers(deps) };
    })
    .patch(
      "/admin/users/:id",
      async ({ auth, deps, params, body, request }) => {
        const admin = requireAdmin(auth);
        const { self, ...user } = await changeUser(deps, admin, params.id, body);
        return isHtmx(request) ? <AdminUserRowView user={user} self={self} /> : user;
      },
      {
        body: t.Object({
          role: t.Optional(t.Union([t.Literal("admin"), t.Literal("user")])),
          disabled: t.Optional(t.Union([t.Boolean(), t.BooleanString()])),
        }),
      },
    );
}
