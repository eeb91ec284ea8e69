/**
 * Decides whether an open-pixel fetch or a click-redirect was a person or a machine, so open and
 * click counts are not inflated by Apple Mail Privacy Protection, link scanners and security
 * gateways. Synchronous and free of I/O: it runs on every pixel hit, so every pattern and address
 * range is compiled once at module load, and what a user agent says is remembered (see `factsOf`).
 */

export type HitClass = "human" | "machine";
/** Coarse class of the client address; the full address is never stored. */
export type AddressClass = "apple" | "google" | "microsoft" | "yahoo" | "private" | "public" | "unknown";

export interface Hit {
  kind: "open" | "click";
  method: string;
  userAgent: string | null;
  ip: string | null;
  at: Date;
  /** When SES reported the mail delivered, else when it was sent; null if neither is known. */
  deliveredAt: Date | null;
  /** For clicks: how many OTHER distinct links of the same mail the same recipient clicked within 1 second of this one (0 for opens). */
  burst: number;
}

export interface Classified {
  class: HitClass;
  /** A short sentence fragment for people, e.g. "link scanner (Mimecast)". */
  reason: string;
  addressClass: AddressClass;
  /** A short human label of the client, e.g. "Outlook", "Gmail image proxy", "Unknown client". */
  agent: string;
}

/** A hit this soon after delivery is a machine's: no person opens mail within 5 s of its arrival. */
export const INSTANT_MS = 5_000;

// Sources. Apple owns 17/8 (support.apple.com/HT203609). MPP fetches leave through iCloud Private
// Relay's egress (mask-api.icloud.com/egress-ip-ranges.csv, per wordtothewise.com on MPP); of that
// feed's ~13k ranges (August 2026) only blocks it fills two thirds or more of are listed, as the rest
// sit in Akamai, Cloudflare and Fastly space shared with their other customers. Google: its mail
// netblocks and 66.249.64.0/19 (Googlebot, the Gmail image proxy). Microsoft: Exchange Online
// Protection, Microsoft 365 endpoints ID 10. Yahoo: ARIN A-YAHOO-US2 and Yahoo's crawler ranges.
const RANGES: ReadonlyArray<readonly [AddressClass, string]> = [
  ["private", "10.0.0.0/8"], ["private", "172.16.0.0/12"], ["private", "192.168.0.0/16"], ["private", "127.0.0.0/8"],
  ["private", "169.254.0.0/16"], ["private", "::1/128"], ["private", "fc00::/7"], ["private", "fe80::/10"],
  ["apple", "17.0.0.0/8"], ["apple", "172.225.0.0/16"], ["apple", "2606:54c0::/32"], ["apple", "2a09:bac2::/31"],
  ["google", "66.102.0.0/20"], ["google", "66.249.64.0/19"], ["google", "64.233.160.0/19"], ["google", "72.14.192.0/18"],
  ["google", "74.125.0.0/16"], ["google", "209.85.128.0/17"], ["google", "216.239.32.0/19"], ["google", "173.194.0.0/16"],
  ["google", "2001:4860::/32"], ["google", "2404:6800::/32"], ["google", "2607:f8b0::/32"], ["google", "2a00:1450::/32"],
  ["microsoft", "40.92.0.0/15"], ["microsoft", "40.107.0.0/16"], ["microsoft", "52.100.0.0/14"], ["microsoft", "104.47.0.0/17"],
  ["microsoft", "2a01:111:f400::/48"], ["microsoft", "2a01:111:f403::/48"],
  ["yahoo", "98.136.0.0/14"], ["yahoo", "66.163.160.0/19"], ["yahoo", "74.6.0.0/16"], ["yahoo", "67.195.0.0/16"], ["yahoo", "72.30.0.0/16"],
];

/** Parses dotted-quad IPv4 text in s[start, end) to an unsigned 32-bit number, or -1. */
function parseV4(s: string, start: number, end: number): number {
  let value = 0, digits = 0, parts = 0, acc = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return -1; // a leading zero reads as octal to some parsers
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return -1;
    } else if (c === 46 && digits > 0 && parts < 3) {
      acc = acc * 256 + value;
      parts++;
      value = 0;
      digits = 0;
    } else return -1;
  }
  return digits > 0 && parts === 3 ? acc * 256 + value : -1;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Reused for every parse: the classifier runs synchronously, so one scratch buffer is enough. */
