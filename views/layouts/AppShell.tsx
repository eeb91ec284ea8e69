import type { PropsWithChildren } from "@kitajs/html";
import type { Auth } from "../../src/features/auth/model";
import { Page } from "./Page";

export type NavKey = "dashboard" | "campaigns" | "lists" | "templates" | "events" | "settings" | "admin";

const NAV: { key: NavKey; label: string; href: string }[] = [
  { key: "dashboard", label: "Dashboard", href: "/dashboard" },
  { key: "campaigns", label: "Campaigns", href: "/campaigns" },
  { key: "lists", label: "Lists", href: "/lists" },
  { key: "templates", label: "Templates", href: "/templates" },
  { key: "events", label: "Events", href: "/events" },
  { key: "settings", label: "Settings", href: "/settings" },
];

export interface ShellProps {
  auth: Auth;
  active: NavKey;
  title: string;
}

export function AppShell({ auth, active, title, children }: PropsWithChildren<ShellProps>) {
  const items = auth.user.role === "admin" ? [...NAV, { key: "admin" as const, label: "Admin", href: "/admin" }] : NAV;
  return (
    <Page title={title}>
      <div class="min-h-full md:flex">
        <aside class="md:w-56 md:min-h-screen bg-slate-900 text-slate-100 flex md:flex-col">
          <a href="/dashboard" class="px-5 py-4 text-lg font-semibold tracking-tight">
            Sesame
          </a>
          <nav aria-label="Main" class="flex md:flex-col gap-1 px-2 pb-2 overflow-x-auto">
            {items.map((item) => (
              <a
                href={item.href}
                aria-current={item.key === active ? "page" : undefined}
                class={
                  "rounded px-3 py-2 text-sm whitespace-nowrap focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 " +
                  (item.key === active ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white")
                }
                safe
              >
                {item.label}
              </a>
            ))}
          </nav>
          <div class="mt-auto hidden md:block px-5 py-4 text-xs text-slate-400 border-t border-slate-800">
            <p class="truncate" safe>
              {auth.workspace.name}
            </p>
            <p class="truncate" data-testid="current-user" safe>
              {auth.user.email}
            </p>
            <form method="post" action="/auth/logout" class="mt-2">
              <button type="submit" class="text-slate-300 underline hover:text-white">
                Log out
              </button>
            </form>
          </div>
        </aside>
        <main class="flex-1 px-4 py-6 md:px-10 md:py-8">
          <div id="flash" aria-live="polite"></div>
          <h1 class="text-2xl font-semibold mb-6" safe>
            {title}
          </h1>
          {children}
          <form method="post" action="/auth/logout" class="mt-10 md:hidden">
            <button type="submit" class="text-sm underline">
              Log out
            </button>
          </form>
        </main>
      </div>
    </Page>
  );
}
