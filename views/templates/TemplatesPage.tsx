import type { Auth } from "../../src/features/auth/model";
import type { TemplateView } from "../../src/features/templates/model";
import { EmptyState } from "../components/EmptyState";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";

export function TemplatesPage({ auth, templates }: { auth: Auth; templates: TemplateView[] }) {
  return (
    <AppShell auth={auth} active="templates" title="Templates">
      <div class="mb-6">
        <a href="/templates/new" class="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
          New template
        </a>
      </div>
      {templates.length === 0 ? (
        <EmptyState title="No templates yet">
          <p>Write a template with the editor, use {"{{name}}"}, {"{{company}}"} or any column of your lists as variables, and preview it with a real contact.</p>
        </EmptyState>
      ) : (
        <Table headers={["Template", "Subject", "Variables", "Last edited", ""]} testid="templates-table">
          {templates.map((tpl) => (
            <tr id={`template-${tpl.id}`} class="border-t border-slate-200">
              <td class="px-4 py-2">
                <a href={`/templates/${tpl.id}`} class="text-sky-700 underline" safe>
                  {tpl.name}
                </a>
              </td>
              <td class="px-4 py-2 max-w-72 truncate" safe>
                {tpl.subject}
              </td>
              <td class="px-4 py-2 font-mono text-xs" safe>
                {tpl.variables.map((v) => `{{${v}}}`).join(" ")}
              </td>
              <td class="px-4 py-2 text-slate-500" safe>
                {tpl.updatedAt.toISOString().slice(0, 16).replace("T", " ")}
              </td>
              <td class="px-4 py-2 text-right space-x-3 whitespace-nowrap">
                <button class="text-xs text-sky-700 underline" hx-post={`/email/template/${tpl.id}/duplicate`} hx-swap="none">
                  Duplicate
                </button>
                <button
                  class="text-xs text-red-700 underline"
                  hx-delete={`/email/template/${tpl.id}`}
                  hx-target={`#template-${tpl.id}`}
                  hx-swap="outerHTML"
                  hx-confirm={`Delete the template "${tpl.name}"? This cannot be undone.`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </AppShell>
  );
}
