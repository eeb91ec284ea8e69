import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "./net";

/**
 * A local S3 for the tests: the `s3rver` package (an S3-compatible server on the local disk) in a
 * process of its own, like the SES emulator, with a small proxy of ours in front that can make a
 * bucket answer as AWS does when the keys may not use it or when it is in another region (s3rver
 * itself knows neither). Point the app at it with S3_ENDPOINT (`env`); Sesame then uses path-style
 * addresses, as with any S3-compatible server.
 */

export type BucketFault = "denied" | "region";

export interface LocalS3 {
  /** The proxy's address: what S3_ENDPOINT names. */
  url: string;
  env: { S3_ENDPOINT: string };
  /** A client of the test's own, straight to the server (any keys do). */
  client: S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  get(bucket: string, key: string): Promise<Uint8Array | null>;
  /** Every request that reached the proxy: method and decoded path (/bucket/key). */
  requests: { method: string; path: string }[];
  /** Makes every request about `bucket` fail as AWS would, or heals it with null. */
  fail(bucket: string, fault: BucketFault | null): void;
  stop(): Promise<void>;
}

/** The region a faulted bucket claims to be in. */
export const OTHER_REGION = "eu-west-3";

function xmlError(code: string, message: string, extra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>TEST</RequestId></Error>`;
}

function faultResponse(fault: BucketFault, method: string): Response {
  const head = method === "HEAD";
  if (fault === "denied") {
    return new Response(head ? null : xmlError("AccessDenied", "Access Denied"), { status: 403, headers: { "content-type": "application/xml" } });
  }
  return new Response(head ? null : xmlError("PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.", `<Region>${OTHER_REGION}</Region>`), {
    status: 301,
    headers: { "content-type": "application/xml", "x-amz-bucket-region": OTHER_REGION },
  });
}

/** `keys`: access key id → secret that the server knows (it refuses any other key id, as AWS does). */
export async function startS3(keys: Record<string, string> = {}): Promise<LocalS3> {
  const dir = mkdtempSync(join(tmpdir(), "sesame-s3-"));
  const port = freePort();
  const proc = Bun.spawn([process.execPath, import.meta.path, "--serve", dir, String(port), JSON.stringify(keys)], { stdout: "ignore", stderr: "inherit" });
  const upstream = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${upstream}/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i === 100) throw new Error("s3rver did not start");
    await Bun.sleep(50);
  }

  const faults = new Map<string, BucketFault>();
  const requests: LocalS3["requests"] = [];
  const proxy = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      requests.push({ method: request.method, path: decodeURIComponent(url.pathname) });
      const bucket = decodeURIComponent(url.pathname.split("/")[1] ?? "");
      const fault = faults.get(bucket);
      if (fault) return faultResponse(fault, request.method);
      const headers = new Headers(request.headers);
      headers.delete("host");
      const response = await fetch(`${upstream}${url.pathname}${url.search}`, {
        method: request.method,
        headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      });
      return new Response(request.method === "HEAD" ? null : await response.arrayBuffer(), { status: response.status, headers: response.headers });
    },
  });
  const url = `http://127.0.0.1:${proxy.port}`;
  const client = new S3Client({
    region: "us-east-1",
    endpoint: upstream,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  return {
    url,
    env: { S3_ENDPOINT: url },
    client,
    requests,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof body === "string" ? Buffer.from(body) : body, ...(contentType ? { ContentType: contentType } : {}) }));
    },
    async get(bucket, key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body!.transformToByteArray();
      } catch (err) {
        if ((err as Error).name === "NoSuchKey") return null;
        throw err;
      }
    },
    fail(bucket, fault) {
      if (fault) faults.set(bucket, fault);
      else faults.delete(bucket);
    },
    async stop() {
      client.destroy();
      proxy.stop(true);
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Run as a script: the s3rver process itself (`bun tests/support/s3.ts --serve <dir> <port>`).
if (import.meta.main && process.argv[2] === "--serve") {
  const { default: S3rver } = await import("s3rver");
  const { DUMMY_ACCOUNT } = await import("s3rver/lib/models/account");
  for (const [id, secret] of Object.entries(JSON.parse(process.argv[5] ?? "{}") as Record<string, string>)) DUMMY_ACCOUNT.createKeyPair(id, secret);
  const server = new S3rver({ port: Number(process.argv[4]), address: "127.0.0.1", directory: process.argv[3]!, silent: true });
  await server.run();
}
