import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./net";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");

export interface ServerProcess {
  url: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the process wrote to stdout so far (its JSON log lines). */
  output(): string;
  /** Sends SIGTERM (or `signal`) and waits for the process to end. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<number>;
}

/** A server that was expected not to start: how it ended. */
export interface FailedStart {
  exitCode: number;
  stderr: string;
}

/**
 * The real server (`bun src/main.ts`) in its own process, as `npm start` runs it, ready to answer
 * /healthz. `wrap` runs it through another command first (e.g. `unshare` for a mount namespace);
 * `expectExit` waits for it to end instead.
 */
export async function startServer(env: Record<string, string>, options: { wrap?: string[]; expectExit: true }): Promise<FailedStart>;
export async function startServer(env: Record<string, string>, options?: { wrap?: string[]; expectExit?: false }): Promise<ServerProcess>;
export async function startServer(env: Record<string, string>, options: { wrap?: string[]; expectExit?: boolean } = {}): Promise<ServerProcess | FailedStart> {
  const port = env.PORT ? Number(env.PORT) : freePort();
  const proc = Bun.spawn([...(options.wrap ?? []), process.execPath, MAIN], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: "info", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  if (options.expectExit) {
    const exitCode = await Promise.race([proc.exited, Bun.sleep(30_000).then(() => -1)]);
    if (exitCode === -1) proc.kill("SIGKILL");
    return { exitCode, stderr: await new Response(proc.stderr).text() };
  }
  let out = "";
  void (async () => {
    const decoder = new TextDecoder();
    const reader = proc.stdout.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      out += decoder.decode(value, { stream: true });
    }
  })();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    const health = await fetch(`${url}/healthz`).catch(() => null);
    if (health) break;
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
    await Bun.sleep(100);
  }
  return {
    url,
    proc,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      return proc.exited;
    },
  };
}

/** A cookie-keeping fetch against a server process, signed up as a fresh account. */
export async function signedUpClient(url: string, email = `user-${Math.random().toString(36).slice(2, 8)}@example.com`) {
  const cookies: string[] = [];
  const call = async (method: string, path: string, init: { json?: unknown; body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {}) => {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    if (cookies.length) headers.set("cookie", cookies.join("; "));
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      signal: init.signal,
      // A streamed body (ReadableStream) needs this in fetch.
      ...(init.body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    for (const cookie of response.headers.getSetCookie()) cookies.push(cookie.split(";")[0]!);
    return response;
  };
  const signup = await call("POST", "/auth/signup", { json: { email, password: "correct horse battery" } });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
  return call;
}
