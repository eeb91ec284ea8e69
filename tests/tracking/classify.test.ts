import { describe, expect, test } from "bun:test";
import { addressClass, type AddressClass, type Classified, classifyHit, type Hit, type HitClass, INSTANT_MS } from "../../src/features/tracking/classify";
import machines from "../fixtures/user-agents/machines.json";
import people from "../fixtures/user-agents/people.json";

const deliveredAt = new Date("2026-03-02T09:00:00.000Z");
const hoursLater = new Date("2026-03-02T11:30:00.000Z");
/** TEST-NET-3: a public address that is nobody's proxy. */
const PUBLIC_IP = "203.0.113.7";
const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36";
const SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 13_2_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.3 Mobile/15E148 Safari/604.1";
const GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)";
const YAHOO_PROXY = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html";

function hit(overrides: Partial<Hit> = {}): Hit {
  return { kind: "open", method: "GET", userAgent: CHROME, ip: PUBLIC_IP, at: hoursLater, deliveredAt, burst: 0, ...overrides };
}

const after = (ms: number) => new Date(deliveredAt.getTime() + ms);

/** A user agent recorded in the wild, what it should be judged, and where it was recorded. */
interface Recorded { ua: string; expect: HitClass; agent: string; source: string }
const recorded = [...people, ...machines] as Recorded[];

