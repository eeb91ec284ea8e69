import { eq } from "drizzle-orm";
import { startAws, type FakeSuppressed } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

/** Keys the fake knows: two allowed everything (as two AWS accounts would be), one denied every suppression-list call. */
export const KEY = { accessKeyId: "AKIASUPPRESSIONS0001", secretAccessKey: "suppressions-test-secret-key-0000000000" };
export const OTHER = { accessKeyId: "AKIASUPPRESSIONS0002", secretAccessKey: "suppressions-other-secret-key-000000000" };
export const DENIED = { accessKeyId: "AKIASUPPRESSIONSDENY", secretAccessKey: "suppressions-denied-secret-key-00000000" };
export const DENIED_ACTIONS = [
  "ses:ListSuppressedDestinations",
  "ses:GetSuppressedDestination",
  "ses:PutSuppressedDestination",
  "ses:DeleteSuppressedDestination",
  "ses:PutAccountSuppressionAttributes",
];

export type World = Awaited<ReturnType<typeof startWorld>>;

/** The emulator, the fake in front of it, and an app pointed at them; people sign up from addresses of their own. */
export async function startWorld(options: { env?: Record<string, string> } = {}) {
  const aws = await startAws({
    [KEY.accessKeyId]: { secret: KEY.secretAccessKey },
    [OTHER.accessKeyId]: { secret: OTHER.secretAccessKey },
    [DENIED.accessKeyId]: { secret: DENIED.secretAccessKey, deny: DENIED_ACTIONS },
  });
  const t: TestApp = await createTestApp({ env: { ...aws.env, TRUST_PROXY: "1", ...options.env } });
  let addresses = 0;

  async function signup(c: Client, email: string) {
    addresses++;
    const reply = await c.post("/auth/signup", { email, password: "a long enough password" }, { "x-forwarded-for": `10.7.${addresses >> 8}.${addresses & 255}` });
    if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
    return reply.json as { user: { id: string }; workspace: { id: string } };
  }

  /** A new workspace's owner, connected with `key` (saved for the workspace unless told otherwise). */
  async function owner(key: { accessKeyId: string; secretAccessKey: string } | null = KEY, save = true) {
    const c = new Client(t.app);
    const created = await signup(c, `owner-${Math.random().toString(36).slice(2, 10)}@example.com`);
    if (key) {
      const reply = await c.post("/aws/connect", { ...key, region: "us-east-1", save });
      if (reply.status !== 200) throw new Error(`connect failed: ${reply.status} ${reply.text}`);
    }
    return { c, workspaceId: created.workspace.id };
  }

  /** A member (not admin) of `workspaceId`, using its saved keys. */
  async function member(workspaceId: string) {
    const c = new Client(t.app);
    const joined = await signup(c, `member-${Math.random().toString(36).slice(2, 10)}@example.com`);
    const { db } = t.database;
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: joined.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, joined.user.id));
    return c;
  }

  return {
    t,
    aws,
    fake: aws.fake,
    owner,
    member,
    async stop() {
      await t.close();
      await aws.stop();
    },
  };
}

/** Fills the fake's list with `n` addresses user-00000@list.example …, every third one a complaint. */
export function fillSesList(suppressed: Map<string, FakeSuppressed>, n: number, at = new Date(), prefix = "user") {
  for (let i = 0; i < n; i++) {
    suppressed.set(`${prefix}-${String(i).padStart(5, "0")}@list.example`, { reason: i % 3 === 2 ? "COMPLAINT" : "BOUNCE", lastUpdate: at });
  }
}
