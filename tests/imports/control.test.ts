import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { openSync, closeSync, rmSync, writeSync } from "node:fs";
import { eq } from "drizzle-orm";
import { runImport, rowLimit } from "../../src/features/imports/imports.job";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto, uploadCsv, waitForImport } from "../support/imports";

let t: TestApp;
let c: Client;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true });
  c = new Client(t.app);
  await c.signup("control@example.com");
});
afterAll(async () => {
  await t.close();
});

function rows(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => `p${from + i}@example.com,${from + i}`).join("\n");
}

async function importRow(id: string) {
  const { db } = t.database;
  const [row] = await db.orm.select().from(db.t.imports).where(eq(db.t.imports.id, id));
  return row!;
}

describe("a row past the length limit", () => {
  test("a line of 2 MB with no line break stops the import at that row; the rows before it are imported", async () => {
    const csv = `email,n\n${rows(0, 2000)}\n${"x".repeat(2 * 1024 * 1024)}\n${rows(5000, 10)}\n`;
    const { listId, report } = await importInto(c, csv);
    expect(report.status).toBe("failed");
    expect(report.failure).toContain("Row 2,002 is longer than 1,024 KB");
    expect(report.total).toBe(2000);
    expect((await c.get(`/lists/${listId}`)).json.contacts).toBe(2000);
  });

  test("a quote that is never closed, swallowing the rest of the file, stops there too", async () => {
    const csv = `email,n\n${rows(0, 1500)}\nbroken@example.com,"never closed\n${rows(9000, 60_000)}\n`;
    const { report } = await importInto(c, csv);
    expect(report.status).toBe("failed");
    expect(report.failure).toContain("Row 1,502 is longer than");
    expect(report.total).toBe(1000);
  });

  test("the guard lets through quoted line breaks, escaped quotes, CRLF and a stray quote inside a field", async () => {
    const through = async (text: string, max: number) => {
      const guard = rowLimit(",", max);
      const out: Buffer[] = [];
      guard.on("data", (chunk: Buffer) => out.push(chunk));
      const done = new Promise<void>((resolve, reject) => {
        guard.on("end", resolve);
        guard.on("error", reject);
      });
      guard.end(Buffer.from(text));
      await done;
      return Buffer.concat(out).toString();
    };
    const fine = 'email,note\r\na@example.com,"two\r\nlines, ""quoted"""\r\nb@example.com,5" screen\r\n';
    expect(await through(fine, 40)).toBe(fine);
    await expect(through(`email\r\n"${"y".repeat(60)}\r\nmore"\r\n`, 40)).rejects.toThrow("Row 2 is longer than");
    // A closing quote followed by more text keeps the field quoted, as papaparse reads it: the rest of the file is one row.
    await expect(through(`email\r\n"a"b@example.com,1\r\n${"next@example.com,2\r\n".repeat(5)}`, 40)).rejects.toThrow("Row 2 is longer than");
    // Old Mac line endings (CR alone) end rows too.
    expect(await through(`email\r${"z@example.com\r".repeat(20)}`, 40)).toContain("z@example.com");
  });
});

describe("a run that waits on its file", () => {
  test("renews its lease on a timer, so no second run takes an import that is still being read", async () => {
    const list = await c.post("/lists", { name: "Slow source" });
    const uploaded = await uploadCsv(c, list.json.id, "email,n\nfirst@example.com,1\n", { preview: "1" });
    const id = uploaded.json.importId as string;
    const { db } = t.database;
    // Held "running" with a mapping, as a start would leave it, but with no job: this test runs it by hand.
    await db.orm.update(db.t.imports).set({ status: "running", mapping: { email: 0, attributes: [{ index: 1, key: "n" }] } }).where(eq(db.t.imports.id, id));
    const row = await importRow(id);
    // A named pipe in place of the file: the run reads as slowly as this test writes.
    rmSync(row.filePath!);
    expect(spawnSync("mkfifo", [row.filePath!]).status).toBe(0);
    const ref = { workspaceId: row.workspaceId, id };
    const run = runImport(t.deps, ref, { leaseMs: 3000 });
    // Read-write, so opening does not wait for the reader (which this same thread starts).
    const pipe = openSync(row.filePath!, "r+");
    writeSync(pipe, "email,n\nslow1@example.com,1\n");
    const leases: number[] = [];
    for (let i = 0; i < 10; i++) {
      await Bun.sleep(500);
      leases.push((await importRow(id)).leaseUntil!.getTime());
      // A second run (a redelivered job, another instance) finds the import held.
      await runImport(t.deps, ref, { leaseMs: 3000 });
    }
    // Without renewal the 3 s lease would have lapsed before the last look, 5 s in.
    expect(leases.at(-1)! - leases[0]!).toBeGreaterThan(3000);
    expect(Math.min(...leases.slice(1).map((l, i) => l - leases[i]!))).toBeGreaterThanOrEqual(0);
    writeSync(pipe, `${rows(100, 5)}\n`);
    closeSync(pipe);
    await run;
    const done = await importRow(id);
    expect(done.status).toBe("done");
    expect(done.total).toBe(6);
    expect(done.imported + done.unchanged + done.updated).toBe(6);
  }, 30_000);
});