const v6 = new Uint16Array(8);

/** Parses IPv6 text in s[0, end) into `v6`; false when it is not an IPv6 address. */
function parseV6(s: string, end: number): boolean {
  let count = 0, gap = -1, value = 0, digits = 0, i = 0;
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const h = hexDigit(c);
    if (h >= 0) {
      if (++digits > 4) return false;
      value = value * 16 + h;
    } else if (c === 58) {
      if (digits === 0) {
        // A colon right after a group's colon: the one "::" an address may have.
        if (gap !== -1) return false;
        gap = count;
        continue;
      }
      if (count === 8 || i === end - 1) return false;
      v6[count++] = value;
      value = 0;
      digits = 0;
    } else if (c === 46) {
      const v4 = parseV4(s, i - digits, end);
      if (v4 < 0 || count > 6) return false;
      v6[count++] = Math.floor(v4 / 65536);
      v6[count++] = v4 % 65536;
      digits = 0;
      break;
    } else return false;
  }
  if (digits > 0) {
    if (count === 8) return false;
    v6[count++] = value;
  }
  if (gap === -1) return count === 8;
  if (count === 8) return false;
  const tail = count - gap;
  for (let k = 1; k <= tail; k++) v6[8 - k] = v6[count - k]!;
  for (let k = gap; k < 8 - tail; k++) v6[k] = 0;
  return true;
}

interface V4Range { base: number; mask: number; cls: AddressClass }
interface V6Range { groups: Uint16Array; bits: number; cls: AddressClass }
/** IPv4 ranges filed under each first octet they cover: most addresses are decided in one or two compares. */
const v4ByOctet: V4Range[][] = Array.from({ length: 256 }, () => []);
const v6Ranges: V6Range[] = [];
for (const [cls, cidr] of RANGES) {
  const [text, length] = cidr.split("/") as [string, string];
  const bits = Number(length);
  if (text.includes(":")) {
    if (!parseV6(text, text.length)) throw new Error(`bad range ${cidr}`);
    v6Ranges.push({ groups: v6.slice(), bits, cls });
  } else {
    const mask = bits === 0 ? 0 : ~0 << (32 - bits);
    const base = parseV4(text, 0, text.length) & mask;
    const first = base >>> 24;
    for (let octet = first; octet < first + (bits >= 8 ? 1 : 1 << (8 - bits)); octet++) v4ByOctet[octet]!.push({ base, mask, cls });
  }
}

function classOfV4(ip: number): AddressClass {
  const ranges = v4ByOctet[ip >>> 24]!;
  for (let i = 0; i < ranges.length; i++) if ((ip & ranges[i]!.mask) === ranges[i]!.base) return ranges[i]!.cls;
  return "public";
}

function inV6(r: V6Range): boolean {
  for (let g = 0, bits = r.bits; bits > 0; g++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((v6[g]! & mask) !== (r.groups[g]! & mask)) return false;
  }
  return true;
}

export function addressClass(ip: string | null): AddressClass {
  if (!ip) return "unknown";
  const v4 = parseV4(ip, 0, ip.length);
  if (v4 >= 0) return classOfV4(v4);
  const zone = ip.indexOf("%"); // fe80::1%eth0: the zone names a local interface, not part of the address
  if (!parseV6(ip, zone === -1 ? ip.length : zone)) return "unknown";
  // IPv4-mapped (::ffff:a.b.c.d) is how a dual-stack socket reports an IPv4 client.
  if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff) return classOfV4(v6[6]! * 65536 + v6[7]!);
  for (const r of v6Ranges) if (inV6(r)) return r.cls;
  return "public";
}

