import type { Auth } from "../../src/features/auth/model";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { LocalTime } from "../lists/parts";
import { AdminFrame } from "./parts";

export interface AdminUserRow {
  id: string;
  email: string;
  name?: string;
  role: "admin" | "user";
  disabled: boolean;
  createdAt: Date;
}

export function AdminUserRowView({ user, self }: { user: AdminUserRow; self: boolean }) {
  const patch = (body: Record<string, unknown>) => JSON.stringify(body);
  return (
    <tr id={`user-${user.id}`} class="border-t border-slate-200">
      <td class="px-4 py-2">
        <span class="block" safe>
          {user.email}
        </span>
        {user.name ? (
          <span class="block text-xs text-slate-500" safe>
            {user.name}
          </span>
        ) : (
          ""
        )}
      </td>
      <td class="px-4 py-2">{user.role === "admin" ? "Administrator" : "User"}</td>
      <td class="px-4 py-2">{user.disabled ? "Disabled" : "Active"}</td>
      <td class="px-4 py-2 text-slate-500">
        <LocalTime at={user.createdAt} />
      </td>
      <td class="px-4 py-2 text-right whitespace-nowrap space-x-2">
        {self ? (
          <span class="text-xs text-slate-500">you</span>
        ) : (
          <>
            <button
              type="button"
              class="text-sm text-sky-700 underline"
              hx-patch={`/admin/users/${user.id}`}
              hx-vals={patch({ role: user.role === "admin" ? "user" : "admin" })}
              hx-target={`#user-${user.id}`}
              hx-swap="outerHTML"
              hx-confirm={user.role === "admin" ? `Make ${user.email} a plain user? They can no longer administer this Sesame.` : `Make ${user.email} an administrator of this whole Sesame?`}
            >
              {user.role === "admin" ? "Make user" : "Make admin"}
            </button>
            {user.disabled ? (
              ""
            ) : (
              <button
                type="button"
                class="text-sm text-sky-700 underline"
                hx-post={`/admin/users/${user.id}/reset-link`}
                hx-target="#reset-link"
                hx-swap="innerHTML"
                hx-confirm={`Make a password reset link for ${user.email}? Whoever holds it can set their password within the next hour.`}
                data-testid="make-reset-link"
              >
                Reset link
              </button>
            )}
            <button
              type="button"
              class="text-sm text-red-700 underline"
              hx-patch={`/admin/users/${user.id}`}
              hx-vals={patch({ disabled: !user.disabled })}
              hx-target={`#user-${user.id}`}
              hx-swap="outerHTML"
              hx-confirm={user.disabled ? undefined : `Disable ${user.email}? They are logged out everywhere at once and cannot log in until enabled again.`}
            >
              {user.disabled ? "Enable" : "Disable"}
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** A reset link made for someone: shown this once, to be handed over by the admin. */
export function ResetLinkNotice({ email, url, expiresAt }: { email: string; url: string; expiresAt: Date }) {
  return (
    <div class="rounded border border-emerald-300 bg-emerald-50 p-4 text-sm text-emerald-900" role="status" data-testid="reset-link-notice">
      <p class="mb-2">
        <span safe>{`A reset link for ${email}. Give it to them yourself: it is shown only now, works once, and expires at `}</span>
        <LocalTime at={expiresAt} withTime />.
      </p>
      <label for="reset-link-url" class="sr-only">
        Reset link
      </label>
      <input id="reset-link-url" type="text" readonly value={url} class="block w-full rounded border border-emerald-300 bg-white px-3 py-2 font-mono text-xs" data-testid="reset-link-url" />
    </div>
  );
}

export function AdminPage({ auth, users }: { auth: Auth; users: AdminUserRow[] }) {
  return (
    <AdminFrame auth={auth} active="users" title="Admin">
      <h2 class="mb-1 text-lg font-medium">Users of this instance</h2>
      <p class="mb-3 max-w-prose text-sm text-slate-600">
        Administrators run this Sesame: its users, sign-up, system mail and API limits. There is always at least one active administrator.
      </p>
      <div id="reset-link" class="mb-4" aria-live="polite"></div>
      {users.length ? (
        <Table headers={["User", "Role", "Status", "Joined", ""]} testid="admin-users">
          {users.map((user) => (
            <AdminUserRowView user={user} self={user.id === auth.user.id} />
          ))}
        </Table>
      ) : (
        <Flash kind="info" message="No users yet." />
      )}
    </AdminFrame>
  );
}
