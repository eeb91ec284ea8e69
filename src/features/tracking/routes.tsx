import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { clientIp } from "../../web/context";
import { knownRecipient, recordHit } from "./hits";
import { isTrackable, readTrackingToken, type TrackingClaims } from "./links";

/** A transparent 1×1 GIF: the smallest image every mail client shows. */
const PIXEL = Buffer.from("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==", "base64");

/** Click links stop working after this many days: a link in a year-old mail is more likely a scanner or a leak than a reader. */
export const LINK_DAYS = 365;

const PIXEL_HEADERS = {
  "content-type": "image/gif",
  "content-length": String(PIXEL.length),
  // Every open must reach us: a cached pixel is an open never counted.
  "cache-control": "no-store, no-cache, must-revalidate, max-age=0",
  pragma: "no-cache",
  expires: "0",
};

function plainPage(status: number, title: string, text: string): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #0f172a"><h1 style="font-size: 1.25rem">${title}</h1><p>${text}</p></body></html>`;
  return new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" } });
}

const day = (now: Date) => Math.floor(now.getTime() / 86_400_000);

/**
 * The open pixel and the click redirect. Both trust nothing in the URL but its signature: the pixel
 * always answers the same image (a bad token just records nothing), and a click link that is
 * tampered with, unknown or expired never redirects anywhere.
 */
export function trackingRoutes(deps: Deps) {
  const hit = (request: Request, server: { requestIP(r: Request): { address: string } | null } | null, kind: "open" | "click", claims: TrackingClaims, url?: string) =>
    recordHit(deps, {
      kind,
      workspaceId: claims.w,
      campaignId: claims.c,
      recipientId: claims.r,
      url,
      method: request.method,
      userAgent: request.headers.get("user-agent"),
      ip: clientIp(request.headers.get("x-forwarded-for"), server?.requestIP(request)?.address ?? "", deps.config.trustProxy) || null,
      at: deps.clock.now(),
    });

  const pixel = ({ params, request, server }: { params: { token: string }; request: Request; server: unknown }) => {
    const claims = readTrackingToken(deps.config, params.token.replace(/\.gif$/, ""));
    if (claims && claims.u === undefined) hit(request, server as Parameters<typeof hit>[1], "open", claims);
    // A HEAD answer has the same headers (Bun drops the body itself).
    return new Response(PIXEL, { headers: PIXEL_HEADERS });
  };

  const click = async ({ params, request, server }: { params: { token: string }; request: Request; server: unknown }) => {
    const claims = readTrackingToken(deps.config, params.token);
    if (!claims || typeof claims.u !== "string" || !isTrackable(claims.u) || !URL.canParse(claims.u)) {
      return plainPage(404, "This link does not work", "The link is incomplete or has been changed. Open the mail it came from and try the link there again.");
    }
    if (typeof claims.i !== "number" || day(deps.clock.now()) - claims.i > LINK_DAYS) {
      return plainPage(410, "This link has expired", "Links in mails stop working after a year. Open a recent mail from the sender instead.");
    }
    if (!(await knownRecipient(deps, { workspaceId: claims.w, campaignId: claims.c, recipientId: claims.r }))) {
      return plainPage(404, "This link does not work", "The mail this link came from is no longer known here.");
    }
    hit(request, server as Parameters<typeof hit>[1], "click", claims, claims.u);
    return new Response(null, { status: 302, headers: { location: claims.u, "cache-control": "no-store", "referrer-policy": "no-referrer" } });
  };

  return new Elysia().get("/t/o/:token", pixel).head("/t/o/:token", pixel).get("/t/c/:token", click).head("/t/c/:token", click);
}
