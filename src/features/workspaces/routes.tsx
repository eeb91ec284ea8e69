import { Elysia, t } from "elysia";
import { Flash } from "../../../views/components/Flash";
import { WorkspacePage } from "../../../views/workspaces/WorkspacePage";
import type { Context } from "../../web/context";
import { requireAuth, requireScope } from "../../web/guard";
import { isHtmx } from "../../web/respond";
import { getWorkspace, renameWorkspace } from "./service";

export function workspacesRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/settings/workspace", async ({ auth, deps }) => {
      const scope = requireScope(auth);
      return <WorkspacePage auth={requireAuth(auth)} workspace={await getWorkspace(deps, scope)} canRename={scope.role !== "member"} />;
    })
    .get("/workspace", async ({ auth, deps }) => getWorkspace(deps, requireScope(auth)))
    .patch(
      "/workspace",
      async ({ auth, deps, body, request }) => {
        const workspace = await renameWorkspace(deps, requireScope(auth), body.name);
        return isHtmx(request) ? <Flash kind="success" message={`Saved. Recipients now see "${workspace.name}".`} /> : workspace;
      },
      { body: t.Object({ name: t.String({ maxLength: 1000 }) }) },
    );
}
