import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { dialect } from "../support/db";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

test("/healthz answers 200 when the database is reachable", async () => {
  const reply = await new Client(t.app).get("/healthz");
  expect(reply.status).toBe(200);
  expect(reply.json).toEqual({ status: "ok", database: dialect });
});
