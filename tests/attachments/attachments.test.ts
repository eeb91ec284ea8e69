import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";
import { OTHER_REGION, startS3, type LocalS3 } from "../support/s3";
import { ATTACHMENT_MAX } from "../../src/features/attachments/model";
import { clearBucket, saveBucket } from "../../src/features/attachments/service";
import type { Auth } from "../../src/features/auth/model";
import { moveCampaign } from "../../src/features/campaigns/queries";

/**
 * Attachments from the workspace's own S3 bucket, against a real local S3 server (s3rver) and the SES
 * emulator: the bucket setting, upload, pick, removal, the refusals (type, size, a vanished file) and
 * mails that arrive with their files.
 */

const KEY = { accessKeyId: "AKIAATTACHMENTS00001", secretAccessKey: "attachments-secret-access-key-00000000" };
const BUCKET = "sesame-files";

let emulator: Emulator;
let fake: AwsFake;
let s3: LocalS3;
let t: TestApp;
let owner: Client;
let workspaceId: string;

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  attachments?: { filename: string; content: string; contentType: string; size: number }[];
}

async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${emulator.url}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((m) => m.destination.to.includes(address));
}

function upload(c: Client, path: string, name: string, content: string | Uint8Array, type = "application/pdf") {
  const form = new FormData();
  form.append("file", new File([typeof content === "string" ? content : (content.slice().buffer as ArrayBuffer)], name, { type }));
  return c.request("POST", path, { body: form });
}

async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > end) return v;
    await Bun.sleep(100);
  }
}

async function draft(c: Client, listId: string, name = "With files") {
  const created = await c.post("/campaigns", { name, from: "news@example.com", subject: "Files", html: "<p>See attached</p>", listIds: [listId] });
  expect(created.status).toBe(201);
  return created.json.id as string;
}

beforeAll(async () => {
  [emulator, s3] = await Promise.all([startEmulator(), startS3({ [KEY.accessKeyId]: KEY.secretAccessKey })]);
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  await s3.createBucket(BUCKET);
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, ...s3.env } });
  owner = new Client(t.app);
  await owner.signup("owner@example.com");
  await owner.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
  workspaceId = (await owner.get("/auth/me")).json.workspace.id;
});
afterAll(async () => {
  await t?.close();
  await fake?.stop();
  await emulator?.stop();
  await s3?.stop();
});

describe("the workspace's bucket", () => {
  test("a bucket that does not exist, one the keys may not use and one in another region are refused with what to do", async () => {
    const missing = await owner.put("/aws/s3", { bucket: "no-such-bucket-here" });
    expect(missing.status).toBe(422);
    expect(missing.json.code).toBe("s3_no_such_bucket");
    expect(missing.json.error).toContain("no bucket named no-such-bucket-here");

    s3.fail(BUCKET, "denied");
    const denied = await owner.put("/aws/s3", { bucket: BUCKET });
    expect(denied.json.code).toBe("s3_access_denied");
    expect(denied.json.error).toContain("s3:ListBucket");

    s3.fail(BUCKET, "region");
    const elsewhere = await owner.put("/aws/s3", { bucket: BUCKET });
    expect(elsewhere.json.code).toBe("s3_wrong_region");
    expect(elsewhere.json.error).toContain(`is in ${OTHER_REGION}, not in us-east-1`);
    s3.fail(BUCKET, null);

    expect((await owner.put("/aws/s3", { bucket: "Not A Bucket!" })).json.code).toBe("invalid_bucket");
    expect((await owner.get("/aws/s3")).json).toEqual({ bucket: null, region: null });
  });

  test("an owner saves a bucket S3 answers for; nothing of a secret is in the answer", async () => {
    const saved = await owner.put("/aws/s3", { bucket: BUCKET });
    expect(saved.status).toBe(200);
    expect(saved.json).toEqual({ bucket: BUCKET, region: null });
    expect((await owner.get("/aws/s3")).json).toEqual({ bucket: BUCKET, region: null });
    expect(saved.text).not.toContain(KEY.secretAccessKey);
    expect(t.logs.join("\n")).not.toContain(KEY.secretAccessKey);
  });

  test("a member may not choose the bucket", async () => {
    const asMember = { user: { id: "usr_member" }, workspace: { id: workspaceId, name: "W" }, workspaceRole: "member", session: { id: "ses_member" } } as unknown as Auth;
    await expect(saveBucket(t.deps, asMember, { bucket: "another-bucket" })).rejects.toMatchObject({ status: 403 });
    await expect(clearBucket(t.deps, asMember)).rejects.toMatchObject({ status: 403 });
    expect((await owner.get("/aws/s3")).json.bucket).toBe(BUCKET);
  });
});