interface Machine { pattern: RegExp; agent: string; reason: string }
const kindOf = (kind: string) => (agent: string, pattern: RegExp): Machine => ({ pattern, agent, reason: `${kind} (${agent})` });
const scanner = kindOf("link scanner");
const preview = kindOf("link preview");
const crawler = kindOf("crawler");
const library = kindOf("HTTP library");
const headless = kindOf("headless browser");

// First match names the machine. Most gateways fetch with a browser's UA and are caught by timing
// instead; these are the ones that say who they are.
const MACHINES: readonly Machine[] = [
  headless("HeadlessChrome", /HeadlessChrome/), headless("PhantomJS", /PhantomJS/),
  scanner("Barracuda", /Barracuda/i), scanner("Mimecast", /Mimecast/i), scanner("Proofpoint", /Proofpoint/i),
  scanner("Symantec", /Symantec|Broadcom|MessageLabs/i), scanner("Trend Micro", /Trend ?Micro|TMUFE/i),
  scanner("Cisco IronPort", /IronPort|Cisco Secure Email/i), scanner("Trellix", /FireEye|Trellix/i), scanner("Sophos", /Sophos/i),
  scanner("Forcepoint", /Forcepoint|Websense/i), scanner("Kaspersky", /Kaspersky/i), scanner("Google Safety", /Google-Safety/),
  scanner("Microsoft Safe Links", /Safe ?Links/i), scanner("Microsoft Office link check", /Microsoft Office (?:Existence|Protocol) Discovery/i),
  { pattern: /Chrome\/42\.0\.2311\.135 Safari\/537\.36 Edge\/12\.246 Mozilla\/5\.0/, agent: "Gmail prefetch", reason: "Gmail prefetch" },
  preview("BingPreview", /BingPreview/), preview("Microsoft Preview", /MicrosoftPreview/), preview("Skype", /SkypeUriPreview/i),
  preview("Slackbot", /Slackbot/i), preview("Facebook", /facebookexternalhit|Facebot/i), preview("Twitterbot", /Twitterbot/i),
  preview("LinkedInBot", /LinkedInBot/i), preview("WhatsApp", /WhatsApp/i), crawler("Googlebot", /Googlebot/i),
  library("python-requests", /python-requests/i), library("Python", /Python-urllib|aiohttp/i), library("curl", /^curl\/|libcurl/i),
  library("Wget", /^Wget/i), library("Go-http-client", /Go-http-client/i), library("okhttp", /okhttp/i), library("axios", /axios/i),
  library("node-fetch", /node-fetch/i), library("libwww-perl", /libwww-perl/i), library("Java", /^Java\/|Apache-HttpClient|Commons-HttpClient/i),
  { pattern: /(?<!cu)bot\b|crawl|spider|(?<!cam)scanner|preview/i, agent: "Bot", reason: "bot or crawler" },
];
/** Tested first so the common case, a person, costs one regex instead of one per machine. */
const ANY_MACHINE = new RegExp(MACHINES.map((m) => m.pattern.source).join("|"), "i");