describe("cancelling an import", () => {
  test("stops the run at once, even while it waits for its file", async () => {
    const list = await c.post("/lists", { name: "Cancel while waiting" });
    const uploaded = await uploadCsv(c, list.json.id, "email\nwaiting@example.com\n", { preview: "1" });
    const id = uploaded.json.importId as string;
    const row = await importRow(id);
    // The file is a named pipe nobody finishes writing: no batch ever commits, so only a stop can end the run.
    rmSync(row.filePath!);
    expect(spawnSync("mkfifo", [row.filePath!]).status).toBe(0);
    const pipe = openSync(row.filePath!, "r+");
    try {
      writeSync(pipe, "email\nw1@example.com\n");
      expect((await c.post(`/imports/${id}/start`, {})).status).toBe(202);
      for (let i = 0; i < 100 && !t.logs.some((l) => l.includes(id) && l.includes('"import running"')); i++) await Bun.sleep(50);
      await Bun.sleep(300);
      expect((await c.post(`/imports/${id}/cancel`)).json.status).toBe("cancelled");
      let ended = false;
      for (let i = 0; i < 60 && !ended; i++) {
        ended = t.logs.some((l) => l.includes(id) && l.includes('"import cancelled"'));
        if (!ended) await Bun.sleep(50);
      }
      expect(ended).toBe(true);
    } finally {
      closeSync(pipe);
    }
  }, 30_000);

  test("stops it at once; what it committed stays and is counted; the list takes a new import", async () => {
    const list = await c.post("/lists", { name: "Cancel me" });
    const upload = await uploadCsv(c, list.json.id, `email,n\n${rows(0, 300_000)}\n`);
    const id = upload.json.importId as string;
    for (let i = 0; i < 200; i++) {
      const report = (await c.get(`/imports/${id}`)).json;
      if (report.total > 0) break;
      await Bun.sleep(25);
    }
    // While it runs, a second file is refused with what to do.
    const second = await uploadCsv(c, list.json.id, "email\nsecond@example.com\n");
    expect(second.status).toBe(409);
    expect(second.json.error).toContain("cancel it");
    const cancelled = await c.post(`/imports/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    expect(cancelled.json.failure).toContain("stay on the list");
    await Bun.sleep(1500);
    const after = (await c.get(`/imports/${id}`)).json;
    expect(after.status).toBe("cancelled");
    expect(after.total).toBeLessThan(300_000);
    // Every committed row joined the list (some addresses were contacts already, from other tests' lists).
    const listed = (await c.get(`/lists/${list.json.id}`)).json.contacts;
    expect(listed).toBe(after.imported + after.updated + after.unchanged);
    expect(listed).toBeGreaterThan(0);
    await Bun.sleep(500);
    expect((await c.get(`/imports/${id}`)).json.total).toBe(after.total);
    expect((await c.post(`/imports/${id}/cancel`)).status).toBe(409);
    const next = await uploadCsv(c, list.json.id, "email\nnext@example.com\n");
    expect(next.status).toBe(202);
    expect(await waitForImport(c, next.json.importId)).toMatchObject({ status: "done", imported: 1 });
  }, 30_000);
});

describe("an import in progress, seen again", () => {
  test("the list page shows a live banner, the import page its progress instead of a new upload form, and /imports/:id is a page", async () => {
    const list = await c.post("/lists", { name: "Watched" });
    const uploaded = await uploadCsv(c, list.json.id, "email\nwatched@example.com\n", { preview: "1" });
    const id = uploaded.json.importId as string;
    const { db } = t.database;
    // Running, with nobody working on it: what a second tab sees mid-import.
    await db.orm.update(db.t.imports).set({ status: "running", total: 1200, bytesRead: 10, startedAt: new Date() }).where(eq(db.t.imports.id, id));
    const html = { accept: "text/html" };
    const listPage = await c.get(`/lists/${list.json.id}`, html);
    expect(listPage.text).toContain('data-testid="import-banner"');
    expect(listPage.text).toContain("1,200 rows so far");
    const importPage = await c.get(`/lists/${list.json.id}/import`, html);
    expect(importPage.text).toContain('data-testid="import-progress"');
    expect(importPage.text).not.toContain('data-testid="import-upload"');
    const page = await c.get(`/imports/${id}`, html);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("<html");
    expect(page.text).toContain("Cancel import");
    expect((await c.get(`/imports/${id}`)).json.status).toBe("running");
    const banner = await c.get(`/imports/${id}/banner`, { "hx-request": "true" });
    expect(banner.text).toContain('hx-trigger="every 2s"');
    await c.post(`/imports/${id}/cancel`);
    const ended = await c.get(`/imports/${id}/banner`, { "hx-request": "true" });
    expect(ended.text).not.toContain("hx-trigger");
  });
});
