import { createTestApp } from "./tests/support/app";
import { Client } from "./tests/support/client";
import * as contactsQ from "./src/features/contacts/queries";
import * as supQ from "./src/features/suppressions/queries";
import { transaction } from "./src/db/client";
const t = await createTestApp({ startJobs: false });
const c = new Client(t.app); await c.signup();
const l = await c.post("/lists", { name: "P" });
const ws = (await c.get("/auth/me")).json.workspace.id;
const db = t.deps.db;
for (let round = 0; round < 5; round++) {
  const emails = Array.from({length: 1000}, (_, i) => `r${round}-${i}@x.com`);
  const now = new Date();
  const tm: Record<string, number> = {};
  const T = async <X>(k: string, f: () => Promise<X>) => { const t0 = performance.now(); const r = await f(); tm[k] = +(performance.now() - t0).toFixed(1); return r; };
  await T("tx", () => transaction(db, async (tx) => {
    await T("find", () => contactsQ.findContactsByEmails(tx, ws, emails));
    await T("sup", () => supQ.findSuppressed(tx, ws, emails));
    const w = await T("upsert", () => contactsQ.upsertContacts(tx, ws, emails.map(e => ({ email: e, attributes: {a: "1"}, status: "active" as const })), now));
    await T("list", () => contactsQ.addContactsToList(tx, ws, l.json.id, w.map(x => x.id), now));
  }));
  console.log(tm);
}
await t.close();
