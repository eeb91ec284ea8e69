/** How to answer: a JSON client, an htmx swap, or a full browser page. One helper decides, routes just ask. */
export function isHtmx(request: Request): boolean {
  return request.headers.get("hx-request") === "true";
}

/** A plain browser navigation or form post (no htmx): answer with a page or a redirect. */
export function wantsPage(request: Request): boolean {
  if (isHtmx(request)) return false;
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("text/html");
}

/** A same-site path to return to after login; anything else falls back to the dashboard. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : "/dashboard";
}
