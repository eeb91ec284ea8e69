import type { Auth } from "../../src/features/auth/model";
import type { ListSummary } from "../../src/features/lists/model";
import { Button } from "../components/Button";
import { EmptyState } from "../components/EmptyState";
import { Field } from "../components/Field";
import { Table } from "../components/Table";
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
        <Table headers={["List", { cell: "Contacts", align: "right" }]} testid="lists-table">
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
        </Table>
      )}
    </AppShell>
  );
}