describe("recorded user agents", () => {
  for (const entry of recorded) {
    test(`${entry.ua} is a ${entry.expect} (${entry.agent})`, () => {
      const open = classifyHit(hit({ userAgent: entry.ua }));
      expect({ class: open.class, agent: open.agent, addressClass: open.addressClass }).toEqual({ class: entry.expect, agent: entry.agent, addressClass: "public" });
      expect(classifyHit(hit({ kind: "click", userAgent: entry.ua })).class).toBe(entry.expect);
    });
  }

  test("every fixture names where it was recorded", () => {
    for (const entry of recorded) expect(entry.source).toMatch(/^https:\/\//);
  });
});

describe("classifyHit", () => {
  test("a person's open hours after delivery is human, labelled by the client", () => {
    expect(classifyHit(hit())).toEqual({ class: "human", reason: "mail app or browser", addressClass: "public", agent: "Chrome" });
  });

  test("a HEAD request is a machine's, whatever the client", () => {
    expect(classifyHit(hit({ method: "HEAD" }))).toEqual({ class: "machine", reason: "HEAD request", addressClass: "public", agent: "Chrome" });
    expect(classifyHit(hit({ kind: "click", method: "head", userAgent: null })).reason).toBe("HEAD request");
  });

  test("a hit within 5 s of delivery is a machine's; at 5 s it is a person's", () => {
    expect(INSTANT_MS).toBe(5_000);
    expect(classifyHit(hit({ at: after(4_999) }))).toEqual({ class: "machine", reason: "within 5 s of delivery", addressClass: "public", agent: "Chrome" });
    expect(classifyHit(hit({ kind: "click", at: after(1_000) })).reason).toBe("within 5 s of delivery");
    expect(classifyHit(hit({ at: after(INSTANT_MS) })).class).toBe("human");
  });

  test("a hit stamped before the delivery (clock skew) counts as within 5 s", () => {
    expect(classifyHit(hit({ at: after(-60_000) })).reason).toBe("within 5 s of delivery");
  });

  test("without a known delivery time the timing rule does not apply", () => {
    expect(classifyHit(hit({ at: deliveredAt, deliveredAt: null })).class).toBe("human");
  });

  test("a click on several links in the same second is a machine's; a lone click is a person's", () => {
    expect(classifyHit(hit({ kind: "click", burst: 2 }))).toEqual({ class: "machine", reason: "several links in the same second", addressClass: "public", agent: "Chrome" });
    expect(classifyHit(hit({ kind: "click", burst: 1 })).class).toBe("machine");
    expect(classifyHit(hit({ kind: "click", burst: 0 })).class).toBe("human");
  });

  test("an open from Apple's addresses is a Mail Privacy Protection fetch, even with a browser's user agent", () => {
    const mpp: Classified = { class: "machine", reason: "Apple Mail Privacy Protection fetch", addressClass: "apple", agent: "Apple Mail privacy proxy" };
    expect(classifyHit(hit({ ip: "17.58.101.12", userAgent: SAFARI_IPHONE }))).toEqual(mpp);
    expect(classifyHit(hit({ ip: "172.225.46.70" }))).toEqual(mpp);
    expect(classifyHit(hit({ ip: "2a09:bac3:4228::1f" }))).toEqual(mpp);
  });

  test("a click from Apple's addresses with a browser is a person browsing through iCloud Private Relay", () => {
    expect(classifyHit(hit({ kind: "click", ip: "17.58.101.12", userAgent: SAFARI_IPHONE }))).toEqual({ class: "human", reason: "mail app or browser", addressClass: "apple", agent: "Safari" });
  });

  test("a bare Mozilla/5.0 open from a public address is an MPP fetch; a bare click is a machine's too", () => {
    expect(classifyHit(hit({ userAgent: "Mozilla/5.0" }))).toEqual({ class: "machine", reason: "Apple Mail Privacy Protection fetch", addressClass: "public", agent: "Apple Mail privacy proxy" });
    expect(classifyHit(hit({ kind: "click", userAgent: "Mozilla/5.0" }))).toEqual({ class: "machine", reason: "bare Mozilla/5.0 user agent", addressClass: "public", agent: "Unknown client" });
  });

  test("Gmail's image proxy fetches when the person opens the mail, so it counts as human, but not within 5 s of delivery", () => {
    // 66.249.84.222 is the address a SparkPost open event recorded for this agent.
    expect(classifyHit(hit({ userAgent: GMAIL_PROXY, ip: "66.249.84.222" }))).toEqual({ class: "human", reason: "image proxy of the reader's mailbox", addressClass: "google", agent: "Gmail image proxy" });
    expect(classifyHit(hit({ userAgent: GMAIL_PROXY, ip: "66.249.84.222", at: after(2_000) }))).toEqual({ class: "machine", reason: "within 5 s of delivery", addressClass: "google", agent: "Gmail image proxy" });
  });

  test("Yahoo's mail proxy counts as human", () => {
    expect(classifyHit(hit({ userAgent: YAHOO_PROXY, ip: "98.136.40.7" }))).toEqual({ class: "human", reason: "image proxy of the reader's mailbox", addressClass: "yahoo", agent: "Yahoo Mail proxy" });
  });

  test("Gmail's prefetch agent is a machine even hours after delivery", () => {
    const prefetch = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246 Mozilla/5.0";
    expect(classifyHit(hit({ userAgent: prefetch, ip: "66.102.8.20" }))).toEqual({ class: "machine", reason: "Gmail prefetch", addressClass: "google", agent: "Gmail prefetch" });
  });

  test("a click from Exchange Online Protection is Safe Links checking the link; opens from there are left to the other rules", () => {
    // Address and agent of a Safe Links check recorded in gophish/gophish#973.
    const safeLinks = { ip: "40.107.218.12", userAgent: "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/57.0.2987.133 Safari/537.36" };
    expect(classifyHit(hit({ kind: "click", ...safeLinks }))).toEqual({ class: "machine", reason: "link scanner (Microsoft Safe Links)", addressClass: "microsoft", agent: "Microsoft Safe Links" });
    expect(classifyHit(hit({ kind: "open", ...safeLinks }))).toEqual({ class: "human", reason: "mail app or browser", addressClass: "microsoft", agent: "Chrome" });
  });

  test("a gateway whose user agent carries its vendor's name is a machine named after the vendor", () => {
    // Strings that carry each vendor's token, not recordings: most gateways borrow a browser's agent
    // and are caught by the timing and burst rules instead.
    const named: Array<[string, string, string]> = [
      ["Mozilla/5.0 (compatible; Mimecast URL Protect)", "link scanner (Mimecast)", "Mimecast"],
      ["Proofpoint URL Defense", "link scanner (Proofpoint)", "Proofpoint"],
      ["Symantec Email Security.cloud", "link scanner (Symantec)", "Symantec"],
      ["TrendMicro Email Security", "link scanner (Trend Micro)", "Trend Micro"],
      ["Cisco IronPort Email Security", "link scanner (Cisco IronPort)", "Cisco IronPort"],
      ["FireEye ETP", "link scanner (Trellix)", "Trellix"],
      ["Sophos Email", "link scanner (Sophos)", "Sophos"],
      ["Forcepoint Email Security", "link scanner (Forcepoint)", "Forcepoint"],
      ["Microsoft SafeLinks", "link scanner (Microsoft Safe Links)", "Microsoft Safe Links"],
      ["Microsoft Office Existence Discovery", "link scanner (Microsoft Office link check)", "Microsoft Office link check"],
    ];
    for (const [userAgent, reason, agent] of named) {
      expect({ userAgent, ...classifyHit(hit({ kind: "click", userAgent })) }).toEqual({ userAgent, class: "machine", reason, addressClass: "public", agent });
    }
  });

  test("a hit with no user agent is a machine's", () => {
    for (const userAgent of [null, "", "   "]) {
      expect(classifyHit(hit({ userAgent }))).toEqual({ class: "machine", reason: "no user agent", addressClass: "public", agent: "Unknown client" });
    }
  });

  test("an agent no rule knows is a person with an unknown client", () => {
    expect(classifyHit(hit({ userAgent: "Amiga-AWeb/3.4.167SE" }))).toEqual({ class: "human", reason: "mail app or browser", addressClass: "public", agent: "Unknown client" });
  });

  test("a hit with no address is judged on the rest, its address class unknown", () => {
    expect(classifyHit(hit({ ip: null }))).toEqual({ class: "human", reason: "mail app or browser", addressClass: "unknown", agent: "Chrome" });
    expect(classifyHit(hit({ ip: null, userAgent: "Mozilla/5.0" })).reason).toBe("Apple Mail Privacy Protection fetch");
  });

  test("the answer for an agent does not depend on what was classified before it", () => {
    const first = classifyHit(hit({ userAgent: SAFARI_IPHONE }));
    for (let i = 0; i < 2_500; i++) classifyHit(hit({ userAgent: `Mozilla/5.0 (X11; Linux x86_64; rv:${i}.0) Gecko/20100101 Firefox/${i}.0` }));
    expect(classifyHit(hit({ userAgent: SAFARI_IPHONE }))).toEqual(first);
    expect(classifyHit(hit({ userAgent: `python-requests/2.31.0 ${"x".repeat(600)}` })).agent).toBe("python-requests");
  });
});

describe("addressClass", () => {
  const cases: Array<[string | null, AddressClass]> = [
    ["10.1.2.3", "private"], ["172.16.0.1", "private"], ["172.31.255.255", "private"], ["172.32.0.1", "public"],
    ["192.168.1.20", "private"], ["127.0.0.1", "private"], ["169.254.10.1", "private"],
    ["::1", "private"], ["fd12:3456:789a::1", "private"], ["FC00::1", "private"], ["fe80::1ff:fe23:4567:890a%eth0", "private"], ["fe80::1", "private"],
    ["::ffff:10.0.0.1", "private"], ["::ffff:a00:1", "private"], ["::ffff:17.1.2.3", "apple"], ["::ffff:203.0.113.7", "public"],
    ["17.0.0.1", "apple"], ["17.255.255.255", "apple"], ["16.255.255.255", "public"], ["18.0.0.0", "public"], ["172.225.40.1", "apple"],
    ["2606:54c0:4228::1", "apple"], ["2a09:bac2::1", "apple"], ["2a09:bac3:ffff::1", "apple"], ["2a09:bac4::1", "public"],
    ["66.249.84.222", "google"], ["74.125.1.1", "google"], ["66.102.15.255", "google"], ["66.102.16.0", "public"],
    ["2001:4860:4801:10::1", "google"], ["2a00:1450:4009:81f::200e", "google"],
    ["40.107.218.12", "microsoft"], ["40.93.0.1", "microsoft"], ["40.94.0.1", "public"], ["52.103.255.255", "microsoft"],
    ["104.47.127.255", "microsoft"], ["104.47.128.0", "public"], ["2a01:111:f403:c000::1", "microsoft"], ["2a01:111:f402::1", "public"],
    ["98.139.255.255", "yahoo"], ["98.140.0.0", "public"], ["66.163.170.1", "yahoo"], ["74.6.1.1", "yahoo"],
    ["203.0.113.7", "public"], ["8.8.8.8", "public"], ["2001:db8::1", "public"], ["1:2:3:4:5:6:7:8", "public"], ["2001:db8::", "public"],
    [null, "unknown"], ["", "unknown"], ["not an address", "unknown"], ["1.2.3", "unknown"], ["1.2.3.4.5", "unknown"],
    ["256.1.1.1", "unknown"], ["01.2.3.4", "unknown"], ["1:2:3:4:5:6:7:8:9", "unknown"], ["1::2::3", "unknown"], [":::", "unknown"],
    ["12345::", "unknown"], ["1:2:3:4:5:6:7::8", "unknown"], ["::ffff:1.2.3", "unknown"], ["[::1]", "unknown"], ["1:2:", "unknown"],
  ];
  for (const [ip, expected] of cases) {
    test(`${ip === null ? "no address" : ip} is ${expected}`, () => {
      expect(addressClass(ip)).toBe(expected);
    });
  }
});
