import type { Client } from "./client";

/** Uploads a CSV as a text/csv body (options go in the query string) and returns the reply. */
export function uploadCsv(c: Client, listId: string, csv: string | Uint8Array, query: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  return c.request("POST", `/lists/${listId}/import${qs ? `?${qs}` : ""}`, { body: typeof csv === "string" ? csv : Buffer.from(csv), headers: { "content-type": "text/csv" } });
}

/** Polls an import until it is no longer running. */
export async function waitForImport(c: Client, importId: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const reply = await c.get(`/imports/${importId}`);
    if (reply.json?.status !== "running" || Date.now() > end) return reply.json;
    await Bun.sleep(50);
  }
}

/** Imports a CSV into a new list and waits for it; returns the list id and the final report. */
export async function importInto(c: Client, csv: string, query: Record<string, string> = {}, listName = `List ${Math.random().toString(36).slice(2, 8)}`) {
  const list = await c.post("/lists", { name: listName });
  const reply = await uploadCsv(c, list.json.id, csv, query);
  if (reply.status !== 202) throw new Error(`import refused: ${reply.status} ${reply.text}`);
  return { listId: list.json.id as string, report: await waitForImport(c, reply.json.importId) };
}
