import type { PropsWithChildren } from "@kitajs/html";
import type { Auth } from "../../src/features/auth/model";
import { AppShell } from "../layouts/AppShell";

export type AdminTab = "users" | "usage" | "settings" | "limits" | "audit";

/** The instance admin's pages, each a page of its own. */
export const ADMIN_TABS: { key: AdminTab; label: string; href: string }[] = [
  { key: "users", label: "Users", href: "/admin" },
  { key: "usage", label: "Usage", href: "/admin/workspaces" },
  { key: "settings", label: "Sign-up and mail", href: "/admin/settings" },
  { key: "limits", label: "API limits", href: "/admin/limits" },
  { key: "audit", label: "Audit log", href: "/admin/audit" },
];

/** The app frame with the admin tab row (it scrolls inside itself on a phone). */
export function AdminFrame({ auth, active, title, action, children }: PropsWithChildren<{ auth: Auth; active: AdminTab; title: string; action?: JSX.Element }>) {
  return (
    <AppShell auth={auth} active="admin" title={title} crumbs={active === "users" ? undefined : [{ href: "/admin", label: "Admin" }]} action={action}>
      <nav aria-label="Admin pages" class="mb-6 -mx-1 overflow-x-auto" data-testid="admin-tabs">
        <ul class="flex gap-1 border-b border-slate-200 px-1 text-sm whitespace-nowrap">
          {ADMIN_TABS.map((tab) => (
            <li>
              <a
                href={tab.href}
                aria-current={tab.key === active ? "page" : undefined}
                class={`inline-block rounded-t px-3 py-2 ${tab.key === active ? "border-b-2 border-sky-600 font-medium text-slate-900" : "text-slate-600 hover:text-slate-900"}`}
                safe
              >
                {tab.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </AppShell>
  );
}

/** A titled box of an admin page. */
export function Card({ title, id, intro, children }: PropsWithChildren<{ title: string; id: string; intro?: string }>) {
  return (
    <section id={id} class="mb-8 min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="mb-2 text-lg font-medium" safe>
        {title}
      </h2>
      {intro ? (
        <p class="mb-4 max-w-prose text-sm text-slate-600" safe>
          {intro}
        </p>
      ) : (
        ""
      )}
      {children}
    </section>
  );
}
