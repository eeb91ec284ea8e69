import type { App } from "../../src/app";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/**
 * A client for app.handle() that keeps cookies like a browser would. `origin` is what the request
 * claims as its Origin header (null: a non-browser client that sends none).
 */
export class Client {
  cookies = new Map<string, string>();
  constructor(
    private app: App,
    public origin: string | null = null,
  ) {}

  async request(method: string, path: string, init: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers = new Headers(init.headers);
    if (init.json !== undefined) headers.set("content-type", "application/json");
    if (this.origin) headers.set("origin", this.origin);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await this.app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      }),
    );
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request("GET", path, { headers });
  }
  post(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request("POST", path, { json: json ?? {}, headers });
  }
  put(path: string, json?: unknown) {
    return this.request("PUT", path, { json: json ?? {} });
  }
  patch(path: string, json?: unknown) {
    return this.request("PATCH", path, { json: json ?? {} });
  }
  delete(path: string) {
    return this.request("DELETE", path);
  }

  /** Signs up a fresh account and keeps its session; returns the signup reply's JSON. */
  async signup(email = `user-${Math.random().toString(36).slice(2, 8)}@example.com`, password = "correct horse battery") {
    const reply = await this.post("/auth/signup", { email, password });
    if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
    return reply.json as { user: { id: string; email: string; role: string }; workspace: { id: string; name: string } };
  }
}
