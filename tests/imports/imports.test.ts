import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { markImportRunning } from "../../src/features/imports/queries";
import { runImport } from "../../src/features/imports/imports.job";
import { handlers } from "../../src/jobs/registry";
import postgres from "postgres";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { dialect } from "../support/db";
import { importInto, uploadCsv, waitForImport } from "../support/imports";

let t: TestApp;
let c: Client;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true });
  c = new Client(t.app);
  await c.signup("importer@example.com");
});
afterAll(async () => {
  await t.close();
});

/** How the import job names an import: its workspace and id. */
async function refOf(id: string) {
  const { db } = t.database;
  const [row] = await db.orm.select({ workspaceId: db.t.imports.workspaceId }).from(db.t.imports).where(eq(db.t.imports.id, id));
  return { workspaceId: row!.workspaceId, id };
}

async function contacts(listId: string, q = "") {
  return (await c.get(`/lists/${listId}/contacts?q=${encodeURIComponent(q)}`)).json as { items: { email: string; attributes: Record<string, string>; status: string }[]; total: number };
}

describe("CSV import", () => {
  test("imports a plain CSV: the email column by its header, every other column an attribute", async () => {
    const { listId, report } = await importInto(c, "email,first name,company\nann@example.com,Ann,Acme\nbob@example.com,Bob,Globex\n");
    expect(report).toMatchObject({ status: "done", total: 2, imported: 2, updated: 0, duplicates: 0, invalid: 0, errors: [], progress: 1 });
    const { items } = await contacts(listId);
    expect(items.map((i) => [i.email, i.attributes])).toEqual([
      ["ann@example.com", { first_name: "Ann", company: "Acme" }],
      ["bob@example.com", { first_name: "Bob", company: "Globex" }],
    ]);
  });

  test("reads a UTF-8 BOM, semicolons, CRLF and quoted fields with newlines", async () => {
    const csv = '\uFEFFE-mail;Name;Note\r\n"bom-ann@example.com";"Ann ""the"" First";"line one\r\nline two"\r\nbom-bob@example.com;Bob;\r\n';
    const { listId, report } = await importInto(c, csv);
    expect(report).toMatchObject({ status: "done", imported: 2, invalid: 0 });
    const ann = (await contacts(listId, "bom-ann@")).items[0]!;
    expect(ann.attributes).toEqual({ name: 'Ann "the" First', note: "line one\r\nline two" });
  });

  test("reads tab-separated files", async () => {
    const { report } = await importInto(c, "email\tcity\nt1@example.com\tOslo\nt2@example.com\tBergen\n");
    expect(report).toMatchObject({ status: "done", imported: 2 });
  });

  test("reads an Excel-made Windows-1252 file", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("email;city\r\nzoe@example.com;Z"), 0xfc, ...new TextEncoder().encode("rich\r\n")]);
    const { listId, report } = await importInto(c, bytes as unknown as string);
    expect(report).toMatchObject({ status: "done", imported: 1 });
    expect((await contacts(listId)).items[0]!.attributes.city).toBe("Zürich");
  });

  test("counts duplicates within the file and invalid rows with their row number and reason", async () => {
    const csv = "email,name\nok@example.com,A\nOK@Example.com,B\nnot-an-email,C\n,D\n mailto:spaced@example.com ,E\nJane <jane@example.com>,F\n";
    const { listId, report } = await importInto(c, csv);
    expect(report).toMatchObject({ total: 6, imported: 3, duplicates: 1, invalid: 2 });
    expect(report.errors).toEqual([
      { row: 4, reason: '"not-an-email" is not a valid email address.' },
      { row: 5, reason: "No email address." },
    ]);
    expect((await contacts(listId)).items.map((i) => i.email).sort()).toEqual(["jane@example.com", "ok@example.com", "spaced@example.com"]);
    const reply = await c.get(`/imports/${report.id}/errors.csv`);
    expect(reply.headers.get("content-type")).toContain("text/csv");
    expect(reply.text).toBe('row,reason\r\n4,"""not-an-email"" is not a valid email address."\r\n5,No email address.\r\n');
  });

  test("row numbers in the report are the spreadsheet's, blank lines included", async () => {
    const { report } = await importInto(c, "email,name\n\nrow3@example.com,A\n\n , \nbroken,B\n\n");
    expect(report).toMatchObject({ total: 2, imported: 1, invalid: 1 });
    expect(report.errors).toEqual([{ row: 6, reason: '"broken" is not a valid email address.' }]);
  });

  test("a contact belongs to the workspace once: a second import updates it, or keeps it when asked", async () => {
    const first = await importInto(c, "email,plan\nsame@example.com,free\n");
    const update = await importInto(c, "email,plan,city\nSAME@example.com,pro,Lyon\n");
    expect(update.report).toMatchObject({ imported: 0, updated: 1 });
    expect((await contacts(first.listId)).items[0]!.attributes).toEqual({ plan: "pro", city: "Lyon" });
    const keep = await importInto(c, "email,plan\nsame@example.com,enterprise\n", { onConflict: "keep" });
    expect(keep.report).toMatchObject({ imported: 0, updated: 0, unchanged: 1 });
    expect((await contacts(keep.listId)).items[0]!.attributes.plan).toBe("pro");
    const again = await importInto(c, "email,plan\nsame@example.com,pro\n");
    expect(again.report).toMatchObject({ updated: 0, unchanged: 1 });
  });

  test("a blank cell does not erase an attribute the contact already has", async () => {
    await importInto(c, "email,company\nkeepme@example.com,Initech\n");
    const { listId } = await importInto(c, "email,company,city\nkeepme@example.com,,Paris\n");
    expect((await contacts(listId)).items[0]!.attributes).toEqual({ company: "Initech", city: "Paris" });
  });

  test("a 10,000-character cell makes its row invalid with a reason; the rest import", async () => {
    const { report } = await importInto(c, `email,bio\nlong@example.com,${"x".repeat(10_000)}\nshort@example.com,hi\n`);
    expect(report).toMatchObject({ imported: 1, invalid: 1 });
    expect(report.errors[0].reason).toContain('column "bio" is longer than 2,000 characters');
  });

  test("HTML in a name is stored as typed and shown escaped", async () => {
    const { listId } = await importInto(c, 'email,name\nxss@example.com,"<script>alert(1)</script><b>Eve</b>"\n');
    expect((await contacts(listId)).items[0]!.attributes.name).toBe("<script>alert(1)</script><b>Eve</b>");
    const page = await c.get(`/lists/${listId}`, { accept: "text/html" });
    expect(page.text).not.toContain("<script>alert(1)");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  test("multipart upload with preview, then a mapping that skips and renames columns", async () => {
    const list = await c.post("/lists", { name: "Mapped" });
    const form = new FormData();
    form.append("preview", "1");
    form.append("file", new File(["Address,Full Name,Internal ID\nm1@example.com,Mia,77\nm2@example.com,Max,78\n"], "people.csv", { type: "text/csv" }));
    const uploaded = await c.request("POST", `/lists/${list.json.id}/import`, { body: form });
    expect(uploaded.status).toBe(202);
    expect(uploaded.json).toMatchObject({ status: "uploaded", preview: { format: { delimiter: ",", encoding: "utf-8", columns: ["Address", "Full Name", "Internal ID"] }, emailColumn: 0 } });
    expect(uploaded.json.preview.rows).toEqual([
      ["m1@example.com", "Mia", "77"],
      ["m2@example.com", "Max", "78"],
    ]);
    expect((await c.get(`/imports/${uploaded.json.importId}`)).json.status).toBe("uploaded");
    const started = await c.post(`/imports/${uploaded.json.importId}/start`, { mapping: { email: 0, attributes: [{ index: 1, key: "Name" }] } });
    expect(started.status).toBe(202);
    const report = await waitForImport(c, uploaded.json.importId);
    expect(report).toMatchObject({ status: "done", imported: 2 });
    expect((await contacts(list.json.id)).items.map((i) => i.attributes)).toEqual([{ name: "Mia" }, { name: "Max" }]);
    const twice = await c.post(`/imports/${uploaded.json.importId}/start`, { mapping: { email: 0, attributes: [] } });
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe("import_started");
  });

  test("the email column can be chosen by name when its header is not 'email'", async () => {
    const { report } = await importInto(c, "Who,Where\nw1@example.com,Rome\n", { email: "Who" });
    expect(report).toMatchObject({ status: "done", imported: 1 });
  });
});

