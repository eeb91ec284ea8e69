import type { Auth } from "../../src/features/auth/model";
import { ROLE_LABEL, WORKSPACE_NAME_MAX, type WorkspaceChoice } from "../../src/features/workspaces/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";

/** A plain form post, so switching works with the keyboard and without scripts; the answer is a redirect to the dashboard. */
function SwitchButton({ workspace, compact }: { workspace: WorkspaceChoice; compact?: boolean }) {
  return (
    <form method="post" action="/workspace/switch">
      <input type="hidden" name="workspaceId" value={workspace.id} />
      <button
        type="submit"
        class={
          compact
            ? "w-full truncate rounded px-2 py-1 text-left text-sm text-slate-200 hover:bg-slate-800 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400"
            : "rounded border border-slate-300 bg-white px-3 py-1 text-sm text-slate-800 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500"
        }
        aria-label={`Switch to ${workspace.name}`}
      >
        {compact ? <span safe>{workspace.name}</span> : "Switch"}
      </button>
    </form>
  );
}

/** The sidebar's switcher menu (loaded when it is opened): every workspace of the person, the current one marked. */
export function WorkspaceMenu({ workspaces }: { workspaces: WorkspaceChoice[] }) {
  return (
    <ul class="mt-1 flex flex-col gap-0.5" data-testid="workspace-menu">
      {workspaces.map((w) =>
        w.current ? (
          <li class="flex items-center gap-1 truncate rounded bg-slate-800 px-2 py-1 text-sm text-white" aria-current="true">
            <span aria-hidden="true">✓</span>
            <span class="truncate" safe>
              {w.name}
            </span>
            <span class="sr-only">(current)</span>
          </li>
        ) : (
          <li>
            <SwitchButton workspace={w} compact />
          </li>
        ),
      )}
      <li>
        <a href="/workspaces" class="block rounded px-2 py-1 text-sm text-slate-300 underline hover:text-white">
          All workspaces…
        </a>
      </li>
    </ul>
  );
}

export function WorkspacesPage({ auth, workspaces }: { auth: Auth; workspaces: WorkspaceChoice[] }) {
  return (
    <AppShell auth={auth} active="settings" title="Your workspaces" crumbs={[{ href: "/settings", label: "Settings" }]}>
      <p class="mb-4 max-w-prose text-sm text-slate-600">
        Each workspace has its own lists, templates, campaigns, AWS keys and members. You work in one at a time; switch here or from the menu at the bottom of the sidebar.
      </p>
      <Table headers={["Workspace", "Your role", ""]} testid="workspaces-table">
        {workspaces.map((w) => (
          <tr class="border-t border-slate-200">
            <td class="px-4 py-2" safe>
              {w.name}
            </td>
            <td class="px-4 py-2" safe>
              {ROLE_LABEL[w.role]}
            </td>
            <td class="px-4 py-2 text-right">{w.current ? <span class="text-sm text-slate-500">Current</span> : <SwitchButton workspace={w} />}</td>
          </tr>
        ))}
      </Table>
      <section class="mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="new-workspace-heading">
        <h2 id="new-workspace-heading" class="mb-2 font-medium">
          New workspace
        </h2>
        <p class="mb-4 text-sm text-slate-600">You own it, and Sesame takes you there. It starts empty: connect its AWS keys and invite people from its settings.</p>
        <form hx-post="/workspaces" hx-target="#new-workspace-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="new-workspace-form">
          <Field name="name" label="Name" required maxlength={WORKSPACE_NAME_MAX} hint="Recipients see it when they unsubscribe. For example: Acme Newsletter" />
          <Button>Create workspace</Button>
          <div id="new-workspace-errors" class="mt-4" aria-live="polite"></div>
        </form>
      </section>
    </AppShell>
  );
}