// Mail apps are tested before browsers: several are built on Chromium and carry "Chrome/".
const MAIL_APPS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Microsoft Outlook|MacOutlook|Outlook-(?:iOS|Android)|^Outlook\/|ms-office|MSOffice/, "Outlook"],
  [/Thunderbird|Icedove/, "Thunderbird"], [/Android-Gmail/, "Gmail app"], [/Yahoo%20Mail|ymail/, "Yahoo Mail app"],
  [/WindowsMail/, "Windows Mail"], [/eM ?Client/, "eM Client"],
];
const ANY_MAIL_APP = new RegExp(MAIL_APPS.map(([pattern]) => pattern.source).join("|"));
// Order matters: Edge, Opera and Samsung carry "Chrome/", and every Chromium browser carries "Safari/".
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Edg(?:e|A|iOS)?\//, "Edge"], [/OPR\/|Opera/, "Opera"], [/SamsungBrowser/, "Samsung Internet"],
  [/Firefox\/|FxiOS/, "Firefox"], [/Chrome\/|CriOS/, "Chrome"], [/Version\/[\d.]+.*Safari\//, "Safari"],
  // Apple Mail loads images with WebKit's UA and no browser token.
  [/^Mail\/\d|\((?:Macintosh|iPhone|iPad);.*AppleWebKit\/[\d.]+ \(KHTML, like Gecko\)(?: Mobile\/\w+)?$/, "Apple Mail"],
];
const GMAIL_PROXY = /GoogleImageProxy/;
const YAHOO_PROXY = /YahooMailProxy/;
/** MPP's fetches carry only this: no platform, no engine. */
const BARE_MOZILLA = /^\s*Mozilla\/5\.0\s*$/;
const HEAD = /^head$/i;
const EMPTY = /^\s*$/;

const MPP_AGENT = "Apple Mail privacy proxy";
const MPP_REASON = "Apple Mail Privacy Protection fetch";

function machineOf(ua: string): Machine | null {
  if (!ANY_MACHINE.test(ua)) return null;
  for (const m of MACHINES) if (m.pattern.test(ua)) return m;
  return null;
}

function clientOf(ua: string): string {
  if (ANY_MAIL_APP.test(ua)) for (const [pattern, label] of MAIL_APPS) if (pattern.test(ua)) return label;
  for (const [pattern, label] of BROWSERS) if (pattern.test(ua)) return label;
  return "Unknown client";
}

/** What the user agent alone says; a pure function of the string. */
interface UaFacts { named: Machine | null; bare: boolean; proxy: string | null; client: string }

// A few hundred user agents make nearly every hit, and the regexes cost about a microsecond per
// string; remembering them keeps a pixel hit near a plain route. Cleared when full, so a flood of
// made-up agents costs time, never memory.
const uaFacts = new Map<string, UaFacts>();
const UA_FACTS_MAX = 2_000;
const UA_CACHEABLE_LENGTH = 512;

function factsOf(ua: string): UaFacts {
  const known = uaFacts.get(ua);
  if (known) return known;
  const proxy = GMAIL_PROXY.test(ua) ? "Gmail image proxy" : YAHOO_PROXY.test(ua) ? "Yahoo Mail proxy" : null;
  const facts = { named: machineOf(ua), bare: BARE_MOZILLA.test(ua), proxy, client: proxy ?? clientOf(ua) };
  if (ua.length <= UA_CACHEABLE_LENGTH) {
    if (uaFacts.size >= UA_FACTS_MAX) uaFacts.clear();
    uaFacts.set(ua, facts);
  }
  return facts;
}

function machine(reason: string, address: AddressClass, agent: string): Classified {
  return { class: "machine", reason, addressClass: address, agent };
}

export function classifyHit(hit: Hit): Classified {
  const address = addressClass(hit.ip);
  const ua = hit.userAgent ?? "";
  if (EMPTY.test(ua)) return machine(HEAD.test(hit.method) ? "HEAD request" : "no user agent", address, "Unknown client");

  const { named, bare, proxy, client } = factsOf(ua);
  const agent = named ? named.agent : bare ? (hit.kind === "open" ? MPP_AGENT : "Unknown client") : client;

  if (HEAD.test(hit.method)) return machine("HEAD request", address, agent);
  if (named) return machine(named.reason, address, agent);
  if (hit.kind === "open" && (bare || address === "apple")) return machine(MPP_REASON, address, MPP_AGENT);
  // No browser sends a bare "Mozilla/5.0"; only proxies and scripts do.
  if (bare) return machine("bare Mozilla/5.0 user agent", address, agent);
  // Safe Links sends the person's browser on to the link, so a click from Exchange Online Protection's
  // own addresses is its delivery-time check of the link (gophish#973), never the person.
  if (hit.kind === "click" && address === "microsoft") return machine("link scanner (Microsoft Safe Links)", address, "Microsoft Safe Links");
  if (hit.deliveredAt && hit.at.getTime() - hit.deliveredAt.getTime() < INSTANT_MS) return machine("within 5 s of delivery", address, agent);
  if (hit.kind === "click" && hit.burst >= 1) return machine("several links in the same second", address, agent);
  return { class: "human", reason: proxy ? "image proxy of the reader's mailbox" : "mail app or browser", addressClass: address, agent };
}
