import { expect } from "bun:test";
import { eq } from "drizzle-orm";
import { ACCOUNT, FAULT_TEXT, startAws, type FakeKey } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";
import type { Clock } from "../../src/lib/clock";

/** The emulator, the fake and an app in front of them, for one test file. */
export async function startAccountTests(options: { clock?: Clock } = {}) {
  const aws = await startAws({});
  // Every workspace signs up from an address of its own (through one trusted proxy): a file makes more
  // workspaces than the per-address sign-up limit allows from one.
  const t = await createTestApp({ env: { ...aws.env, TRUST_PROXY: "1" }, clock: options.clock });
  let addresses = 0;

  async function signup(c: Client, email: string) {
    addresses++;
    const reply = await c.post("/auth/signup", { email, password: "account password 1" }, { "x-forwarded-for": `10.8.${addresses >> 8}.${addresses & 255}` });
    if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
    return reply.json as { user: { id: string }; workspace: { id: string } };
  }

  /** A key of its own for one test, so the fake's account state (per key and region) starts fresh. */
  function newKey(options: Omit<FakeKey, "secret"> = {}) {
    const accessKeyId = `AKIA${crypto.randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`;
    const secretAccessKey = `secret/${crypto.randomUUID()}/abcdefgh`;
    aws.fake.keys.set(accessKeyId, { secret: secretAccessKey, ...options });
    return { accessKeyId, secretAccessKey };
  }

  /** A workspace owner with keys connected (saved by default) in `region`. */
  async function owner(options: { key?: Omit<FakeKey, "secret">; region?: string; save?: boolean } = {}) {
    const c = new Client(t.app);
    const created = await signup(c, `owner-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const key = newKey(options.key);
    const region = options.region ?? "eu-west-1";
    const reply = await c.post("/aws/connect", { ...key, region, save: options.save ?? true });
    if (reply.status !== 200) throw new Error(`connect failed: ${reply.status} ${reply.text}`);
    return { c, key, region, workspaceId: created.workspace.id, userId: created.user.id, account: () => aws.fake.account(key.accessKeyId, region)! };
  }

  /** A member of `workspaceId` (role member), logged in there. */
  async function member(workspaceId: string) {
    const c = new Client(t.app);
    const joined = await signup(c, `member-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const { db } = t.database;
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: joined.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, joined.user.id));
    return { c, userId: joined.user.id };
  }

  return {
    aws,
    t,
    newKey,
    owner,
    member,
    async stop() {
      await t.close();
      await aws.stop();
    },
  };
}

export type AccountTests = Awaited<ReturnType<typeof startAccountTests>>;

/** A sandbox account as SES reports it for a brand-new AWS account. */
export const SANDBOX = {
  ...ACCOUNT,
  Details: undefined,
  ProductionAccessEnabled: false,
  SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 },
};

export const htmx = { "hx-request": "true" };
export const page = { accept: "text/html" };

/** What AWS or the SDK says, which must never reach a person. */
const RAW = ["$response", "Deserialization", "@aws-sdk", "SyntaxError", ...Object.values(FAULT_TEXT).filter((text) => !text.startsWith("HTTP"))];

/** A sentence a person can act on, naming a next step and quoting nothing raw. */
export function expectSentence(text: string) {
  for (const raw of RAW) expect(text).not.toContain(raw);
  expect(text).toMatch(/^[A-Z][^<>{}]*\.$/);
  expect(text).toMatch(/[Tt]ry again|Add |Check |Create |Wait |Reload |Run |Enable /);
}

/** The refusal of an AWS call as JSON: its sentence and code. */
export function expectAwsRefusal(reply: Reply, code: string, permission?: string) {
  expect(reply.status).toBe(422);
  expect(reply.json.code).toBe(code);
  expectSentence(reply.json.error);
  if (permission) expect(reply.json.error).toContain(permission);
}

/** HTML text with its entities decoded, to look for sentences in. */
export function text(html: string): string {
  const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#34;": '"', "&#x27;": "'", "&#39;": "'" };
  return html.replace(/&(amp|lt|gt|quot|#34|#x27|#39);/g, (e) => entities[e]!);
}
