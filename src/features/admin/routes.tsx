import { Elysia, t } from "elysia";
import { AdminPage, AdminUserRowView, ResetLinkNotice } from "../../../views/admin/AdminPage";
import { InstanceSettingsPage } from "../../../views/admin/InstanceSettingsPage";
import { LimitsPage } from "../../../views/admin/LimitsPage";
import { UsagePage } from "../../../views/admin/UsagePage";
import { Flash } from "../../../views/components/Flash";
import type { Context } from "../../web/context";
import { requireAdmin } from "../../web/guard";
import { isHtmx, wantsPage } from "../../web/respond";
import type { Limit, LimitSettings } from "../limits/settings";
import { SIGNUP_MODE_LABELS } from "./model";
import {
  changeUser,
  getRoleLimits,
  instanceKeys,
  instanceSettings,
  listInstanceUsers,
  makeResetLink,
  saveRoleLimits,
  setApiKeyLimits,
  testSystemMail,
  workspaceUsage,
} from "./service";
import { setSignupMode } from "./signup";
import { clearSystemMail, saveSystemMail } from "./system-mail";
import { adminDocs } from "../../web/api-reference";

/** A limit as JSON gives it (a number or null) or as a form does (text; empty is no limit). Anything else is left for the check to refuse. */
function limitValue(value: unknown): unknown {
  if (typeof value !== "string") return value ?? null;
  const trimmed = value.trim();
  if (trimmed === "") return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function limitFrom(body: Record<string, unknown>, prefix = ""): Limit {
  return {
    requestsPerMinute: limitValue(body[`${prefix}requestsPerMinute`]) as number | null,
    mailsPerDay: limitValue(body[`${prefix}mailsPerDay`]) as number | null,
  };
}

/** PUT /admin/limits takes `{roles:{owner:{…}, …}}` as JSON, or the page's flat "owner.requestsPerMinute" fields. */
function roleLimitsFrom(body: Record<string, unknown>): LimitSettings {
  const roles = body.roles && typeof body.roles === "object" ? (body.roles as Record<string, Record<string, unknown>>) : null;
  const one = (role: "owner" | "admin" | "member") => (roles ? limitFrom(roles[role] ?? {}) : limitFrom(body, `${role}.`));
  return { roles: { owner: one("owner"), admin: one("admin"), member: one("member") } };
}

const limitBody = t.Record(t.String({ maxLength: 100 }), t.Unknown());

/** The instance administrator's pages and API: users, usage per workspace, sign-up and system mail, API limits. */
export function adminRoutes(ctx: Context) {
  return new Elysia()
    .use(ctx)
    .get("/admin", async ({ auth, deps }) => {
      const admin = requireAdmin(auth);
      return <AdminPage auth={admin} users={await listInstanceUsers(deps)} />;
    })
    .get("/admin/users", async ({ auth, deps, request, redirect }) => {
      requireAdmin(auth);
      if (wantsPage(request)) return redirect("/admin", 303);
      return { items: await listInstanceUsers(deps) };
    }, { detail: adminDocs.users })
    .patch(
      "/admin/users/:id",
      async ({ auth, deps, params, body, request }) => {
        const admin = requireAdmin(auth);
        const { self, ...user } = await changeUser(deps, admin, params.id, body);
        return isHtmx(request) ? <AdminUserRowView user={user} self={self} /> : user;
      },
      {
        body: t.Object({
          role: t.Optional(t.Union([t.Literal("admin"), t.Literal("user")])),
          disabled: t.Optional(t.Union([t.Boolean(), t.BooleanString()])),
        }),
        detail: adminDocs.change,
      },
    )
    .post(
      "/admin/users/:id/reset-link",
      async ({ auth, deps, params, request, set }) => {
        const admin = requireAdmin(auth);
        const link = await makeResetLink(deps, admin, params.id);
        // The link is a password: never cached anywhere on its way.
        set.headers["cache-control"] = "no-store";
        set.status = 201;
        if (isHtmx(request)) return <ResetLinkNotice email={link.email} url={link.url} expiresAt={link.expiresAt} />;
        return { url: link.url, expiresAt: link.expiresAt };
      },
      { params: t.Object({ id: t.String({ maxLength: 100 }) }), detail: adminDocs.resetLink },
    )
    .get("/admin/workspaces", async ({ auth, deps, request }) => {
      const admin = requireAdmin(auth);
      const items = await workspaceUsage(deps);
      if (wantsPage(request)) return <UsagePage auth={admin} items={items} />;
      return { items };
    }, { detail: adminDocs.workspaces })
    .get("/admin/settings", async ({ auth, deps, request }) => {
      const admin = requireAdmin(auth);
      const settings = await instanceSettings(deps);
      if (wantsPage(request)) return <InstanceSettingsPage auth={admin} {...settings} />;
      return { signup: settings.signup, systemMail: settings.systemMail };
    }, { detail: adminDocs.settings })
    .put(
      "/admin/signup",
      async ({ auth, deps, body, request }) => {
        requireAdmin(auth);
        const mode = await setSignupMode(deps, body.mode);
        if (isHtmx(request)) return <Flash kind="success" message={`Saved. Sign-up is now: ${SIGNUP_MODE_LABELS[mode].label.toLowerCase()}.`} />;
        return { mode };
      },
      { body: t.Object({ mode: t.String({ maxLength: 20 }) }), detail: adminDocs.signup },
    )
    .put(
      "/admin/system-mail",
      async ({ auth, deps, body, request }) => {
        requireAdmin(auth);
        // The page's one picker sends "workspaceId|address".
        const bar = body.sender?.indexOf("|") ?? -1;
        const picked = body.sender && bar > 0 ? { workspaceId: body.sender.slice(0, bar), from: body.sender.slice(bar + 1) } : null;
        const saved = await saveSystemMail(deps, { workspaceId: body.workspaceId ?? picked?.workspaceId ?? "", from: body.from ?? picked?.from ?? "" });
        if (isHtmx(request)) return <Flash kind="success" message={`Saved. Reset links are mailed from ${saved.from} through ${saved.workspaceName}.`} />;
        return saved;
      },
      {
        body: t.Object({
          workspaceId: t.Optional(t.String({ maxLength: 100 })),
          from: t.Optional(t.String({ maxLength: 400 })),
          sender: t.Optional(t.String({ maxLength: 500 })),
        }),
        detail: adminDocs.systemMail,
      },
    )
    .delete("/admin/system-mail", async ({ auth, deps, request, set }) => {
      requireAdmin(auth);
      await clearSystemMail(deps);
      if (isHtmx(request)) {
        set.headers["hx-refresh"] = "true";
        return <Flash kind="success" message="System mail turned off." />;
      }
      set.status = 204;
      return "";
    }, { detail: adminDocs.clearSystemMail })
    .post("/admin/system-mail/test", async ({ auth, deps, request }) => {
      const admin = requireAdmin(auth);
      const outcome = await testSystemMail(deps, admin);
      const message =
        outcome === "sent"
          ? `A test mail is on its way to ${admin.user.email}.`
          : outcome === "not_configured"
            ? "System mail is not set up, or its workspace has no saved AWS keys any more."
            : "SES did not take the test mail. Check the workspace's AWS connection and the sender's verification; the server log has SES's reason.";
      if (isHtmx(request)) return <Flash kind={outcome === "sent" ? "success" : "error"} message={message} />;
      return { outcome };
    }, { detail: adminDocs.testSystemMail })
    .get("/admin/limits", async ({ auth, deps, request }) => {
      const admin = requireAdmin(auth);
      const settings = await getRoleLimits(deps);
      if (wantsPage(request)) return <LimitsPage auth={admin} settings={settings} keys={await instanceKeys(deps)} />;
      return settings;
    }, { detail: adminDocs.limits })
    .put(
      "/admin/limits",
      async ({ auth, deps, body, request }) => {
        requireAdmin(auth);
        const settings = await saveRoleLimits(deps, roleLimitsFrom(body));
        if (isHtmx(request)) return <Flash kind="success" message="Saved. The new limits apply from the next request." />;
        return settings;
      },
      { body: limitBody, detail: adminDocs.setLimits },
    )
    .patch(
      "/admin/api-keys/:id",
      async ({ auth, deps, params, body, request }) => {
        requireAdmin(auth);
        const key = await setApiKeyLimits(deps, params.id, limitFrom(body));
        if (isHtmx(request)) {
          const own = key.requestsPerMinute === null && key.mailsPerDay === null ? "This key now follows its role's limits." : "Saved. This key's own limits apply from its next request.";
          return <Flash kind="success" message={own} />;
        }
        return key;
      },
      { params: t.Object({ id: t.String({ maxLength: 100 }) }), body: limitBody, detail: adminDocs.keyLimits },
    );
}
