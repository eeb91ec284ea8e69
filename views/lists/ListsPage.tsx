import type { Auth } from "../../src/features/auth/model";
import type { ListSummary } from "../../src/features/lists/model";
import { Button } from "../components/Button";
import { EmptyState } from "../components/EmptyState";
import { Field } from "../components/Field";
import { AppShell } from "../layouts/AppShell";

export function ListsPage({ auth, lists }: { auth: Auth; lists: ListSummary[] }) {
  return (
    <AppShell auth={auth} active="lists" title="Lists">
      <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
        <form hx-post="/lists" hx-target="#list-errors" hx-swap="innerHTML" class="flex flex-wrap items-end gap-2" data-testid="new-list-form">
          <div class="w-72">
            <Field name="name" label="New list" required maxlength={100} hint="For example: Newsletter subscribers" />
          </div>
          <div class="mb-4">
            <Button>Create list</Button>
          </div>
          <div id="list-errors" class="w-full" aria-live="assertive"></div>
        </form>
        <a href="/suppressions" class="mb-4 text-sm text-sky-700 underline">
          Suppression list →
        </a>
      </div>
      {lists.length === 0 ? (
        <EmptyState title="No lists yet">
          <p>Create a list, then import its recipients from a CSV file. Every column you import becomes a template variable.</p>
        </EmptyState>
      ) : (
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table class="min-w-full text-sm" data-testid="lists-table">
            <thead class="bg-slate-50 text-left text-slate-600">
              <tr>
                <th class="px-4 py-2 font-medium">List</th>
                <th class="px-4 py-2 font-medium text-right">Contacts</th>
              </tr>
            </thead>
            <tbody>
              {lists.map((list) => (
                <tr class="border-t border-slate-200">
                  <td class="px-4 py-2">
                    <a href={`/lists/${list.id}`} class="text-sky-700 underline" safe>
                      {list.name}
                    </a>
                  </td>
                  <td class="px-4 py-2 text-right tabular-nums" safe>
                    {list.contacts.toLocaleString("en")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AppShell>
  );
}
