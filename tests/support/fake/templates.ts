import { sesError, type SesRoute } from "../aws";

/**
 * SES stored templates: aws-ses-v2-local keeps and renders them (Handlebars, as SES), so these routes
 * name the actions (for faults and denials) and hand the request on. What comes back is passed
 * through except the emulator's errors: it writes their name as `{"type": …}` in the body, which the
 * SDK does not read (it reads the x-amzn-errortype header, `code` or `__type`), so its
 * AlreadyExistsException, NotFoundException and BadRequestException would reach Sesame as an
 * unreadable answer. They are re-sent as AWS sends them.
 */
async function proxied(proxy: () => Promise<Response>): Promise<Response> {
  const response = await proxy();
  if (response.status < 400 || response.headers.get("x-amzn-errortype")) return response;
  const text = await response.text();
  let body: { type?: string; message?: string } | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not the emulator's JSON error: passed on as it came.
  }
  if (!body?.type) return new Response(text, { status: response.status, headers: response.headers });
  return sesError(response.status, body.type, body.message ?? "");
}

/**
 * Keys whose ListEmailTemplates misbehaves, for tests of Sesame's paging: "same token" answers every
 * page with the same NextToken, "endless" with a new one each time; every page lists `stuck-page`.
 * Keys not named here get the emulator's own paging.
 */
export const templateListing = new Map<string, "same token" | "endless">();

let endlessPages = 0;

function misbehavingListing(accessKeyId: string): Response | null {
  const mode = templateListing.get(accessKeyId);
  if (!mode) return null;
  return Response.json({
    TemplatesMetadata: [{ TemplateName: "stuck-page", CreatedTimestamp: 1_700_000_000 }],
    NextToken: mode === "same token" ? "the-same-token" : `page-${++endlessPages}`,
  });
}

export const templateRoutes: SesRoute[] = [
  { action: "ListEmailTemplates", method: "GET", path: /^\/v2\/email\/templates$/ },
  { action: "CreateEmailTemplate", method: "POST", path: /^\/v2\/email\/templates$/ },
  { action: "GetEmailTemplate", method: "GET", path: /^\/v2\/email\/templates\/[^/]+$/ },
  { action: "UpdateEmailTemplate", method: "PUT", path: /^\/v2\/email\/templates\/[^/]+$/ },
  { action: "DeleteEmailTemplate", method: "DELETE", path: /^\/v2\/email\/templates\/[^/]+$/ },
  { action: "TestRenderEmailTemplate", method: "POST", path: /^\/v2\/email\/templates\/[^/]+\/render$/ },
].map((route) => ({
  ...route,
  handle: ({ proxy, who }) => (route.action === "ListEmailTemplates" ? misbehavingListing(who.accessKeyId) : null) ?? proxied(proxy),
}));