describe("attaching files to a campaign", () => {
  let listId: string;
  beforeAll(async () => {
    listId = (await importInto(owner, "email,name\nfiles-ana@example.com,Ana\nfiles-bo@example.com,Bo\n")).listId;
  });

  test("an upload lands in the bucket under sesame/attachments/ and is listed on the campaign", async () => {
    const id = await draft(owner, listId);
    const reply = await upload(owner, `/campaigns/${id}/attachments`, "Price list 2026.pdf", "%PDF-1.4 prices");
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ bucket: BUCKET, filename: "Price list 2026.pdf", contentType: "application/pdf", size: 15 });
    expect(reply.json.key).toMatch(/^sesame\/attachments\/[A-Za-z0-9_-]+\/Price list 2026\.pdf$/);
    expect(new TextDecoder().decode((await s3.get(BUCKET, reply.json.key))!)).toBe("%PDF-1.4 prices");
    expect((await owner.get(`/campaigns/${id}`)).json.attachments).toEqual([reply.json]);
    expect((await owner.get(`/campaigns/${id}/attachments`)).json.items).toEqual([reply.json]);
  });

  test("a file already in the bucket is found by the start of its key and picked", async () => {
    await s3.put(BUCKET, "reports/2026/summary.csv", "a,b\n1,2\n", "text/csv");
    await s3.put(BUCKET, "reports/2025/old.csv", "x\n");
    const listing = await owner.get("/aws/s3/objects?prefix=reports/2026/");
    expect(listing.status).toBe(200);
    expect(listing.json.items.map((o: { key: string }) => o.key)).toEqual(["reports/2026/summary.csv"]);
    const id = await draft(owner, listId);
    const picked = await owner.post(`/campaigns/${id}/attachments`, { key: "reports/2026/summary.csv" });
    expect(picked.status).toBe(201);
    expect(picked.json).toEqual({ bucket: BUCKET, key: "reports/2026/summary.csv", filename: "summary.csv", contentType: "text/csv", size: 8 });
    const again = await owner.post(`/campaigns/${id}/attachments`, { key: "reports/2026/summary.csv" });
    expect(again.json.code).toBe("already_attached");
    const gone = await owner.post(`/campaigns/${id}/attachments`, { key: "reports/2026/nothing.csv" });
    expect(gone.status).toBe(422);
    expect(gone.json.error).toContain("There is no file reports/2026/nothing.csv");
  });

  test("removing an attachment takes it off the campaign and leaves the file in the bucket", async () => {
    const id = await draft(owner, listId);
    await s3.put(BUCKET, "keep/a.txt", "A");
    await s3.put(BUCKET, "keep/b.txt", "B");
    await owner.post(`/campaigns/${id}/attachments`, { key: "keep/a.txt" });
    await owner.post(`/campaigns/${id}/attachments`, { key: "keep/b.txt" });
    expect((await owner.delete(`/campaigns/${id}/attachments/0`)).status).toBe(204);
    expect((await owner.get(`/campaigns/${id}`)).json.attachments.map((a: { key: string }) => a.key)).toEqual(["keep/b.txt"]);
    expect((await owner.delete(`/campaigns/${id}/attachments/5`)).status).toBe(404);
    expect(await s3.get(BUCKET, "keep/a.txt")).not.toBeNull();
  });

  test("types SES refuses and files too large for one message are refused with a sentence", async () => {
    const id = await draft(owner, listId);
    const exe = await upload(owner, `/campaigns/${id}/attachments`, "setup.exe", "MZ", "application/octet-stream");
    expect(exe.status).toBe(422);
    expect(exe.json.code).toBe("blocked_file_type");
    expect(exe.json.error).toContain("SES does not send .exe files");
    expect((await s3.client.send(new (await import("@aws-sdk/client-s3")).ListObjectsV2Command({ Bucket: BUCKET, Prefix: "sesame/" }))).Contents?.some((o) => o.Key?.endsWith("setup.exe"))).toBeFalsy();

    await s3.put(BUCKET, "scripts/run.BAT", "echo");
    expect((await owner.post(`/campaigns/${id}/attachments`, { key: "scripts/run.BAT" })).json.code).toBe("blocked_file_type");

    await s3.put(BUCKET, "big/huge.bin", new Uint8Array(ATTACHMENT_MAX + 1));
    const huge = await owner.post(`/campaigns/${id}/attachments`, { key: "big/huge.bin" });
    expect(huge.json.code).toBe("attachment_too_large");

    // Each fits alone; together, base64-encoded, they pass SES's 40 MB.
    const half = new Uint8Array(16 * 1024 * 1024);
    await s3.put(BUCKET, "big/one.bin", half);
    await s3.put(BUCKET, "big/two.bin", half);
    expect((await owner.post(`/campaigns/${id}/attachments`, { key: "big/one.bin" })).status).toBe(201);
    const both = await owner.post(`/campaigns/${id}/attachments`, { key: "big/two.bin" });
    expect(both.status).toBe(422);
    expect(both.json.code).toBe("message_too_large");
    expect(both.json.error).toContain("over SES's limit of 40 MB");
    expect((await owner.get(`/campaigns/${id}`)).json.attachments).toHaveLength(1);
  });

  test("a file that vanished from the bucket stops the launch with a sentence", async () => {
    const id = await draft(owner, listId);
    await s3.put(BUCKET, "tmp/flyer.pdf", "%PDF flyer");
    await owner.post(`/campaigns/${id}/attachments`, { key: "tmp/flyer.pdf" });
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "tmp/flyer.pdf" }));
    const launch = await owner.post(`/campaigns/${id}/launch`);
    expect(launch.status).toBe(422);
    expect(launch.json.error).toContain("The attachment flyer.pdf is no longer in the bucket sesame-files");
    expect((await owner.get(`/campaigns/${id}`)).json.status).toBe("draft");
  });

  test("a file gone from the bucket when the campaign starts sending pauses it with a sentence instead of mailing without it", async () => {
    const id = await draft(owner, listId, "Starts later");
    await s3.put(BUCKET, "tmp/late.pdf", "%PDF late");
    await owner.post(`/campaigns/${id}/attachments`, { key: "tmp/late.pdf" });
    // As a scheduled campaign that passed its checks and whose file was deleted before its time came.
    await s3.client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "tmp/late.pdf" }));
    expect(await moveCampaign(t.deps.db, workspaceId, id, ["draft"], "running", { launchedAt: new Date(), updatedAt: new Date() })).toBe(true);
    const paused = await waitFor(
      async () => (await owner.get(`/campaigns/${id}`)).json,
      (j) => j.status !== "running",
    );
    expect(paused.status).toBe("paused");
    expect(paused.pauseReason).toContain("The attachment late.pdf is no longer in the bucket sesame-files");
    expect(paused.counts.sent).toBe(0);
    expect(await mailsTo("files-ana@example.com").then((m) => m.filter((x) => x.subject === "Files").length)).toBe(0);
  });

  test("a campaign goes out with its attachment to every recipient, the file read once", async () => {
    const id = await draft(owner, listId, "Sent with a file");
    const bytes = new Uint8Array(3000).map((_, i) => i % 251);
    const uploaded = await upload(owner, `/campaigns/${id}/attachments`, "chart.png", bytes, "image/png");
    expect(uploaded.status).toBe(201);
    const launch = await owner.post(`/campaigns/${id}/launch`);
    expect(launch.status).toBe(202);
    const done = await waitFor(
      async () => (await owner.get(`/campaigns/${id}`)).json,
      (j) => j.status === "sent" || j.status === "paused",
    );
    expect(done.status).toBe("sent");
    expect(done.counts.sent).toBe(2);
    for (const address of ["files-ana@example.com", "files-bo@example.com"]) {
      const mail = (await mailsTo(address)).find((m) => m.subject === "Files")!;
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments![0]).toMatchObject({ filename: "chart.png", contentType: "image/png", size: 3000 });
      expect(new Uint8Array(Buffer.from(mail.attachments![0]!.content, "base64"))).toEqual(bytes);
    }
    // Every send loop of the run shares one read of the file.
    expect(s3.requests.filter((r) => r.method === "GET" && r.path === `/${BUCKET}/${uploaded.json.key}`)).toHaveLength(1);
  });
});

