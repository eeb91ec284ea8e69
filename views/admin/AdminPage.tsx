import type { Auth } from "../../src/features/auth/model";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";

export interface AdminUserRow {
  id: string;
  email: string;
  role: "admin" | "user";
  disabled: boolean;
  createdAt: Date;
}

export function AdminUserRowView({ user, self }: { user: AdminUserRow; self: boolean }) {
  const patch = (body: Record<string, unknown>) => JSON.stringify(body);
  return (
    <tr id={`user-${user.id}`} class="border-t border-slate-200">
      <td class="px-4 py-2" safe>
        {user.email}
      </td>
      <td class="px-4 py-2">{user.role}</td>
      <td class="px-4 py-2">{user.disabled ? "disabled" : "active"}</td>
      <td class="px-4 py-2 text-slate-500" safe>
        {user.createdAt.toISOString().slice(0, 10)}
      </td>
      <td class="px-4 py-2 text-right space-x-2">
        {self ? (
          <span class="text-xs text-slate-500">you</span>
        ) : (
          <>
            <button
              class="text-sm text-sky-700 underline"
              hx-patch={`/admin/users/${user.id}`}
              hx-vals={patch({ role: user.role === "admin" ? "user" : "admin" })}
              hx-target={`#user-${user.id}`}
              hx-swap="outerHTML"
            >
              {user.role === "admin" ? "Make user" : "Make admin"}
            </button>
            <button
              class="text-sm text-red-700 underline"
              hx-patch={`/admin/users/${user.id}`}
              hx-vals={patch({ disabled: !user.disabled })}
              hx-target={`#user-${user.id}`}
              hx-swap="outerHTML"
              hx-confirm={user.disabled ? undefined : `Disable ${user.email}? They are logged out everywhere at once.`}
            >
              {user.disabled ? "Enable" : "Disable"}
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export function AdminPage({ auth, users }: { auth: Auth; users: AdminUserRow[] }) {
  return (
    <AppShell auth={auth} active="admin" title="Admin">
      <h2 class="text-lg font-medium mb-3">Users of this instance</h2>
      <Table headers={["Email", "Role", "Status", "Joined", ""]}>
        {users.map((user) => (
          <AdminUserRowView user={user} self={user.id === auth.user.id} />
        ))}
      </Table>
    </AppShell>
  );
}
