import type { Auth } from "../../src/features/auth/model";
import { WORKSPACE_NAME_MAX } from "../../src/features/workspaces/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { AppShell } from "../layouts/AppShell";

export function WorkspacePage({ auth, workspace, canRename }: { auth: Auth; workspace: { name: string }; canRename: boolean }) {
  return (
    <AppShell auth={auth} active="settings" title="Workspace" crumbs={[{ href: "/settings", label: "Settings" }]}>
      <section class="max-w-xl rounded-lg border border-slate-200 bg-white p-6">
        <h2 class="mb-2 font-medium">Name</h2>
        <p class="mb-4 text-sm text-slate-600">Recipients see this name as the sender on the unsubscribe page, so use the name they know you by.</p>
        {canRename ? (
          <form hx-patch="/workspace" hx-target="#workspace-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="workspace-form">
            <Field name="name" label="Workspace name" value={workspace.name} required maxlength={WORKSPACE_NAME_MAX} hint="For example: Acme Newsletter" />
            <Button>Save name</Button>
            <div id="workspace-result" class="mt-4" aria-live="polite"></div>
          </form>
        ) : (
          <p class="text-sm" safe>{`${workspace.name} (only a workspace admin or owner can rename it)`}</p>
        )}
      </section>
    </AppShell>
  );
}
