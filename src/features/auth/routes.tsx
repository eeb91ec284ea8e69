import { Elysia, t } from "elysia";
import { LoginPage } from "../../../views/auth/LoginPage";
import { SignupPage } from "../../../views/auth/SignupPage";
import { Flash } from "../../../views/components/Flash";
import { AppError } from "../../lib/errors";
import { zoneOffsetLabel } from "../../lib/zones";
import type { Context } from "../../web/context";
import { sessionCookieName } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { isHtmx, safeNext, wantsPage } from "../../web/respond";
import { SESSION_ABSOLUTE_MS } from "./model";
import { changeTimeZone, login, logout, signup } from "./service";

const credentials = {
  email: t.String({ maxLength: 1000 }),
  password: t.String({ maxLength: 100_000 }),
  // The browser's zone (the forms' hidden field): whatever it holds, it never fails the request.
  timeZone: t.Optional(t.Unknown()),
};

export function authRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .derive(({ deps, cookie, sessionJwt }) => {
      const name = sessionCookieName(deps);
      return {
        /** Sets the signed session cookie; called after the old session (if any) is revoked. */
        startCookie: async (token: string) => {
          cookie[name]!.set({
            value: await sessionJwt.sign({ sid: token, exp: Math.floor((Date.now() + SESSION_ABSOLUTE_MS) / 1000) }),
            httpOnly: true,
            sameSite: "lax",
            secure: deps.config.publicUrl.protocol === "https:",
            path: "/",
            maxAge: SESSION_ABSOLUTE_MS / 1000,
          });
        },
        endCookie: () => {
          cookie[name]!.set({ value: "", httpOnly: true, sameSite: "lax", secure: deps.config.publicUrl.protocol === "https:", path: "/", maxAge: 0 });
        },
      };
    })
    .get("/login", ({ auth, query, redirect }) => (auth ? redirect(safeNext(query.next)) : <LoginPage next={safeNext(query.next)} />))
    .get("/signup", ({ auth, redirect }) => (auth ? redirect("/dashboard") : <SignupPage />))
    .post(
      "/auth/signup",
      async ({ body, deps, meta, sessionToken, startCookie, request, set, redirect }) => {
        let result;
        try {
          result = await signup(deps, body, meta);
        } catch (err) {
          if (err instanceof AppError && wantsPage(request)) {
            set.status = err.status;
            return <SignupPage email={body.email} name={body.name} error={err.message} />;
          }
          throw err;
        }
        if (sessionToken) await logout(deps, sessionToken);
        await startCookie(result.token);
        if (isHtmx(request)) set.headers["hx-redirect"] = "/dashboard";
        else if (wantsPage(request)) return redirect("/dashboard", 303);
        set.status = 201;
        return { user: { id: result.user.id, email: result.user.email, role: result.user.role }, workspace: result.workspace };
      },
      { body: t.Object({ ...credentials, name: t.Optional(t.String({ maxLength: 1000 })) }) },
    )
    .post(
      "/auth/login",
      async ({ body, deps, meta, sessionToken, startCookie, request, set, query, redirect }) => {
        let result;
        try {
          result = await login(deps, body, meta);
        } catch (err) {
          if (err instanceof AppError && wantsPage(request)) {
            set.status = err.status;
            return <LoginPage email={body.email} error={err.message} next={safeNext(query.next)} />;
          }
          throw err;
        }
        // A login always starts a fresh session, so a session id planted before login is worthless after it.
        if (sessionToken) await logout(deps, sessionToken);
        await startCookie(result.token);
        const next = safeNext(query.next);
        if (isHtmx(request)) set.headers["hx-redirect"] = next;
        else if (wantsPage(request)) return redirect(next, 303);
        return { user: { id: result.user.id, email: result.user.email, role: result.user.role }, workspace: result.workspace };
      },
      { body: t.Object(credentials) },
    )
    .post("/auth/logout", async ({ deps, sessionToken, endCookie, request, set, redirect }) => {
      if (sessionToken) await logout(deps, sessionToken);
      endCookie();
      if (isHtmx(request)) {
        set.headers["hx-redirect"] = "/login";
        return "";
      }
      if (wantsPage(request)) return redirect("/login", 303);
      set.status = 204;
      return "";
    })
    .get("/auth/me", ({ auth }) => {
      const a = requireAuth(auth);
      return { user: { id: a.user.id, email: a.user.email, name: a.user.name, role: a.user.role, timeZone: a.user.timeZone }, workspace: a.workspace };
    })
    .put(
      "/me/time-zone",
      async ({ auth, deps, body, request, set }) => {
        const zone = await changeTimeZone(deps, requireAuth(auth), body.timeZone, { ifNone: body.ifNone === true });
        if (isHtmx(request) && zone) {
          return <Flash kind="success" message={`Saved. Schedules are now entered and shown in ${zone} (${zoneOffsetLabel(zone, deps.clock.now())}).`} />;
        }
        set.status = 204;
        return "";
      },
      // ifNone: the page's own report of the browser's zone, which must not replace one already chosen.
      { body: t.Object({ timeZone: t.String(), ifNone: t.Optional(t.Boolean()) }) },
    );
}