describe("files that are not a usable CSV get a clear answer and leave nothing behind", () => {
  async function refused(body: string | Uint8Array, query: Record<string, string> = {}) {
    const list = await c.post("/lists", { name: `Refused ${Math.random()}` });
    const reply = await uploadCsv(c, list.json.id, body, query);
    expect(reply.status).toBe(422);
    expect((await c.get(`/lists/${list.json.id}/contacts`)).json.total).toBe(0);
    return reply.json as { error: string; code: string };
  }

  test("an empty file", async () => {
    expect((await refused("")).code).toBe("empty_file");
  });

  test("a header with no rows", async () => {
    expect(await refused("email,name\n")).toMatchObject({ code: "no_rows", error: "The file has a header row but no data rows." });
  });

  test("no column holds addresses", async () => {
    const reply = await refused("name,city\nAnn,Oslo\n");
    expect(reply.code).toBe("no_email_column");
    expect(reply.error).toContain("name, city");
  });

  test("an Excel workbook, and binary data", async () => {
    expect((await refused(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]))).error).toContain("Save As");
    expect((await refused(new Uint8Array(4096).map((_, i) => i % 7)))).toMatchObject({ code: "not_csv" });
  });

  test("50 MB of garbage", async () => {
    const garbage = new Uint8Array(50 * 1024 * 1024);
    for (let i = 0; i < garbage.length; i += 65536) crypto.getRandomValues(garbage.subarray(i, i + 65536));
    expect((await refused(garbage)).code).toBe("not_csv");
  }, 30_000);

  test("50 MB of text that is not a list of people", async () => {
    const line = "lorem ipsum dolor sit amet, consectetur adipiscing elit\n";
    expect((await refused(line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)))).code).toBe("no_email_column");
  }, 30_000);

  test("an unknown onConflict value", async () => {
    expect((await refused("email\na@example.com\n", { onConflict: "merge" })).code).toBe("invalid_on_conflict");
  });
});

