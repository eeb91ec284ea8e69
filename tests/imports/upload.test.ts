import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveUpload, UploadAborted } from "../../src/features/imports/upload";
import { PayloadTooLarge, StorageFull } from "../../src/lib/errors";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { signedUpClient, startServer, type ServerProcess } from "../support/server";

/** A request whose body streams `chunks` of `size` bytes, then ends (or fails, as a client that goes away). */
function streamingRequest(options: { type: string; chunks: number; size?: number; prefix?: string; fail?: boolean }) {
  const size = options.size ?? 64 * 1024;
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0 && options.prefix) controller.enqueue(new TextEncoder().encode(options.prefix));
      if (sent >= options.chunks) return options.fail ? controller.error(new Error("client gone")) : controller.close();
      sent++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
  });
  return new Request("http://localhost/lists/x/import", { method: "POST", body, headers: { "content-type": options.type }, duplex: "half" } as RequestInit);
}

const BOUNDARY = "----sesame-test-boundary";
const multipartHead = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\nemail\r\n`;

describe("saving an upload", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sesame-upload-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("a full disk answers 507 with a sentence, and the partial file is removed", async () => {
    const path = join(dir, "full.part");
    // Every write to /dev/full fails with ENOSPC, as a full disk does.
    symlinkSync("/dev/full", path);
    for (const type of ["text/csv", `multipart/form-data; boundary=${BOUNDARY}`]) {
      if (!existsSync(path)) symlinkSync("/dev/full", path);
      const request = streamingRequest({ type, chunks: 4, prefix: type.startsWith("multipart") ? multipartHead : "email\n" });
      const error = await saveUpload(request, path, 1024 * 1024).catch((e) => e);
      expect(error).toBeInstanceOf(StorageFull);
      expect(error.status).toBe(507);
      expect(error.message).toContain("disk is full");
      expect(existsSync(path)).toBe(false);
    }
  });

  test("a body past the limit is refused with 413 while streaming, whatever its framing, and nothing is left on disk", async () => {
    for (const type of ["text/csv", `multipart/form-data; boundary=${BOUNDARY}`]) {
      const path = join(dir, `big-${type.length}.part`);
      const request = streamingRequest({ type, chunks: 40, prefix: type.startsWith("multipart") ? multipartHead : "email\n" });
      const error = await saveUpload(request, path, 1024 * 1024).catch((e) => e);
      expect(error).toBeInstanceOf(PayloadTooLarge);
      expect(existsSync(path)).toBe(false);
    }
  });

  test("a client that goes away mid-upload leaves no file behind", async () => {
    for (const type of ["text/csv", `multipart/form-data; boundary=${BOUNDARY}`]) {
      const path = join(dir, `gone-${type.length}.part`);
      const request = streamingRequest({ type, chunks: 8, prefix: type.startsWith("multipart") ? multipartHead : "email\n", fail: true });
      const error = await saveUpload(request, path, 10 * 1024 * 1024).catch((e) => e);
      expect(error).toBeInstanceOf(UploadAborted);
      expect(existsSync(path)).toBe(false);
    }
  });
});

describe("uploads against a running server", () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = join(database.dir, "data");
    server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await server.stop();
    await database.drop();
  });

  /** The server's open files under its data folder, and any it holds open after deleting them. */
  function heldUploads() {
    const fds = readdirSync(`/proc/${server.proc.pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${server.proc.pid}/fd/${fd}`);
      } catch {
        return "";
      }
    });
    // A deleted upload still held open shows as "<path> (deleted)".
    return fds.filter((target) => target.includes(join(dataDir, "imports")));
  }

  test("an oversized multipart upload, streamed without a length, gets 413 and the server stays up", async () => {
    const call = await signedUpClient(server.url);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode(multipartHead));
        if (sent++ >= 110) return controller.close();
        controller.enqueue(chunk);
      },
    });
    const reply = await call("POST", "/suppressions/import", { body, headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } }).catch(() => null);
    // The server may answer 413 and close before the client has sent everything: its log says what it answered.
    if (reply) expect(reply.status).toBe(413);
    await Bun.sleep(200);
    expect(server.output()).toMatch(/"route":"\/suppressions\/import","status":413/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.proc.exitCode).toBeNull();
    await Bun.sleep(200);
    expect(heldUploads()).toEqual([]);
    expect(readdirSync(join(dataDir, "imports")).filter((f) => f.endsWith(".part") || f.endsWith(".csv"))).toEqual([]);
  }, 30_000);

  test("thirty uploads cancelled by the client leave no open file and no disk behind", async () => {
    const call = await signedUpClient(server.url);
    const list = await (await call("POST", "/lists", { json: { name: "Cancelled uploads" } })).json();
    for (let i = 0; i < 30; i++) {
      const controller = new AbortController();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(stream) {
          if (sent === 0) stream.enqueue(new TextEncoder().encode(multipartHead));
          if (++sent === 4) {
            controller.abort();
            return;
          }
          stream.enqueue(new Uint8Array(256 * 1024).fill(0x61));
          await Bun.sleep(5);
        },
      });
      await call("POST", `/lists/${list.id}/import`, { body, signal: controller.signal, headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` } }).catch(() => null);
    }
    // The server notices each disconnect; give it a moment.
    const partFiles = () => readdirSync(join(dataDir, "imports")).filter((f) => f.endsWith(".part"));
    for (let i = 0; i < 100 && (heldUploads().length || partFiles().length); i++) await Bun.sleep(100);
    expect(heldUploads()).toEqual([]);
    expect(partFiles()).toEqual([]);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
