/** How to answer: a JSON client, an htmx swap, or a full browser page. One helper decides, routes just ask. */
export function isHtmx(request: Request): boolean {
  return request.headers.get("hx-request") === "true" && !isHistoryRestore(request);
}

/** htmx reloading a page it pushed into the history (back or forward after its cache lost it): it needs the whole page. */
function isHistoryRestore(request: Request): boolean {
  return request.headers.get("hx-history-restore-request") === "true";
}

/**
 * A panel's forms aim their swaps at an error slot, so a refusal (mapped to a flash in one place)
 * never replaces the panel it came from; a success swaps the whole panel (`#id`) instead.
 */
export function swapPanel(set: { headers: Record<string, unknown> }, id: string) {
  set.headers["hx-retarget"] = `#${id}`;
  set.headers["hx-reswap"] = "outerHTML";
}

/** A plain browser navigation or form post (no htmx): answer with a page or a redirect. */
export function wantsPage(request: Request): boolean {
  if (isHistoryRestore(request)) return true;
  if (isHtmx(request)) return false;
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("text/html");
}

/** A same-site path to return to after login; anything else falls back to the dashboard. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) ? next : "/dashboard";
}

/** A CSV download streamed as it is read (never built whole in memory). */
export function csvDownload(fileName: string, body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName.replace(/[^\w.-]+/g, "_")}"`,
      "cache-control": "no-store",
    },
  });
}

/** A file name from a human name: "Spring news!" → "spring-news". */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "export";
}

/** JSON for a response header: characters outside ASCII are escaped, since header values must be Latin-1. */
export function headerJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
