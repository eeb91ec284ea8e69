import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import Busboy from "busboy";
import { BadRequest, Invalid, PayloadTooLarge } from "../../lib/errors";

export interface SavedUpload {
  path: string;
  fileName: string | null;
  size: number;
  /** Other form fields (multipart) or query parameters (raw body). */
  fields: Record<string, string>;
}

const RAW_TYPES = ["text/csv", "text/plain", "application/csv", "application/octet-stream", "application/vnd.ms-excel", "text/tab-separated-values"];

/**
 * Streams an uploaded CSV to `path` without holding it in memory: a multipart form (field `file`) or
 * the request body itself. Stops with 413 past `limit` bytes.
 */
export async function saveUpload(request: Request, path: string, limit: number): Promise<SavedUpload> {
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!request.body) throw new Invalid("Attach a CSV file.", "no_file", "file");
  const tooLarge = new PayloadTooLarge(`The file is larger than ${Math.round(limit / 1024 / 1024)} MB.`);
  try {
    if (type.startsWith("multipart/form-data")) return await saveMultipart(request, path, limit, tooLarge);
    if (type === "" || RAW_TYPES.some((t) => type.startsWith(t))) {
      let size = 0;
      const counted = Readable.fromWeb(request.body as never).on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) counted.destroy(tooLarge);
      });
      await pipeline(counted, createWriteStream(path));
      const fields = Object.fromEntries(new URL(request.url).searchParams);
      return { path, fileName: fields.fileName ?? null, size, fields };
    }
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  throw new BadRequest("Send the CSV as multipart/form-data (field \"file\") or as a text/csv body.", "unsupported_media_type");
}

function saveMultipart(request: Request, path: string, limit: number, tooLarge: Error): Promise<SavedUpload> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = Object.fromEntries(new URL(request.url).searchParams);
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: { "content-type": request.headers.get("content-type")! }, limits: { files: 1, fileSize: limit, fields: 50, fieldSize: 64 * 1024 } });
    } catch {
      return reject(new BadRequest("The multipart body is malformed.", "malformed_multipart"));
    }
    let saved: Promise<{ fileName: string | null; size: number }> | null = null;
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "file" || saved) {
        stream.resume();
        return;
      }
      let size = 0;
      stream.on("data", (chunk: Buffer) => (size += chunk.length));
      stream.on("limit", () => stream.destroy(tooLarge));
      saved = pipeline(stream, createWriteStream(path)).then(() => ({ fileName: info.filename || null, size }));
    });
    parser.on("error", () => reject(new BadRequest("The multipart body is malformed.", "malformed_multipart")));
    parser.on("close", () => {
      if (!saved) return reject(new Invalid("Attach the CSV in the form field named \"file\".", "no_file", "file"));
      saved.then(({ fileName, size }) => resolve({ path, fileName, size, fields }), reject);
    });
    Readable.fromWeb(request.body as never).on("error", reject).pipe(parser);
  });
}