describe("a single send with an attachment", () => {
  test("POST /email/send takes files by key and the mail arrives with them", async () => {
    await s3.put(BUCKET, "invoices/INV-7.pdf", "%PDF invoice 7", "application/pdf");
    const sent = await owner.post("/email/send", { from: "billing@example.com", to: "single-file@example.com", subject: "Your invoice", text: "Attached.", attachments: [{ key: "invoices/INV-7.pdf" }] });
    expect(sent.status).toBe(202);
    const [mail] = await waitFor(
      () => mailsTo("single-file@example.com"),
      (m) => m.length > 0,
    );
    expect(mail!.attachments!.map((a) => [a.filename, a.contentType, Buffer.from(a.content, "base64").toString()])).toEqual([["INV-7.pdf", "application/pdf", "%PDF invoice 7"]]);
  });

  test("a blocked type or a missing file refuses the send before anything is queued", async () => {
    await s3.put(BUCKET, "x/macro.vbs", "x");
    const blocked = await owner.post("/email/send", { from: "a@example.com", to: "nobody@example.com", subject: "s", text: "t", attachments: [{ key: "x/macro.vbs" }] });
    expect(blocked.status).toBe(422);
    expect(blocked.json.code).toBe("blocked_file_type");
    const missing = await owner.post("/email/send", { from: "a@example.com", to: "nobody@example.com", subject: "s", text: "t", attachments: [{ key: "x/none.pdf" }] });
    expect(missing.status).toBe(422);
    expect(await mailsTo("nobody@example.com")).toEqual([]);
  });
});