describe("one import at a time per list", () => {
  test("a second import into a list while one is running is refused with 409 and leaves nothing behind", async () => {
    const list = await c.post("/lists", { name: "Busy" });
    const first = await uploadCsv(c, list.json.id, "email\na@example.com\n", { preview: "1" });
    // Hold the first import in "running" without a worker touching it.
    const { db } = t.database;
    await db.orm.update(db.t.imports).set({ status: "running" }).where(eq(db.t.imports.id, first.json.importId));
    const second = await uploadCsv(c, list.json.id, "email\nb@example.com\n");
    expect(second.status).toBe(409);
    expect(second.json.code).toBe("import_running");
    const rows = await db.orm.select().from(db.t.imports).where(eq(db.t.imports.listId, list.json.id));
    expect(rows.map((r) => r.id)).toEqual([first.json.importId]);
    await db.orm.update(db.t.imports).set({ status: "failed" }).where(eq(db.t.imports.id, first.json.importId));
  });

  test("starting one upload twice at once starts it once", async () => {
    const list = await c.post("/lists", { name: "Twice" });
    const uploaded = await uploadCsv(c, list.json.id, "email\na@example.com\n", { preview: "1" });
    const replies = await Promise.all([1, 2, 3].map(() => c.post(`/imports/${uploaded.json.importId}/start`, {})));
    expect(replies.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    expect(await waitForImport(c, uploaded.json.importId)).toMatchObject({ status: "done", imported: 1 });
  });
});

describe("suppressed addresses", () => {
  test("an import never makes a suppressed address mailable again", async () => {
    await c.post("/suppressions", { email: "gone@example.com" });
    const { listId, report } = await importInto(c, "email\ngone@example.com\nfresh@example.com\n");
    expect(report).toMatchObject({ imported: 2, suppressed: 1 });
    const byEmail = Object.fromEntries((await contacts(listId)).items.map((i) => [i.email, i.status]));
    expect(byEmail).toEqual({ "gone@example.com": "unsubscribed", "fresh@example.com": "active" });
    expect((await c.get("/suppressions?q=gone")).json.total).toBe(1);
  });
});

describe("malformed start requests", () => {
  test("a mapping of the wrong shape is a 400 naming the field, never a 500", async () => {
    const list = await c.post("/lists", { name: "Shapes" });
    const uploaded = await uploadCsv(c, list.json.id, "email,a\nshape@example.com,1\n", { preview: "1" });
    for (const mapping of [{ email: 0 }, { email: 0, attributes: [{ index: 1, key: 5 }] }, "x", { email: -1, attributes: [] }]) {
      const reply = await c.post(`/imports/${uploaded.json.importId}/start`, { mapping });
      expect({ mapping, status: reply.status }).toEqual({ mapping, status: 400 });
    }
    expect((await c.post(`/imports/${uploaded.json.importId}/start`, { email: "nope" })).json.code).toBe("no_such_column");
    expect((await c.get(`/lists/${list.json.id}/contacts?page=1e300`)).status).toBe(400);
  });
});

describe("upload housekeeping", () => {
  test("a refused upload leaves no file; abandoned previews and failed imports are swept after a day", async () => {
    const { readdirSync } = await import("node:fs");
    const { importsDir } = await import("../../src/features/imports/service");
    const { sweepUploads } = await import("../../src/features/imports/imports.job");
    const dir = importsDir(t.deps);
    const list = await c.post("/lists", { name: "Sweep" });
    expect((await uploadCsv(c, list.json.id, "email\na@example.com\n", { onConflict: "merge" })).status).toBe(422);
    expect(readdirSync(dir).filter((f) => f.endsWith(".part"))).toEqual([]);

    const abandoned = await uploadCsv(c, list.json.id, "email\nold@example.com\n", { preview: "1" });
    const { db } = t.database;
    await db.orm.update(db.t.imports).set({ createdAt: new Date(Date.now() - 25 * 3600_000) }).where(eq(db.t.imports.id, abandoned.json.importId));
    const fresh = await uploadCsv(c, list.json.id, "email\nnew@example.com\n", { preview: "1" });
    await sweepUploads(t.deps);
    const files = readdirSync(dir);
    expect(files).not.toContain(`${abandoned.json.importId}.csv`);
    expect(files).toContain(`${fresh.json.importId}.csv`);
    expect((await c.get(`/imports/${abandoned.json.importId}`)).json).toMatchObject({ status: "failed", failure: expect.stringContaining("not started within a day") });
  });

  test("a list cannot be deleted while an import into it runs", async () => {
    const list = await c.post("/lists", { name: "Running" });
    const uploaded = await uploadCsv(c, list.json.id, "email\nrun@example.com\n", { preview: "1" });
    const { db } = t.database;
    await db.orm.update(db.t.imports).set({ status: "running" }).where(eq(db.t.imports.id, uploaded.json.importId));
    const reply = await c.delete(`/lists/${list.json.id}`);
    expect(reply.status).toBe(409);
    expect(reply.json.code).toBe("import_running");
    await db.orm.update(db.t.imports).set({ status: "failed" }).where(eq(db.t.imports.id, uploaded.json.importId));
    expect((await c.delete(`/lists/${list.json.id}`)).status).toBe(200);
  });
});

describe("a write that fails part-way", () => {
  const refused = "p2500@example.com";
  async function refuseOneAddress(on: boolean) {
    const { db } = t.database;
    if (db.dialect === "postgres") {
      await db.rows(
        on
          ? sql.raw(`create or replace function refuse_contact() returns trigger language plpgsql as $$ begin if new.email = '${refused}' then raise exception 'refused'; end if; return new; end $$;
                     create trigger refuse_contact before insert on contacts for each row execute function refuse_contact()`)
          : sql.raw("drop trigger refuse_contact on contacts"),
      );
    } else {
      await db.rows(
        on
          ? sql.raw(`create trigger refuse_contact before insert on contacts when new.email = '${refused}' begin select raise(abort, 'refused'); end`)
          : sql.raw("drop trigger refuse_contact"),
      );
    }
  }

  test("reports exactly the batches that committed, and a restarted job resumes after them without counting anyone twice", async () => {
    // The last row repeats one from the first batch.
    const csv = `email,n\n${Array.from({ length: 3000 }, (_, i) => `p${i}@example.com,${i}`).join("\n")}\np5@example.com,5\n`;
    await refuseOneAddress(true);
    let listId: string;
    let report;
    try {
      ({ listId, report } = await importInto(c, csv));
    } finally {
      await refuseOneAddress(false);
    }
    // The third batch of 1,000 holds the refused address: the first two committed, the third did not.
    expect(report).toMatchObject({ status: "failed", total: 2000, imported: 2000 });
    expect(report.failure).toContain("after 2,000 rows");
    expect((await contacts(listId)).total).toBe(2000);

    // As if the process had died mid-run: the job runs again on the same row and file.
    const { db } = t.database;
    await db.orm.update(db.t.imports).set({ status: "running" }).where(eq(db.t.imports.id, report.id));
    await runImport(t.deps, await refOf(report.id));
    // The rows it skipped still count: the repeat is a duplicate, not an unchanged contact.
    expect(await waitForImport(c, report.id)).toMatchObject({ status: "done", total: 3001, imported: 3000, duplicates: 1, unchanged: 0, invalid: 0 });
    expect((await contacts(listId)).total).toBe(3000);
  });
});

describe("one run per import", () => {
  /** An import of 3,000 new addresses (prefix0@… to prefix2999@…) marked running with its mapping, as the start route leaves it, but with no job queued. */
  async function runningImport(prefix: string, onConflict: "update" | "keep" = "update") {
    const csv = `email,n\n${Array.from({ length: 3000 }, (_, i) => `${prefix}${i}@example.com,${i}`).join("\n")}\n`;
    const list = await c.post("/lists", { name: `Lease ${Math.random().toString(36).slice(2, 8)}` });
    const uploaded = await uploadCsv(c, list.json.id, csv, { preview: "1" });
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.imports).where(eq(db.t.imports.id, uploaded.json.importId));
    await markImportRunning(db, row!.workspaceId, row!.id, { email: 0, attributes: [{ index: 1, key: "n" }] }, onConflict, new Date());
    return { listId: list.json.id as string, id: row!.id, ref: { workspaceId: row!.workspaceId, id: row!.id } };
  }

  test("two runs of one import at once: one writes, the other finds it taken", async () => {
    const { listId, id, ref } = await runningImport("twice");
    await Promise.all([runImport(t.deps, ref), runImport(t.deps, ref)]);
    expect(await waitForImport(c, id)).toMatchObject({ status: "done", total: 3000, imported: 3000, updated: 0, unchanged: 0 });
    // The second run stopped at its claim, not part-way through.
    expect(t.logs.filter((line) => line.includes(id) && line.includes("taken over"))).toEqual([]);
    expect((await contacts(listId)).total).toBe(3000);
  });

  test("an import whose run holds a live lease is left alone; once the lease lapses another run finishes it", async () => {
    const { id, ref } = await runningImport("leased");
    const { db } = t.database;
    await db.orm.update(db.t.imports).set({ runner: "run_elsewhere", leaseUntil: new Date(Date.now() + 60_000) }).where(eq(db.t.imports.id, id));
    await runImport(t.deps, ref);
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "running", total: 0 });
    await db.orm.update(db.t.imports).set({ leaseUntil: new Date(Date.now() - 1) }).where(eq(db.t.imports.id, id));
    await runImport(t.deps, ref);
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "done", total: 3000, imported: 3000 });
  });

  /**
   * Runs `run` while another connection holds an uncommitted contact (`email` in the import's
   * workspace) for `holdMs`, then commits or rolls it back and waits for `run` to finish.
   */
  async function whileAnotherWriterHolds(ref: { workspaceId: string }, email: string, attributes: string, holdMs: number, end: "commit" | "rollback", run: () => Promise<void>) {
    const other = postgres(t.database.url, { max: 1, onnotice: () => {} });
    const connection = await other.reserve();
    try {
      await connection`begin`;
      await connection`insert into contacts (workspace_id, email, attributes, status, created_at, updated_at) values (${ref.workspaceId}, ${email}, ${attributes}, 'active', 0, 0)`;
      const running = run();
      await Bun.sleep(holdMs);
      await connection.unsafe(end);
      await running;
    } finally {
      connection.release();
      await other.end();
    }
  }

  test.if(dialect === "postgres")("a batch that waits too long on another writer's lock gives up, and the run resumes from its last committed row", async () => {
    const { listId, id, ref } = await runningImport("held");
    // An address of the second batch, held for longer than the lock timeout (5 s).
    await whileAnotherWriterHolds(ref, "held1500@example.com", "{}", 6500, "rollback", () => runImport(t.deps, ref));
    expect(t.logs.some((line) => line.includes("locks; resuming") && line.includes(id))).toBe(true);
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "done", total: 3000, imported: 3000 });
    expect((await contacts(listId)).total).toBe(3000);
  }, 20_000);

  test.if(dialect === "postgres")("an address another import adds between the lookup and the write is counted as found, and kept as it was when asked to keep", async () => {
    const { listId, id, ref } = await runningImport("raced", "keep");
    // Not yet committed when the import looks the address up; committed while its insert waits.
    await whileAnotherWriterHolds(ref, "raced1500@example.com", '{"n":"theirs"}', 1000, "commit", () => runImport(t.deps, ref));
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "done", total: 3000, imported: 2999, unchanged: 1, updated: 0 });
    const listed = await contacts(listId, "raced1500@");
    expect(listed.items.map((i) => [i.email, i.attributes.n])).toEqual([["raced1500@example.com", "theirs"]]);
  });

  test("a run whose file has gone (removed by hand, or by a run that finished it) fails with the report instead of hanging", async () => {
    const { id, ref } = await runningImport("vanished");
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.imports).where(eq(db.t.imports.id, id));
    const { rm } = await import("node:fs/promises");
    await rm(row!.filePath!);
    await runImport(t.deps, ref);
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "failed", total: 0, failure: expect.stringContaining("stopped after 0 rows") });
  });

  test("maintenance picks up an import left running with no job (a crash between starting it and queueing it)", async () => {
    const { listId, id, ref } = await runningImport("orphan");
    await handlers.maintenance(t.deps, {});
    expect(await waitForImport(c, id)).toMatchObject({ status: "done", total: 3000, imported: 3000 });
    expect((await contacts(listId)).total).toBe(3000);
  });

  test("a run that loses its import mid-way rolls back its batch and stops; the run that took over finishes", async () => {
    const { listId, id, ref } = await runningImport("stolen");
    const { db } = t.database;
    // While the second batch is written, another run takes the import over (as after a lapsed lease).
    if (db.dialect === "postgres") {
      // Batches overlap here: the second one is held inside its insert (on an advisory lock this
      // test holds) while the import is taken from outside, once the first has committed.
      const other = postgres(t.database.url, { max: 1, onnotice: () => {} });
      const holder = await other.reserve();
      await holder`select pg_advisory_lock(4242)`;
      await db.rows(
        sql.raw(`create or replace function hold_import() returns trigger language plpgsql as $$ begin if new.email = 'stolen1500@example.com' then perform pg_advisory_lock(4242); perform pg_advisory_unlock(4242); end if; return new; end $$;
                 create trigger hold_import after insert on contacts for each row execute function hold_import()`),
      );
      try {
        const run = runImport(t.deps, ref);
        let total = 0;
        for (let i = 0; i < 400 && total < 1000; i++) {
          await Bun.sleep(5);
          total = (await c.get(`/imports/${id}`)).json.total;
        }
        expect(total).toBe(1000);
        await db.orm.update(db.t.imports).set({ runner: "run_thief" }).where(eq(db.t.imports.id, id));
        await holder`select pg_advisory_unlock(4242)`;
        await run;
      } finally {
        holder.release();
        await other.end();
        await db.rows(sql.raw("drop trigger hold_import on contacts"));
      }
      await db.orm.update(db.t.imports).set({ runner: null }).where(eq(db.t.imports.id, id));
    } else {
      // One writer at a time: the batch itself takes the import over.
      await db.rows(sql.raw(`create trigger steal_import after insert on contacts when new.email = 'stolen1500@example.com' begin update imports set runner = 'run_thief' where id = '${id}'; end`));
      try {
        await runImport(t.deps, ref);
      } finally {
        await db.rows(sql.raw("drop trigger steal_import"));
      }
    }
    expect(t.logs.some((line) => line.includes("import taken over by another run"))).toBe(true);
    // The second batch was rolled back with the check that refused it; the first stands.
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "running", total: 1000, imported: 1000 });
    expect((await contacts(listId)).total).toBe(1000);
    await db.orm.update(db.t.imports).set({ leaseUntil: new Date(Date.now() - 1) }).where(eq(db.t.imports.id, id));
    await runImport(t.deps, ref);
    expect((await c.get(`/imports/${id}`)).json).toMatchObject({ status: "done", total: 3000, imported: 3000, unchanged: 0 });
  });
});

