import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { SEARCH_PAGES } from "../../src/features/ses-suppressions/service";
import { resetSuppressionLog, suppressionLog } from "../support/fake/suppressions";
import { DENIED, fillSesList, KEY, startWorld, type World } from "./world";

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});
beforeEach(() => {
  w.fake.suppressed.clear();
  w.fake.faults.clear();
  resetSuppressionLog(w.fake);
});

const callsOf = (action: string) => w.fake.calls.filter((c) => c.action === action).length;

describe("reading SES's suppression list", () => {
  test("the list comes a page of 50 at a time, with SES's nextToken to go on, each address with its reason and last update", async () => {
    const { c } = await w.owner();
    const at = new Date("2026-03-04T05:06:07.500Z");
    fillSesList(w.fake.suppressed, 120, at);
    const first = await c.get("/aws/suppressions");
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(50);
    expect(first.json.items[0]).toEqual({ email: "user-00000@list.example", reason: "BOUNCE", lastUpdate: at.toISOString() });
    expect(first.json.items[2].reason).toBe("COMPLAINT");
    expect(first.json.nextToken).toBeString();
    const second = await c.get(`/aws/suppressions?nextToken=${encodeURIComponent(first.json.nextToken)}`);
    expect(second.json.items[0].email).toBe("user-00050@list.example");
    const third = await c.get(`/aws/suppressions?nextToken=${encodeURIComponent(second.json.nextToken)}`);
    expect(third.json.items).toHaveLength(20);
    expect(third.json.nextToken).toBeNull();
  });

  test("the reason and the dates narrow the list as SES filters it", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 9, new Date("2026-01-10T12:00:00Z"));
    fillSesList(w.fake.suppressed, 3, new Date("2026-02-10T12:00:00Z"), "later");
    const complaints = await c.get("/aws/suppressions?reason=COMPLAINT");
    expect(complaints.json.items.map((i: { reason: string }) => i.reason)).toEqual(["COMPLAINT", "COMPLAINT", "COMPLAINT", "COMPLAINT"]);
    const february = await c.get("/aws/suppressions?from=2026-02-01&to=2026-02-28");
    expect(february.json.items.map((i: { email: string }) => i.email)).toEqual(["later-00000@list.example", "later-00001@list.example", "later-00002@list.example"]);
    const january = await c.get("/aws/suppressions?to=2026-01-10");
    expect(january.json.items).toHaveLength(9);
  });

  test("the from and to days are read in the person's time zone, the one the table shows times in", async () => {
    const { c } = await w.owner();
    // UTC+14: 12:00 UTC on 10 January is 02:00 on the 11th there, 09:00 UTC is 23:00 on the 10th.
    expect((await c.put("/me/time-zone", { timeZone: "Pacific/Kiritimati" })).status).toBe(204);
    w.fake.suppressed.set("eleventh@list.example", { reason: "BOUNCE", lastUpdate: new Date("2026-01-10T12:00:00Z") });
    w.fake.suppressed.set("tenth@list.example", { reason: "BOUNCE", lastUpdate: new Date("2026-01-10T09:00:00Z") });
    const emails = async (query: string) => (await c.get(`/aws/suppressions?${query}`)).json.items.map((i: { email: string }) => i.email);
    expect(await emails("from=2026-01-11&to=2026-01-11")).toEqual(["eleventh@list.example"]);
    expect(await emails("to=2026-01-10")).toEqual(["tenth@list.example"]);
    expect(await emails("from=2026-01-10&to=2026-01-10")).toEqual(["tenth@list.example"]);
    // A whole address looked up directly is held to the same days.
    expect(await emails("q=eleventh@list.example&to=2026-01-10")).toEqual([]);
    expect(await emails("q=eleventh@list.example&from=2026-01-11")).toEqual(["eleventh@list.example"]);
  });

  test("a partial search SES answers with empty pages and a NextToken for ever stops at its page limit and offers to look further", async () => {
    const { c } = await w.owner();
    suppressionLog(w.fake).listing = "empty-pages";
    const before = callsOf("ListSuppressedDestinations");
    const reply = await c.get("/aws/suppressions?q=user");
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ items: [], scanned: 0, stoppedEarly: true, nextToken: expect.any(String) });
    expect(callsOf("ListSuppressedDestinations") - before).toBe(SEARCH_PAGES);
  });

  test("SES giving the same NextToken twice stops a search and a page of the list with a sentence instead of going round", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 3);
    suppressionLog(w.fake).listing = "same-token";
    const before = callsOf("ListSuppressedDestinations");
    const search = await c.get("/aws/suppressions?q=user");
    expect(search.status).toBe(422);
    expect(search.json).toMatchObject({ code: "aws_paging_loop", error: expect.stringContaining("rather than go round in a loop") });
    expect(callsOf("ListSuppressedDestinations") - before).toBe(2);
    const table = await c.get("/settings/aws/suppressions?q=user", { "hx-request": "true" });
    expect(table.text).toContain("rather than go round in a loop");
    expect((await c.get("/aws/suppressions?nextToken=loop")).json.code).toBe("aws_paging_loop");
  });

  test("a whole address is looked up directly; one SES does not have is an empty result, not an error", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 5);
    const lists = callsOf("ListSuppressedDestinations");
    const found = await c.get("/aws/suppressions?q=USER-00003@list.example");
    expect(found.status).toBe(200);
    expect(found.json.items).toEqual([{ email: "user-00003@list.example", reason: "BOUNCE", lastUpdate: expect.any(String) }]);
    expect(found.json.nextToken).toBeNull();
    const missing = await c.get("/aws/suppressions?q=nobody@list.example");
    expect(missing.status).toBe(200);
    expect(missing.json).toEqual({ items: [], nextToken: null });
    expect(callsOf("ListSuppressedDestinations")).toBe(lists);
    expect(callsOf("GetSuppressedDestination")).toBeGreaterThanOrEqual(2);
  });

  test("part of an address is searched by reading the list in pages of 1,000, stopping at 20,000 and saying so", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 25_000);
    const some = await c.get("/aws/suppressions?q=user-0004");
    expect(some.json.items.map((i: { email: string }) => i.email).slice(0, 2)).toEqual(["user-00040@list.example", "user-00041@list.example"]);
    expect(some.json.items).toHaveLength(10);
    expect(some.json.stoppedEarly).toBe(true);

    const before = callsOf("ListSuppressedDestinations");
    const none = await c.get("/aws/suppressions?q=nomatch");
    expect(none.json).toMatchObject({ items: [], scanned: 20_000, stoppedEarly: true });
    expect(callsOf("ListSuppressedDestinations") - before).toBe(20);
    const rest = await c.get(`/aws/suppressions?q=nomatch&nextToken=${encodeURIComponent(none.json.nextToken)}`);
    expect(rest.json).toEqual({ items: [], nextToken: null, scanned: 5_000, stoppedEarly: false });

    const many = await c.get("/aws/suppressions?q=list.example");
    // Whole pages are kept, so the token given back continues right after them.
    expect(many.json).toMatchObject({ scanned: 1_000, stoppedEarly: false });
    expect(many.json.items).toHaveLength(1_000);
  });
});

