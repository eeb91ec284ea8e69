import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "./support/db";
import { freePort } from "./support/net";

const MAIN = join(import.meta.dir, "..", "src", "main.ts");
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("boot", () => {
  test("a bad value stops start-up with one line naming the variable", async () => {
    const proc = Bun.spawn([process.execPath, MAIN], {
      env: { ...process.env, PORT: "eighty", DATA_DIR: join(database.dir, "bad") },
      stderr: "pipe",
      stdout: "pipe",
    });
    expect(await proc.exited).toBe(1);
    const stderr = await new Response(proc.stderr).text();
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("PORT");
  });

  test("started from a terminal, it says which address to open", async () => {
    const port = freePort();
    // `script` gives the server a terminal, as `npm start` in a shell does.
    const proc = Bun.spawn(["script", "-qfec", `${process.execPath} ${MAIN}`, "/dev/null"], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: join(database.dir, "tty"), DATABASE_URL: `file:${join(database.dir, "tty", "sesame.db")}`, PUBLIC_URL: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    let out = "";
    const reader = proc.stdout.getReader();
    const deadline = Date.now() + 20_000;
    // One read at a time: a read left behind by a timeout would take the next chunk with it, and the
    // line would be lost whenever start-up takes longer than the wait (as on a busy machine).
    let pending: ReturnType<typeof reader.read> | null = null;
    while (!out.includes("in your browser") && Date.now() < deadline) {
      pending ??= reader.read();
      const result = await Promise.race([pending, Bun.sleep(500).then(() => null)]);
      if (!result) continue;
      pending = null;
      if (result.done) break;
      if (result.value) out += new TextDecoder().decode(result.value);
    }
    proc.kill("SIGTERM");
    await proc.exited;
    expect(out).toContain(`Sesame is running. Open http://localhost:${port} in your browser.`);
  }, 30_000);

  test("the server migrates, serves /healthz, and stops cleanly on SIGTERM", async () => {
    const port = freePort();
    const proc = Bun.spawn([process.execPath, MAIN], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: join(database.dir, "data"), DATABASE_URL: database.url },
      stdout: "pipe",
      stderr: "pipe",
    });
    let health: Response | null = null;
    for (let i = 0; i < 100 && !health; i++) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (!health) await Bun.sleep(100);
    }
    expect(health?.status).toBe(200);
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const out = await new Response(proc.stdout).text();
    const lines = out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1).msg).toBe("stopped");
    // Without APP_SECRET the generated-secret warning is logged once, and the secret itself is not.
    const secret = (await Bun.file(join(database.dir, "data", "secret.key")).text()).trim();
    expect(lines.some((l) => l.level === "warn" && String(l.msg).includes("APP_SECRET"))).toBe(true);
    expect(out).not.toContain(secret);
  }, 20_000);
});