describe("imports running side by side", () => {
  test("four imports of the same 12,000 addresses into four lists at once, in different orders, all finish with every contact once and counted once", { timeout: 90_000 }, async () => {
    const addresses = Array.from({ length: 12_000 }, (_, i) => `many${i}@example.com`);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const shuffled = () => addresses.map((a) => [random(), a] as const).sort((x, y) => x[0] - y[0]).map(([, a]) => a);
    const orders = [addresses, [...addresses].reverse(), shuffled(), shuffled()];
    const before = Number((await t.database.db.rows<{ n: number }>(sql`select count(*) as n from contacts`))[0]!.n);
    const lists = await Promise.all(orders.map((_, i) => c.post("/lists", { name: `Side ${i}` })));
    const uploads = await Promise.all(lists.map((list, i) => uploadCsv(c, list.json.id, `email,side\n${orders[i]!.map((a) => `${a},x`).join("\n")}\n`)));
    const reports = await Promise.all(uploads.map((u) => waitForImport(c, u.json.importId, 80_000)));
    for (const report of reports) expect(report).toMatchObject({ status: "done", total: 12_000, invalid: 0, duplicates: 0, updated: 0 });
    for (const list of lists) expect((await contacts(list.json.id)).total).toBe(12_000);
    const after = Number((await t.database.db.rows<{ n: number }>(sql`select count(*) as n from contacts`))[0]!.n);
    expect(after - before).toBe(12_000);
    // Each address was new to exactly one of them; the others found it (same attributes: unchanged).
    expect(reports.reduce((sum, r) => sum + r.imported, 0)).toBe(12_000);
    expect(reports.reduce((sum, r) => sum + r.unchanged, 0)).toBe(36_000);
  });
});
