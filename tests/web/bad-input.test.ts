import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function expectClientError(reply: { status: number; json: any; text: string }, status: number, code?: string) {
  expect(reply.status).toBe(status);
  expect(reply.json).toEqual({ error: expect.any(String), code: code ?? expect.any(String), ...(reply.json?.field ? { field: reply.json.field } : {}) });
  expect(reply.text).not.toMatch(/at \S+ \(|\.ts:\d+|stack/i);
}

describe("bad input never gets a 500", () => {
  test("malformed JSON", async () => {
    const c = new Client(t.app);
    const reply = await c.request("POST", "/auth/signup", { body: '{"email": "a@b.c", ', headers: { "content-type": "application/json" } });
    expectClientError(reply, 400, "malformed_json");
  });

  test("missing fields name the field", async () => {
    const reply = await new Client(t.app).post("/auth/signup", { email: "missing@example.com" });
    expectClientError(reply, 400, "invalid_request");
    expect(reply.json.field).toBe("password");
  });

  test("wrong types", async () => {
    const reply = await new Client(t.app).post("/auth/login", { email: 42, password: ["x"] });
    expectClientError(reply, 400, "invalid_request");
  });

  test("a JSON array or scalar where an object is expected", async () => {
    for (const body of ["[]", "42", '"text"', "null"]) {
      const reply = await new Client(t.app).request("POST", "/auth/login", { body, headers: { "content-type": "application/json" } });
      expect(reply.status).toBe(400);
      expect(reply.json.code).toBeString();
    }
  });

  test("a body over 1 MB is refused with 413, declared or chunked", async () => {
    const big = JSON.stringify({ email: "big@example.com", password: "x".repeat(1024 * 1024 + 10) });
    const declared = await new Client(t.app).request("POST", "/auth/signup", {
      body: big,
      headers: { "content-type": "application/json", "content-length": String(big.length) },
    });
    expectClientError(declared, 413, "payload_too_large");
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(64 * 1024)));
        controller.close();
      },
    });
    const chunked = await t.app.handle(
      new Request("http://localhost/auth/signup", { method: "POST", body: stream, headers: { "content-type": "application/json" } }),
    );
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).code).toBe("payload_too_large");
  });

  test("an email that is not one", async () => {
    for (const email of ["plainaddress", "a@b", "@example.com", "a b@example.com", "a@example..com", "x".repeat(300) + "@example.com"]) {
      const reply = await new Client(t.app).post("/auth/signup", { email, password: "long enough password" });
      expectClientError(reply, 422, "invalid_email");
      expect(reply.json.field).toBe("email");
    }
  });

  test("a password that is too long, at signup and at login", async () => {
    const signup = await new Client(t.app).post("/auth/signup", { email: "long@example.com", password: "p".repeat(5000) });
    expectClientError(signup, 422, "password_too_long");
    const login = await new Client(t.app).post("/auth/login", { email: "long@example.com", password: "p".repeat(5000) });
    expectClientError(login, 422, "password_too_long");
  });

  test("an unknown route is a 404 with the error shape", async () => {
    expectClientError(await new Client(t.app).get("/no/such/thing"), 404, "not_found");
  });

  test("an unexpected failure is a 500 that says nothing about its cause, and is logged", async () => {
    const c = new Client(t.app);
    await c.signup();
    await t.database.db.close();
    const reply = await c.get("/auth/me");
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ error: "Something went wrong on our side; it has been logged.", code: "internal_error" });
    expect(t.logs.some((line) => line.includes('"level":"error"'))).toBe(true);
    const health = await c.get("/healthz");
    expect(health.status).toBe(503);
  });
});

describe("bodies the app does not read", () => {
  test("multipart and octet-stream bodies are refused outside the upload routes, unread", async () => {
    const form = new FormData();
    form.append("file", new File(["x".repeat(2 * 1024 * 1024)], "big.bin"));
    const multipart = await new Client(t.app).request("POST", "/auth/login", { body: form });
    expect(multipart.status).toBe(400);
    expect(multipart.json.code).toBe("unsupported_media_type");
    const octet = await new Client(t.app).request("POST", "/auth/signup", { body: new Uint8Array(16), headers: { "content-type": "application/octet-stream" } });
    expect(octet.json.code).toBe("unsupported_media_type");
  });
});
