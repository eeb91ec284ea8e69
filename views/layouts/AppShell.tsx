import type { Children, PropsWithChildren } from "@kitajs/html";
import type { Auth } from "../../src/features/auth/model";
import { Page } from "./Page";

export type NavKey = "dashboard" | "campaigns" | "send" | "lists" | "templates" | "events" | "members" | "audit" | "settings" | "admin";

const NAV: { key: NavKey; label: string; href: string }[] = [
  { key: "dashboard", label: "Dashboard", href: "/dashboard" },
  { key: "campaigns", label: "Campaigns", href: "/campaigns" },
  { key: "send", label: "Send an email", href: "/send" },
  { key: "lists", label: "Lists", href: "/lists" },
  { key: "templates", label: "Templates", href: "/templates" },
  { key: "events", label: "Events", href: "/events" },
  { key: "members", label: "Members", href: "/settings/members" },
  { key: "settings", label: "Settings", href: "/settings" },
];

export interface Crumb {
  href: string;
  label: string;
}

export interface ShellProps {
  auth: Auth;
  active: NavKey;
  title: string;
  /** The pages above this one, outermost first; the title ends the trail. */
  crumbs?: Crumb[];
  /** The page's one primary action, on the title's row. */
  action?: Children;
}

/**
 * Every signed-in page: the navigation as a sidebar on wide screens and, below 768 px, behind a menu
 * button in a top bar (public/islands/app.js, "navMenu"); breadcrumbs, the title with its primary
 * action, and the flash area.
 */
export function AppShell({ auth, active, title, crumbs, action, children }: PropsWithChildren<ShellProps>) {
  // The audit log is for the workspace's owners and admins; it sits just above Settings.
  const nav = auth.workspaceRole === "member" ? NAV : NAV.flatMap((item) => (item.key === "settings" ? [{ key: "audit" as const, label: "Audit log", href: "/audit" }, item] : [item]));
  const items = auth.user.role === "admin" ? [...nav, { key: "admin" as const, label: "Admin", href: "/admin" }] : nav;
  return (
    <Page title={title}>
      {/* An account without a zone yet takes the browser's (public/islands/app.js). */}
      <div class="min-h-full md:flex" data-needs-time-zone={auth.user.timeZone ? undefined : "true"}>
        <aside class="bg-slate-900 text-slate-100 md:flex md:w-56 md:min-h-screen md:shrink-0 md:flex-col" x-data="navMenu" {...{ "x-on:keydown.escape.window": "close" }}>
          <div class="flex items-center justify-between">
            <a href="/dashboard" class="px-5 py-4 text-lg font-semibold tracking-tight">
              Sesame
            </a>
            <button
              type="button"
              class="mr-3 rounded px-3 py-2 text-sm text-slate-200 hover:bg-slate-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 md:hidden"
              aria-controls="main-nav"
              aria-expanded="false"
              x-bind:aria-expanded="expanded"
              x-on:click="toggle"
              data-testid="menu-button"
            >
              Menu
            </button>
          </div>
          <div id="main-nav" class="hidden flex-col md:flex md:flex-1" x-bind:class="navClasses" data-testid="main-nav">
            <nav aria-label="Main" class="flex flex-col gap-1 px-2 pb-2">
              {items.map((item) => (
                <a
                  href={item.href}
                  aria-current={item.key === active ? "page" : undefined}
                  class={
                    "rounded px-3 py-2 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400 " +
                    (item.key === active ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white")
                  }
                  safe
                >
                  {item.label}
                </a>
              ))}
            </nav>
            <div class="mt-auto border-t border-slate-800 px-5 py-4 text-xs text-slate-400">
              {/* The person's workspaces are read only when the switcher is opened (GET /workspaces as htmx), so no page pays for them. */}
              <details class="mb-1" hx-get="/workspaces" hx-trigger="toggle once" hx-target="find [data-workspace-menu]" hx-swap="innerHTML" data-testid="workspace-switcher">
                <summary class="cursor-pointer truncate rounded text-slate-200 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400" aria-label={`Workspace: ${auth.workspace.name}. Switch workspace`} safe>
                  {auth.workspace.name}
                </summary>
                <div data-workspace-menu>
                  <a href="/workspaces" class="text-slate-300 underline">
                    Switch workspace
                  </a>
                </div>
              </details>
              <p class="truncate">
                <a href="/settings/profile" class="hover:text-white hover:underline" title="Your profile" data-testid="current-user" safe>
                  {auth.user.email}
                </a>
              </p>
              <form method="post" action="/auth/logout" class="mt-2">
                <button type="submit" class="text-slate-300 underline hover:text-white">
                  Log out
                </button>
              </form>
            </div>
          </div>
        </aside>
        <main class="min-w-0 flex-1 px-4 py-6 md:px-10 md:py-8">
          <div id="flash" aria-live="polite"></div>
          {crumbs?.length ? (
            <nav aria-label="Breadcrumb" class="mb-2 text-sm text-slate-600">
              <ol class="flex flex-wrap items-center gap-1">
                {crumbs.map((crumb) => (
                  <li>
                    <a href={crumb.href} class="underline hover:text-slate-900" safe>
                      {crumb.label}
                    </a>
                    <span aria-hidden="true"> ›</span>
                  </li>
                ))}
                <li aria-current="page" class="min-w-0 truncate" safe>
                  {title}
                </li>
              </ol>
            </nav>
          ) : (
            ""
          )}
          <div class="mb-6 flex flex-wrap items-center justify-between gap-3">
            <h1 class="min-w-0 break-words text-2xl font-semibold" safe>
              {title}
            </h1>
            {action ?? ""}
          </div>
          {children}
        </main>
      </div>
    </Page>
  );
}
