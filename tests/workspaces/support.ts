import type { TestApp } from "../support/app";
import { Client } from "../support/client";

let signups = 0;

/**
 * A fresh account with its own session (and its own workspace, as every sign-up makes). Each comes
 * from an address of its own through one trusted proxy (the app is made with TRUST_PROXY=1), since a
 * file makes more accounts than the per-address sign-up limit allows from one.
 */
export async function person(t: TestApp, label = "user") {
  signups++;
  const c = new Client(t.app);
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const reply = await c.post("/auth/signup", { email, password: "team password 123" }, { "x-forwarded-for": `10.14.${signups >> 8}.${signups & 255}` });
  if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
  const { user, workspace } = reply.json as { user: { id: string }; workspace: { id: string; name: string } };
  return { c, email, userId: user.id, home: workspace };
}

/** The token at the end of an invite link. */
export const tokenOf = (url: string) => new URL(url).pathname.split("/").pop()!;

/** An owner and someone who joined their workspace through an invite as `role`, their session now there. */
export async function ownerWith(t: TestApp, role: "admin" | "member") {
  const owner = await person(t, "owner");
  const other = await person(t, role);
  const invite = await owner.c.post("/workspace/invites", { role });
  if (invite.status !== 201) throw new Error(`invite failed: ${invite.status} ${invite.text}`);
  const joined = await other.c.post(`/invite/${tokenOf(invite.json.url)}/accept`);
  if (joined.status !== 200) throw new Error(`accept failed: ${joined.status} ${joined.text}`);
  return { owner, other, workspaceId: owner.home.id };
}
