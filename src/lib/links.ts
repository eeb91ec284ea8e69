/**
 * Rewrites the href of every <a> in an HTML document. `rewrite` gets the address as a browser reads
 * it (entities decoded) and returns the new one, or null to leave the link as it is; the new address
 * is written back escaped, so a URL cannot break out of its attribute.
 */
export function rewriteLinks(html: string, rewrite: (url: string) => string | null): string {
  return html.replace(/(<a\b[^>]*?\shref=)("([^"]*)"|'([^']*)')/gi, (whole, start: string, _quoted, double: string | undefined, single: string | undefined) => {
    const raw = double ?? single ?? "";
    const next = rewrite(decodeEntities(raw));
    return next === null ? whole : `${start}"${escapeAttribute(next)}"`;
  });
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };

export function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#39|#x[0-9a-f]+|#[0-9]+);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (NAMED[lower]) return NAMED[lower]!;
    const code = lower.startsWith("#x") ? parseInt(lower.slice(2), 16) : parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
  });
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Puts `fragment` just before </body> (or at the end when there is none). */
export function beforeBodyEnd(html: string, fragment: string): string {
  // Lower-cased from the last exact "</body>" on (every layout ends with one): the same place as
  // lower-casing the whole mail, without copying it for every recipient.
  const exact = html.lastIndexOf("</body>");
  const from = exact === -1 ? 0 : exact;
  const found = html.slice(from).toLowerCase().lastIndexOf("</body>");
  const at = found === -1 ? -1 : from + found;
  return at === -1 ? html + fragment : html.slice(0, at) + fragment + html.slice(at);
}
