/**
 * A practical address check: one @, a dot-separated domain with a TLD, no spaces or control
 * characters, and the RFC 5321 length limits. It accepts what SES accepts for the common cases.
 */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function isEmail(address: string): boolean {
  if (address.length > 254) return false;
  const at = address.lastIndexOf("@");
  if (at < 1 || at > 64) return false;
  const local = address.slice(0, at);
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  return ADDRESS.test(address);
}

/** A sender as "address" or "Name <address>": its text and its lower-cased address, or null when it is neither. */
export function parseSender(raw: string): { value: string; address: string } | null {
  const value = raw.trim();
  const address = (/<([^<>]+)>\s*$/.exec(value)?.[1] ?? value).trim().toLowerCase();
  if (!isEmail(address) || /[\r\n]/.test(value)) return null;
  return { value, address };
}
