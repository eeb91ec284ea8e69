import { createTestApp } from "./tests/support/app";
import { Client } from "./tests/support/client";
const t = await createTestApp({ startJobs: true });
const c = new Client(t.app); await c.signup();
const l = await c.post("/lists", { name: "News" }); console.log(l.status, l.json);
const csv = "\uFEFFEmail;First Name;Company\r\nA@x.io;Ann;Acme\r\nb@x.io;\"Bob\nMultiline\";=cmd()\r\nbad;x;y\r\na@x.io;dup;dup\r\n";
const r = await c.request("POST", `/lists/${l.json.id}/import`, { body: csv, headers: { "content-type": "text/csv" } });
console.log(r.status, r.json);
for (let i = 0; i < 20; i++) { const s = await c.get(`/imports/${r.json.importId}`); if (s.json.status !== "running") { console.log(s.json); break; } await Bun.sleep(100); }
console.log((await c.get(`/lists/${l.json.id}/contacts?q=acme`)).json);
console.log((await c.get(`/lists/${l.json.id}/export.csv`)).text);
console.log((await c.get(`/lists`)).json);
await t.close();