describe("changing SES's suppression list", () => {
  test("an admin adds an address and removes it again; removing one SES lacks is a 404 with a sentence", async () => {
    const { c } = await w.owner();
    expect((await c.put("/aws/suppressions", { email: " Someone+tag@Example.com ", reason: "COMPLAINT" })).status).toBe(204);
    expect(w.fake.suppressed.get("someone+tag@example.com")).toMatchObject({ reason: "COMPLAINT" });
    const removed = await c.delete(`/aws/suppressions/${encodeURIComponent("someone+tag@example.com")}`);
    expect(removed.status).toBe(204);
    expect(w.fake.suppressed.has("someone+tag@example.com")).toBe(false);
    const again = await c.delete(`/aws/suppressions/${encodeURIComponent("someone+tag@example.com")}`);
    expect(again.status).toBe(404);
    expect(again.json.error).toContain("not on SES's suppression list");
  });

  test("an address that is not one, or a reason SES does not know, is refused before SES is asked", async () => {
    const { c } = await w.owner();
    const puts = callsOf("PutSuppressedDestination");
    expect((await c.put("/aws/suppressions", { email: "not an address", reason: "BOUNCE" })).json).toMatchObject({ code: "invalid_email", field: "email" });
    expect((await c.put("/aws/suppressions", { email: "a@example.com", reason: "UNSUBSCRIBE" })).json).toMatchObject({ code: "invalid_reason", field: "reason" });
    expect(callsOf("PutSuppressedDestination")).toBe(puts);
  });

  test("the account's suppression attributes are read from GetAccount and set with PutAccountSuppressionAttributes", async () => {
    const { c } = await w.owner();
    const account = w.fake.account(KEY.accessKeyId, "us-east-1")!;
    account.SuppressionAttributes = { SuppressedReasons: ["BOUNCE", "COMPLAINT"] };
    expect((await c.get("/aws/suppressions/attributes")).json).toEqual({ reasons: ["BOUNCE", "COMPLAINT"] });
    const set = await c.put("/aws/suppressions/attributes", { reasons: ["COMPLAINT"] });
    expect(set.json).toEqual({ reasons: ["COMPLAINT"] });
    expect(account.SuppressionAttributes.SuppressedReasons).toEqual(["COMPLAINT"]);
    expect((await c.get("/aws/suppressions/attributes")).json).toEqual({ reasons: ["COMPLAINT"] });
    expect((await c.put("/aws/suppressions/attributes", { reasons: [] })).json).toEqual({ reasons: [] });
    expect(account.SuppressionAttributes.SuppressedReasons).toEqual([]);
    expect((await c.put("/aws/suppressions/attributes", { reasons: ["BOUNCE", "SPAM"] })).json).toMatchObject({ code: "invalid_reason" });
    expect(account.SuppressionAttributes.SuppressedReasons).toEqual([]);
  });

  test("a member reads the list and the attributes but may not change either, nor the sync (403)", async () => {
    const { workspaceId } = await w.owner();
    const m = await w.member(workspaceId);
    w.fake.suppressed.set("kept@example.com", { reason: "BOUNCE", lastUpdate: new Date() });
    expect((await m.get("/aws/suppressions")).json.items).toHaveLength(1);
    expect((await m.get("/aws/suppressions/attributes")).status).toBe(200);
    expect((await m.get("/aws/suppressions/sync")).status).toBe(200);
    for (const reply of [
      await m.put("/aws/suppressions", { email: "new@example.com", reason: "BOUNCE" }),
      await m.delete("/aws/suppressions/kept%40example.com"),
      await m.put("/aws/suppressions/attributes", { reasons: [] }),
      await m.put("/aws/suppressions/settings", { sync: "both" }),
      await m.post("/aws/suppressions/sync", { direction: "pull" }),
    ]) {
      expect(reply.status).toBe(403);
      expect(reply.json.error).toContain("Only a workspace admin or owner");
    }
    expect([...w.fake.suppressed.keys()]).toEqual(["kept@example.com"]);
  });

  test("without AWS keys every call says to connect them first", async () => {
    const { c } = await w.owner(null);
    const reply = await c.get("/aws/suppressions");
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe("aws_not_connected");
  });
});

