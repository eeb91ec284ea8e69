import { Elysia } from "elysia";
import type { Context } from "../../web/context";
import { receiveSnsDelivery } from "./service";
import { eventsDocs } from "../../web/api-reference";

export function eventsRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    // SNS posts its messages as text/plain (the bounded text parser reads them); a JSON post arrives parsed.
    .post("/sns/notifications", async ({ deps, body }) => receiveSnsDelivery(deps, typeof body === "string" ? body : JSON.stringify(body ?? null)), { detail: eventsDocs.sns });
}