describe("the forms: files chosen before the email exists", () => {
  const HTML = { accept: "text/html" };
  const form = (path: string, fields: Record<string, string>) =>
    owner.request("POST", path, { body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded", ...HTML } });

  test("a file uploaded on the send page comes back as a ticked box, and the email goes out with it", async () => {
    const body = new FormData();
    body.append("file", new File(["hello file"], "note.txt", { type: "text/plain" }));
    const staged = await owner.request("POST", "/attachments?form=send-form", { body, headers: { "hx-request": "true" } });
    expect(staged.status).toBe(201);
    expect(staged.headers.get("hx-retarget")).toBe("#send-form-attachments");
    expect(staged.headers.get("hx-reswap")).toBe("beforeend");
    const field = /name="(attachment_[0-9a-f]{16})" value="([^"]+)" checked/.exec(staged.text);
    expect(field).not.toBeNull();
    expect(field![2]).toMatch(/^sesame\/attachments\/[^/]+\/note\.txt$/);

    const sent = await form("/send", { fromAddress: "desk@example.com", to: "form-file@example.com", subject: "With a note", body: "See the note.", format: "text", when: "now", [field![1]!]: field![2]! });
    expect(sent.status).toBe(303);
    const [mail] = await waitFor(
      () => mailsTo("form-file@example.com"),
      (m) => m.length > 0,
    );
    expect(mail!.attachments!.map((a) => [a.filename, Buffer.from(a.content, "base64").toString()])).toEqual([["note.txt", "hello file"]]);
  });

  test("a refused file is named next to the attachments on the send page, and nothing is sent", async () => {
    await s3.put(BUCKET, "x/tool.scr", "x");
    const refused = await form("/send", { fromAddress: "desk@example.com", to: "form-refused@example.com", subject: "s", body: "b", format: "text", when: "now", attachment_0000000000000000: "x/tool.scr" });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("SES does not send .scr files");
    expect(refused.text).toContain('id="field-attachments-error"');
    expect(await mailsTo("form-refused@example.com")).toEqual([]);
  });

  test("the campaign form saves the ticked files, shows them again to edit, and an unticked one is dropped", async () => {
    const template = await owner.post("/email/template", { name: "Files letter", subject: "Files", html: "<p>Files</p>" });
    const list = (await importInto(owner, "email\nform-campaign@example.com\n")).listId;
    await s3.put(BUCKET, "brochures/autumn.pdf", "%PDF autumn", "application/pdf");
    const fields = { name: "Brochure", templateId: template.json.id, [`list_${list}`]: "on", fromAddress: "news@example.com", when: "now", tracking: "on", attachment_1111111111111111: "brochures/autumn.pdf" };
    const saved = await form("/campaigns/new", fields);
    expect(saved.status).toBe(303);
    const id = saved.headers.get("location")!.split("/")[2]!;
    expect((await owner.get(`/campaigns/${id}`)).json.attachments).toEqual([{ bucket: BUCKET, key: "brochures/autumn.pdf", filename: "autumn.pdf", contentType: "application/pdf", size: 11 }]);

    const review = await owner.get(`/campaigns/${id}/review`, HTML);
    expect(review.text).toContain('data-testid="campaign-attachments"');
    expect(review.text).toContain("autumn.pdf");
    const edit = await owner.get(`/campaigns/${id}/edit`, HTML);
    expect(edit.text).toMatch(/name="attachment_[0-9a-f]{16}" value="brochures\/autumn.pdf" checked/);

    const { attachment_1111111111111111: _, ...unticked } = fields;
    expect((await form(`/campaigns/${id}/edit`, unticked)).status).toBe(303);
    expect((await owner.get(`/campaigns/${id}`)).json.attachments).toEqual([]);
  });

  test("the bucket's files are a page of their own and an htmx list with Attach buttons", async () => {
    const page = await owner.get("/aws/s3/objects?prefix=brochures/", HTML);
    expect(page.status).toBe(200);
    expect(page.text).toContain("brochures/autumn.pdf");
    expect(page.text).toContain("Files in the attachments bucket");
    const partial = await owner.get("/aws/s3/objects?prefix=brochures/&attachTo=campaign:cmp_x1", { "hx-request": "true" });
    expect(partial.text).toContain('hx-post="/campaigns/cmp_x1/attachments"');
    expect(partial.text).toContain('value="brochures/autumn.pdf"');
    const empty = await owner.get("/aws/s3/objects?prefix=nothing-here/", { "hx-request": "true" });
    expect(empty.text).toContain("No file in sesame-files starts with");
  });
});
