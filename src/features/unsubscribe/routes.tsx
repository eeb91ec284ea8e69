import { Elysia } from "elysia";
import { UnsubscribePage } from "../../../views/unsubscribe/UnsubscribePage";
import type { Context } from "../../web/context";
import { wantsPage } from "../../web/respond";
import { readUnsubscribeLink, unsubscribe } from "./service";

/** Public: no login. The link's signature is the only credential. */
export function unsubscribeRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/u/:token", async ({ deps, params, set }) => {
      const target = await readUnsubscribeLink(deps, params.token);
      set.headers["referrer-policy"] = "no-referrer";
      if (target.test) return <UnsubscribePage test sender={target.workspaceName} />;
      return <UnsubscribePage token={params.token} email={target.email} sender={target.workspaceName} done={target.alreadyUnsubscribed} />;
    })
    // The page's button and RFC 8058's one-click POST (body "List-Unsubscribe=One-Click") both land here.
    .post("/u/:token", async ({ deps, params, request, body }) => {
      const oneClick = typeof body === "object" && body !== null && (body as Record<string, unknown>)["List-Unsubscribe"] === "One-Click";
      const target = await unsubscribe(deps, params.token, oneClick ? "one-click" : "page");
      if (target.test) {
        // Still a 2xx: a mail provider's one-click POST from a test mail is not an error, it just does nothing.
        if (wantsPage(request)) return <UnsubscribePage test sender={target.workspaceName} />;
        return { unsubscribed: false, test: true };
      }
      if (wantsPage(request)) return <UnsubscribePage token={params.token} email={target.email} sender={target.workspaceName} done />;
      return { unsubscribed: true };
    });
}
