import { createWriteStream, type WriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import Busboy from "busboy";
import { AppError, BadRequest, Invalid, PayloadTooLarge, StorageFull } from "../../lib/errors";

export interface SavedUpload {
  path: string;
  fileName: string | null;
  size: number;
  /** Other form fields (multipart) or query parameters (raw body). */
  fields: Record<string, string>;
}

const RAW_TYPES = ["text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel", "text/tab-separated-values"];

/** What a multipart envelope may add around the file itself (boundaries, headers, a few small fields). */
const MULTIPART_OVERHEAD = 4 * 1024 * 1024;

/** The client went away mid-upload: nobody reads the answer, everything is cleaned up. */
export class UploadAborted extends BadRequest {
  constructor() {
    super("The upload was interrupted before it finished; send the file again.", "upload_aborted");
  }
}

/**
 * Streams an uploaded CSV to `path` without holding it in memory: a multipart form (field `file`) or
 * the request body itself. Whatever goes wrong (too large: 413, disk full: 507, malformed: 400, the
 * client gone) ends in a rejected promise, never an unhandled one; every stream is destroyed and the
 * partial file deleted, so a failed upload leaves no open handle and no disk behind.
 */
export async function saveUpload(request: Request, path: string, limit: number): Promise<SavedUpload> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!request.body) throw new Invalid("Attach a CSV file.", "no_file", "file");
  const tooLarge = new PayloadTooLarge(`The file is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
  const multipart = type.startsWith("multipart/form-data");
  if (!multipart && !(type === "" || RAW_TYPES.some((t) => type.startsWith(t)))) {
    throw new BadRequest('Send the CSV as multipart/form-data (field "file") or as a text/csv body.', "unsupported_media_type");
  }
  // Refused before a byte is read when the client says how much is coming.
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit + (multipart ? MULTIPART_OVERHEAD : 0)) throw tooLarge;
  try {
    return multipart ? await saveMultipart(request, path, limit, tooLarge) : await saveRaw(request, path, limit, tooLarge);
  } catch (err) {
    await rm(path, { force: true }).catch(() => {});
    throw err;
  }
}

/** ENOSPC and friends are the server's disk, not the request: 507 with what to do. */
function writeFailure(err: unknown): AppError {
  const code = (err as { code?: string }).code;
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new StorageFull("The server's disk is full, so the file could not be saved. Free some disk space on the server (or ask its administrator to), then upload again.");
  }
  if (code === "EROFS" || code === "EACCES" || code === "EPERM") {
    return new StorageFull("The server cannot write to its data folder, so the file could not be saved. Ask the administrator to check DATA_DIR's permissions and free space.");
  }
  return new StorageFull("The server could not save the file. Try again; if it keeps failing, ask the administrator to check the data folder.");
}

/**
 * One upload's streams and how it ends: the first failure destroys them all and rejects; success
 * waits for the file to be flushed to disk. Every listener is attached before data can flow.
 */
function uploadRun(request: Request, path: string) {
  let settled = false;
  let out: WriteStream | null = null;
  const streams: { destroy(): unknown }[] = [];
  let rejectWith: (err: Error) => void = () => {};
  const source = Readable.fromWeb(request.body as never);
  streams.push(source);
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    for (const s of streams) s.destroy();
    // The file is opened asynchronously: rejecting (and so deleting it) before the stream has closed
    // could delete it before it exists, and the open would then leave a stray partial file behind.
    const file = out;
    if (!file || file.closed) return rejectWith(err);
    file.once("close", () => rejectWith(err));
    file.destroy();
  };
  source.on("error", () => fail(new UploadAborted()));
  request.signal?.addEventListener("abort", () => fail(new UploadAborted()), { once: true });
  return {
    source,
    fail,
    track(stream: { destroy(): unknown }) {
      streams.push(stream);
    },
    /** The file on disk, created only when the body is known to hold one. */
    open(): WriteStream {
      out = createWriteStream(path, { mode: 0o600 });
      out.on("error", (err) => fail(writeFailure(err)));
      return out;
    },
    settle<T>(executor: (resolve: (value: T) => void) => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        rejectWith = reject;
        executor((value) => {
          if (settled) return;
          settled = true;
          resolve(value);
        });
      });
    },
    get settled() {
      return settled;
    },
  };
}

function saveRaw(request: Request, path: string, limit: number, tooLarge: Error): Promise<SavedUpload> {
  const run = uploadRun(request, path);
  const fields = Object.fromEntries(new URL(request.url).searchParams);
  return run.settle((resolve) => {
    const out = run.open();
    let size = 0;
    run.source.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) run.fail(tooLarge);
    });
    out.on("finish", () => resolve({ path, fileName: fields.fileName ?? null, size, fields }));
    run.source.pipe(out);
  });
}

function saveMultipart(request: Request, path: string, limit: number, tooLarge: Error): Promise<SavedUpload> {
  const run = uploadRun(request, path);
  const fields: Record<string, string> = Object.fromEntries(new URL(request.url).searchParams);
  return run.settle((resolve) => {
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: { "content-type": request.headers.get("content-type")! }, limits: { files: 1, fileSize: limit, fields: 50, fieldSize: 64 * 1024 } });
    } catch {
      return run.fail(new BadRequest("The multipart body is malformed.", "malformed_multipart"));
    }
    run.track(parser);
    let file: { fileName: string | null; size: number; written: boolean } | null = null;
    let parsed = false;
    const finish = () => {
      if (!parsed || (file && !file.written)) return;
      if (!file) return run.fail(new Invalid('Attach the CSV in the form field named "file".', "no_file", "file"));
      resolve({ path, fileName: file.fileName, size: file.size, fields });
    };
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      run.track(stream);
      if (name !== "file" || file || run.settled) {
        stream.resume();
        return;
      }
      const current = { fileName: info.filename || null, size: 0, written: false };
      file = current;
      const out = run.open();
      stream.on("data", (chunk: Buffer) => (current.size += chunk.length));
      stream.on("limit", () => run.fail(tooLarge));
      stream.on("error", () => run.fail(new BadRequest("The multipart body is malformed.", "malformed_multipart")));
      out.on("finish", () => {
        current.written = true;
        finish();
      });
      stream.pipe(out);
    });
    parser.on("error", () => run.fail(new BadRequest("The multipart body is malformed.", "malformed_multipart")));
    parser.on("close", () => {
      parsed = true;
      finish();
    });
    run.source.pipe(parser);
  });
}
