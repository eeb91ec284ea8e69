import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/client";
import { createPostgresDatabase, dialect, TEST_DATABASE_URL } from "../support/db";
import { freePort } from "../support/net";
import { startServer, signedUpClient, type ServerProcess } from "../support/server";
import { readSendLog, spawnSendFake, type SendFake } from "../support/ses-send-fake";
import type { Subprocess } from "bun";

/**
 * kill -9 at random moments of a 5,000-recipient campaign, then restart: the campaign finishes, the
 * fake SES's own log of received mail shows no address mailed twice, every recipient reported sent
 * got exactly the one mail the log has under its message id, and the only recipients without a
 * recorded outcome are reported unknown (those claimed when the process died).
 */

const RECIPIENTS = 5_000;
const KILLS = 3;
const SECRET = "c".repeat(64);

let fake: SendFake & { process: Subprocess };
let dir: string;
let logFile: string;
let databaseUrl: string;
let dropDatabase = async () => {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sesame-crash-"));
  logFile = join(dir, "ses.log");
  fake = await spawnSendFake({ logFile, account: { SendQuota: { MaxSendRate: 1000, Max24HourSend: 1_000_000, SentLast24Hours: 0 }, SendingEnabled: true, ProductionAccessEnabled: true } });
  databaseUrl = `file:${join(dir, "sesame.db")}`;
  if (dialect === "postgres") ({ url: databaseUrl, drop: dropDatabase } = await createPostgresDatabase(TEST_DATABASE_URL, "sesame_crash"));
});
afterAll(async () => {
  await fake.stop();
  fake.process.kill();
  await dropDatabase();
  rmSync(dir, { recursive: true, force: true });
});

const csv = (prefix: string) => "email,name\n" + Array.from({ length: RECIPIENTS }, (_, i) => `${prefix}-${i}@example.com,Person ${i}`).join("\n") + "\n";

describe.each([
  ["SendBulkEmail", { subject: "Hi {{name}}", html: "<p>Hello {{name}}</p>" }],
  ["SendEmail", { subject: "Hi {{name}}", html: '<p><a href="{{site|https://example.com}}">Hello {{name}}</a></p>' }],
])("through %s", (path, content) => {
  test(
    `a campaign killed ${KILLS} times at random moments mails everyone once, and says who may have been mailed`,
    async () => {
      const prefix = `crash-${path.toLowerCase()}`;
      const port = freePort();
      const env = { PORT: String(port), DATA_DIR: join(dir, `data-${path}`), DATABASE_URL: databaseUrl, APP_SECRET: SECRET, SES_ENDPOINT: fake.url, LOG_LEVEL: "warn" };
      let server: ServerProcess = await startServer(env);
      const call = await signedUpClient(server.url, `${prefix}@example.com`);
      expect((await call("POST", "/aws/connect", { json: { accessKeyId: "AKIACRASH00000000001", secretAccessKey: "crash-secret-access-key-0000000000000000", region: "us-east-1", save: true } })).status).toBe(200);
      const list = await (await call("POST", "/lists", { json: { name: prefix } })).json();
      const upload = await call("POST", `/lists/${list.id}/import`, { body: csv(prefix), headers: { "content-type": "text/csv" } });
      const importId = (await upload.json()).importId;
      for (let i = 0; i < 200; i++) {
        const report = await (await call("GET", `/imports/${importId}`)).json();
        if (report.status !== "running") break;
        await Bun.sleep(100);
      }
      const campaign = await (await call("POST", "/campaigns", { json: { name: prefix, from: "news@example.com", listIds: [list.id], ...content } })).json();
      expect((await call("POST", `/campaigns/${campaign.id}/launch`)).status).toBe(202);

      let kills = 0;
      for (; kills < KILLS; kills++) {
        // Somewhere in the first few seconds: during expansion, mid-batch, between batches.
        await Bun.sleep(200 + Math.random() * 1200);
        const state = await (await call("GET", `/campaigns/${campaign.id}`)).json();
        if (state.status !== "running") break;
        await server.stop("SIGKILL");
        server = await startServer(env);
      }
      let final;
      for (let i = 0; i < 600; i++) {
        final = await (await call("GET", `/campaigns/${campaign.id}`)).json();
        if (final.status === "sent") break;
        await Bun.sleep(100);
      }
      await server.stop();
      expect(final.status).toBe("sent");
      expect(kills).toBeGreaterThan(0);

      const db = await openDatabase(databaseUrl);
      const rows = await db.rows<{ email: string; status: string; message_id: string | null }>(sql`select email, status, message_id from recipients where campaign_id = ${campaign.id}`);
      await db.close();
      const mails = new Map<string, string[]>();
      for (const mail of readSendLog(logFile)) for (const to of mail.to) if (to.startsWith(prefix)) mails.set(to, [...(mails.get(to) ?? []), mail.messageId]);

      expect(rows.length).toBe(RECIPIENTS);
      const twice = [...mails].filter(([, ids]) => ids.length > 1);
      expect(twice).toEqual([]);
      const byStatus: Record<string, number> = {};
      for (const row of rows) {
        byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
        const got = mails.get(row.email) ?? [];
        if (row.status === "sent") expect({ email: row.email, got }).toEqual({ email: row.email, got: [row.message_id!] });
        else expect({ email: row.email, status: row.status }).toEqual({ email: row.email, status: "unknown" });
      }
      // Unknown is only what was claimed when a process died: at most two batches per kill.
      expect(byStatus.unknown ?? 0).toBeLessThanOrEqual(kills * 2 * 100);
      expect((byStatus.sent ?? 0) + (byStatus.unknown ?? 0)).toBe(RECIPIENTS);
      process.stdout.write(`${path}: ${kills} kills, ${byStatus.sent} sent, ${byStatus.unknown ?? 0} unknown (${[...mails.keys()].length} mailed per the fake)\n`);
    },
    120_000,
  );
});
