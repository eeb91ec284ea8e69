/**
 * Attachments: files in the workspace's own S3 bucket that go out with a campaign's mails (SES v2
 * SendEmail `Content.Simple.Attachments`). A campaign keeps only where each file is and what it is;
 * the bytes stay in S3 and are read once per campaign run.
 */

/** One attached file, as campaigns.attachments holds it. */
export interface Attachment {
  bucket: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
}

/** SES's limit on a whole message, attachments included, as it travels (base64). */
export const SES_MESSAGE_MAX = 40 * 1024 * 1024;

/** The largest file that fits in one message at all: base64 makes 3 bytes into 4. */
export const ATTACHMENT_MAX = Math.floor((SES_MESSAGE_MAX * 3) / 4);

/** Attachments per message: SES has no number of its own; this keeps the form and the memory per campaign in bounds. */
export const ATTACHMENTS_MAX = 10;

/** Where uploads go in the workspace's bucket: `sesame/attachments/<id>/<filename>`. */
export const UPLOAD_PREFIX = "sesame/attachments/";

/**
 * The file types SES refuses to send, by extension: "Amazon SES unsupported attachment types" in the
 * SES Developer Guide (mime-types.html). Kept here only; every check reads this list.
 */
export const BLOCKED_EXTENSIONS: readonly string[] = [
  "ade", "adp", "app", "asp", "bas", "bat", "cer", "chm", "cmd", "com", "cpl", "crt", "csh", "der", "exe", "fxp", "gadget", "hlp",
  "hta", "inf", "ins", "isp", "its", "js", "jse", "ksh", "lib", "lnk", "mad", "maf", "mag", "mam", "maq", "mar", "mas", "mat", "mau",
  "mav", "maw", "mda", "mdb", "mde", "mdt", "mdw", "mdz", "msc", "msh", "msh1", "msh2", "mshxml", "msh1xml", "msh2xml", "msi", "msp",
  "mst", "ops", "pcd", "pif", "plg", "prf", "prg", "reg", "scf", "scr", "sct", "shb", "shs", "sys", "ps1", "ps1xml", "ps2", "ps2xml",
  "psc1", "psc2", "tmp", "url", "vb", "vbe", "vbs", "vps", "vsmacros", "vss", "vst", "vsw", "vxd", "ws", "wsc", "wsf", "wsh", "xnk",
];

/** The file's extension when SES refuses that type, else null. */
export function blockedExtension(filename: string): string | null {
  const dot = filename.lastIndexOf(".");
  if (dot < 0) return null;
  const ext = filename.slice(dot + 1).trim().toLowerCase();
  return BLOCKED_EXTENSIONS.includes(ext) ? ext : null;
}

export function blockedSentence(filename: string, ext: string): string {
  return `SES does not send .${ext} files, so ${filename} cannot be attached. Put it in a .zip archive or share a link to it instead.`;
}

/** Bytes of a file once base64-encoded, as it travels in the message. */
export function encodedSize(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * The whole message as SES counts it against its 40 MB: every attachment base64-encoded (4/3 of its
 * bytes) plus the body as written (subject, HTML and text).
 */
export function messageSize(body: { subject: string; html: string | null; text: string | null }, attachments: Pick<Attachment, "size">[]): number {
  const bodyBytes = Buffer.byteLength(body.subject) + Buffer.byteLength(body.html ?? "") + Buffer.byteLength(body.text ?? "");
  return bodyBytes + attachments.reduce((sum, a) => sum + encodedSize(a.size), 0);
}

/** "2.4 MB", "820 KB", "12 bytes". */
export function sizeInWords(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toLocaleString("en", { maximumFractionDigits: 1 })} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024).toLocaleString("en")} KB`;
  return `${bytes} byte${bytes === 1 ? "" : "s"}`;
}

export function tooLargeSentence(total: number): string {
  return `With its attachments the message would be ${sizeInWords(total)} as SES counts it (files grow by a third when encoded), over SES's limit of 40 MB. Remove an attachment or use smaller files.`;
}

/** The name a file goes out under: the key's last part, without anything that would break a header or a path. */
export function filenameOf(raw: string): string {
  const last = raw.split(/[\\/]/).pop() ?? "";
  const clean = last.replace(/[\u0000-\u001f\u007f"]/g, "").trim().slice(0, 200);
  return clean || "attachment";
}

/** A type from the file's extension when the upload or the object names none (or only the generic one). */
const TYPES: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  svg: "image/svg+xml",
  ics: "text/calendar",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  json: "application/json",
};

export function contentTypeOf(filename: string, declared: string | null | undefined): string {
  const given = (declared ?? "").split(";")[0]!.trim().toLowerCase();
  if (given && given !== "application/octet-stream" && /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(given) && given.length <= 78) return given;
  const ext = filename.slice(filename.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/** A file chosen on a form (campaign form, send page) before the form is saved: its key, and what the page shows of it. */
export interface ChosenFile {
  key: string;
  filename: string;
  size: number | null;
}

/** Form fields that carry chosen files: one per file (`attachment_<hash of the key>`), so that a form post keeps them all. */
export const CHOSEN_FIELD = "attachment_";

export function chosenFiles(body: Record<string, string | undefined>): ChosenFile[] {
  const keys = Object.keys(body)
    .filter((k) => k.startsWith(CHOSEN_FIELD) && typeof body[k] === "string" && body[k])
    .map((k) => body[k]!);
  return [...new Set(keys)].map((key) => ({ key, filename: filenameOf(key), size: null }));
}
