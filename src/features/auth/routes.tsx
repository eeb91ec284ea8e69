import { Elysia, t } from "elysia";
import { FORGOT_ANSWER, ForgotPage } from "../../../views/auth/ForgotPage";
import { LoginPage } from "../../../views/auth/LoginPage";
import { ResetPage } from "../../../views/auth/ResetPage";
import { SignupPage } from "../../../views/auth/SignupPage";
import { Flash } from "../../../views/components/Flash";
import { PasswordForm, ProfilePage } from "../../../views/settings/ProfilePage";
import { AppError } from "../../lib/errors";
import { commonTimeZones, zoneOffsetLabel } from "../../lib/zones";
import { getSystemMail } from "../admin/system-mail";
import type { Context } from "../../web/context";
import { sessionCookieName } from "../../web/context";
import { requireAuth } from "../../web/guard";
import { isHtmx, safeNext, swapPanel, wantsPage } from "../../web/respond";
import { SESSION_ABSOLUTE_MS } from "./model";
import {
  changePassword,
  changeTimeZone,
  forgotPassword,
  login,
  logout,
  peekResetLink,
  RESET_REFUSALS,
  resetPassword,
  signup,
  signupOpen,
  signupView,
  updateProfile,
} from "./service";
import { authDocs } from "../../web/api-reference";

/** After a reset the person logs in afresh; the login page says why they are there. */
const RESET_DONE = "Your password is changed and every session of the account has ended. Log in with the new password.";

const tokenParams = t.Object({ token: t.String({ maxLength: 200 }) });

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
    .get("/login", async ({ auth, deps, query, redirect }) => {
      if (auth) return redirect(safeNext(query.next));
      return <LoginPage next={safeNext(query.next)} notice={query.reset === "done" ? RESET_DONE : undefined} signupOpen={await signupOpen(deps)} />;
    })
    .get(
      "/signup",
      async ({ auth, deps, query, redirect }) => {
        const invite = query.invite?.trim() || null;
        // Someone already logged in who opens an invite's sign-up link accepts it on the invite's own page.
        if (auth) return redirect(invite ? `/invite/${encodeURIComponent(invite)}` : "/dashboard");
        return <SignupPage view={await signupView(deps, invite)} />;
      },
      { query: t.Object({ invite: t.Optional(t.String({ maxLength: 200 })) }) },
    )
    .post(
      "/auth/signup",
      async ({ body, deps, meta, sessionToken, startCookie, request, set, redirect }) => {
        let result;
        try {
          result = await signup(deps, body, meta);
        } catch (err) {
          if (err instanceof AppError && wantsPage(request)) {
            set.status = err.status;
            return <SignupPage view={await signupView(deps, body.invite?.trim() || null)} email={body.email} name={body.name} error={err.message} />;
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
      { body: t.Object({ ...credentials, name: t.Optional(t.String({ maxLength: 1000 })), invite: t.Optional(t.String({ maxLength: 200 })) }), detail: authDocs.signup },
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
      { body: t.Object(credentials), query: t.Object({ next: t.Optional(t.String({ maxLength: 4000 })) }), detail: authDocs.login },
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
    }, { detail: authDocs.logout })
    .get("/auth/me", ({ auth }) => {
      const a = requireAuth(auth);
      return { user: { id: a.user.id, email: a.user.email, name: a.user.name, role: a.user.role, timeZone: a.user.timeZone }, workspace: a.workspace };
    }, { detail: authDocs.me })
    .patch(
      "/auth/me",
      async ({ auth, deps, body, request }) => {
        const user = await updateProfile(deps, requireAuth(auth), { name: body.name, timeZone: body.timeZone || undefined });
        if (isHtmx(request)) return <Flash kind="success" message="Saved." />;
        return { user: { id: user.id, email: user.email, name: user.name, role: user.role, timeZone: user.timeZone } };
      },
      { body: t.Object({ name: t.Optional(t.String({ maxLength: 1000 })), timeZone: t.Optional(t.String({ maxLength: 100 })) }), detail: authDocs.updateProfile },
    )
    .get("/settings/profile", ({ auth, deps }) => <ProfilePage auth={requireAuth(auth)} zones={commonTimeZones()} now={deps.clock.now()} />)
    .post(
      "/auth/password",
      async ({ auth, deps, body, meta, request, set }) => {
        await changePassword(deps, requireAuth(auth), body, meta);
        if (isHtmx(request)) {
          swapPanel(set, "password-section");
          return <PasswordForm notice="Password changed. Every other session of your account has been logged out." />;
        }
        set.status = 204;
        return "";
      },
      { body: t.Object({ currentPassword: t.String({ maxLength: 100_000 }), newPassword: t.String({ maxLength: 100_000 }) }), detail: authDocs.changePassword },
    )
    .get("/forgot", async ({ deps }) => <ForgotPage delivery={(await getSystemMail(deps)) ? "mail" : "admin"} />)
    .post(
      "/auth/forgot",
      async ({ body, deps, meta, request, set }) => {
        let delivery: "mail" | "admin";
        try {
          ({ delivery } = await forgotPassword(deps, body.email, meta));
        } catch (err) {
          if (err instanceof AppError && wantsPage(request)) {
            set.status = err.status;
            return <ForgotPage delivery={(await getSystemMail(deps)) ? "mail" : "admin"} error={err.message} />;
          }
          throw err;
        }
        if (wantsPage(request)) return <ForgotPage delivery={delivery} sent />;
        set.status = 202;
        if (isHtmx(request)) return <Flash kind={delivery === "mail" ? "success" : "info"} message={FORGOT_ANSWER[delivery]} />;
        return { delivery, message: FORGOT_ANSWER[delivery] };
      },
      { body: t.Object({ email: t.String({ maxLength: 1000 }) }), detail: authDocs.forgot },
    )
    .get(
      "/reset/:token",
      async ({ deps, params, set }) => {
        // The token is in the address: keep the page out of shared caches.
        set.headers["cache-control"] = "no-store";
        const link = await peekResetLink(deps, params.token);
        if (link.state === "valid") return <ResetPage token={params.token} email={link.email} />;
        set.status = link.state === "unknown" ? 404 : 410;
        return <ResetPage token="" refusal={RESET_REFUSALS[link.state]} />;
      },
      { params: tokenParams },
    )
    .post(
      "/auth/reset",
      async ({ body, deps, request, set, redirect }) => {
        try {
          await resetPassword(deps, body);
        } catch (err) {
          if (err instanceof AppError && wantsPage(request)) {
            set.status = err.status;
            const link = await peekResetLink(deps, body.token);
            return link.state === "valid" ? <ResetPage token={body.token} email={link.email} error={err.message} /> : <ResetPage token="" refusal={err.message} />;
          }
          throw err;
        }
        const next = "/login?reset=done";
        if (isHtmx(request)) {
          set.headers["hx-redirect"] = next;
          return "";
        }
        if (wantsPage(request)) return redirect(next, 303);
        set.status = 204;
        return "";
      },
      { body: t.Object({ token: t.String({ maxLength: 1000 }), password: t.String({ maxLength: 100_000 }), username: t.Optional(t.String({ maxLength: 1000 })) }), detail: authDocs.reset },
    )
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
      { body: t.Object({ timeZone: t.String(), ifNone: t.Optional(t.Boolean()) }), detail: authDocs.timeZone },
    );
}