describe("AWS refusing", () => {
  test("keys without the permission get a sentence naming the one missing, for every call", async () => {
    const { c } = await w.owner(DENIED);
    w.fake.suppressed.set("there@example.com", { reason: "BOUNCE", lastUpdate: new Date() });
    const cases: [Promise<{ status: number; json: any }>, string][] = [
      [c.get("/aws/suppressions"), "ses:ListSuppressedDestinations"],
      [c.get("/aws/suppressions?q=there@example.com"), "ses:GetSuppressedDestination"],
      [c.put("/aws/suppressions", { email: "x@example.com", reason: "BOUNCE" }), "ses:PutSuppressedDestination"],
      [c.delete("/aws/suppressions/there%40example.com"), "ses:DeleteSuppressedDestination"],
      [c.put("/aws/suppressions/attributes", { reasons: ["BOUNCE"] }), "ses:PutAccountSuppressionAttributes"],
      [c.post("/aws/suppressions/sync", { direction: "pull" }), "ses:ListSuppressedDestinations"],
    ];
    for (const [pending, action] of cases) {
      const reply = await pending;
      expect({ action, status: reply.status, code: reply.json.code }).toEqual({ action, status: 422, code: "aws_access_denied" });
      expect(reply.json.error).toContain(`Add ${action} to the IAM user's policy`);
      expect(reply.json.error).not.toContain("is not authorized to perform");
    }
    expect(w.fake.suppressed.has("there@example.com")).toBe(true);
  });

  test("throttling, a missing address and an account limit come back as sentences that say what to do", async () => {
    const { c } = await w.owner();
    w.fake.fail("ses:ListSuppressedDestinations", "throttled");
    const throttled = await c.get("/aws/suppressions");
    expect(throttled.json).toMatchObject({ code: "aws_throttled", error: expect.stringContaining("Wait a minute and try again") });
    w.fake.fail("ses:GetSuppressedDestination", "notFound");
    expect((await c.get("/aws/suppressions?q=gone@example.com")).json).toEqual({ items: [], nextToken: null });
    w.fake.fail("ses:DeleteSuppressedDestination", "notFound");
    expect((await c.delete("/aws/suppressions/gone%40example.com")).status).toBe(404);
    w.fake.fail("ses:PutSuppressedDestination", "limit");
    const limit = await c.put("/aws/suppressions", { email: "x@example.com", reason: "BOUNCE" });
    expect(limit.json).toMatchObject({ code: "aws_limit", error: expect.stringContaining("add an address to SES's suppression list") });
    w.fake.fail("ses:PutAccountSuppressionAttributes", "throttled");
    expect((await c.put("/aws/suppressions/attributes", { reasons: [] })).json.code).toBe("aws_throttled");
    w.fake.fail("ses:ListSuppressedDestinations", "html200");
    expect((await c.get("/aws/suppressions")).json.code).toBe("aws_bad_response");
  });
});
