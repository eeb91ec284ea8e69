import { Elysia } from "elysia";
import type { Config } from "../config";
import { BadRequest, Forbidden, PayloadTooLarge } from "../lib/errors";

/** JSON and form bodies above this are refused with 413 before they are read whole. */
export const BODY_LIMIT = 1024 * 1024;

/** Uploads that the route streams to disk itself: the parser leaves their body unread. */
const STREAMED_UPLOADS = [/^\/lists\/[^/]+\/import$/, /^\/suppressions\/import$/, /^\/campaigns\/[^/]+\/attachments$/, /^\/attachments$/];
export const STREAMED_BODY = Object.freeze({ streamed: true as const });

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Paths whose POSTs come from machines on other origins by design: SNS deliveries and RFC 8058
 * one-click unsubscribes sent by mail providers. They authenticate by signature instead.
 */
const CROSS_ORIGIN_PATHS = [/^\/sns\/notifications$/, /^\/u\/[^/]+$/];

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
];

/**
 * The template composer loads saved mail HTML, whose formatting is inline style attributes, into
 * the editor: that page alone allows style attributes (never <style> elements, never scripts).
 */
export const COMPOSER_CSP = [...CSP, "style-src-attr 'unsafe-inline'"].join("; ");

export function securityHeaders(config: Config): Record<string, string> {
  const headers: Record<string, string> = {
    "content-security-policy": CSP.join("; "),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
  if (config.publicUrl.protocol === "https:") headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  return headers;
}

/**
 * A state-changing request from a browser on another origin is refused. Browsers send `Origin` on
 * cross-origin POSTs and `Sec-Fetch-Site` on everything; a request with neither is not a browser's
 * and is judged by its credentials alone. The origin allowed is PUBLIC_URL's (or this machine's own
 * loopback address): the request's Host header proves nothing, since a page on a rebound DNS name
 * reaches this server under its own.
 */
export function isCrossOriginWrite(request: Request, config: Config): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const url = new URL(request.url);
  if (CROSS_ORIGIN_PATHS.some((p) => p.test(url.pathname))) return false;
  const origin = request.headers.get("origin");
  if (origin !== null) return origin !== config.publicUrl.origin && !(origin === url.origin && LOOPBACK_HOSTS.has(url.hostname));
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}

/**
 * Sesame opened on this machine by address rather than by PUBLIC_URL's name is still Sesame: a page
 * can only carry one of these Host names if it was really served from the machine itself.
 */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Why a browser's write was refused, with the fix when the page was simply opened at another address. */
function crossOriginRefusal(request: Request, config: Config): Forbidden {
  const origin = request.headers.get("origin");
  if (origin !== null && origin === new URL(request.url).origin) {
    return new Forbidden(
      `This page was opened at ${origin.slice(0, 200)}, but Sesame's address is ${config.publicUrl.origin}. Open Sesame at ${config.publicUrl.origin}, or set PUBLIC_URL to the address you use.`,
      "cross_origin",
    );
  }
  return new Forbidden("Cross-origin requests may not change anything here.", "cross_origin");
}

/** Reads a request body as text, refusing it once it passes `limit` bytes (chunked bodies included). */
export async function readBodyText(request: Request, limit = BODY_LIMIT): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(limit: number) {
  return new PayloadTooLarge(`The request body is larger than ${Math.round(limit / 1024)} KB.`);
}

/** Security headers on every response, the cross-origin write check, and bounded JSON, form and text parsing (nothing else). */
export function security(config: Config) {
  const headers = securityHeaders(config);
  return new Elysia({ name: "security" })
    .onRequest(({ request, set }) => {
      Object.assign(set.headers, headers);
      if (isCrossOriginWrite(request, config)) throw crossOriginRefusal(request, config);
    })
    .onParse({ as: "global" }, async ({ request, contentType }) => {
      if (request.method === "POST" && STREAMED_UPLOADS.some((p) => p.test(new URL(request.url).pathname))) return STREAMED_BODY;
      if (contentType.startsWith("application/json")) {
        const text = await readBodyText(request);
        if (text.trim() === "") return {};
        try {
          return JSON.parse(text);
        } catch {
          throw new BadRequest("The request body is not valid JSON.", "malformed_json");
        }
      }
      if (contentType.startsWith("application/x-www-form-urlencoded")) {
        return Object.fromEntries(new URLSearchParams(await readBodyText(request)));
      }
      if (contentType.startsWith("text/plain")) return readBodyText(request);
      // Anything else (multipart, octet-stream…) would be read whole by the framework's own parsers:
      // only the upload routes above take it, and they stream it to disk themselves.
      if (request.body) throw new BadRequest("Send JSON (application/json) or a form (application/x-www-form-urlencoded).", "unsupported_media_type");
    });
}
