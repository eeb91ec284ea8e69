import type { Auth } from "../../src/features/auth/model";
import type { ContactView } from "../../src/features/contacts/model";
import type { ContactSort } from "../../src/features/lists/model";
import { Button } from "../components/Button";
import { Pagination } from "../components/Pagination";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";

export interface ContactsTableProps {
  listId: string;
  items: ContactView[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
  sort: ContactSort;
}

const STATUS_TONE: Record<ContactView["status"], string> = {
  active: "bg-emerald-50 text-emerald-800",
  unsubscribed: "bg-slate-100 text-slate-700",
  bounced: "bg-red-50 text-red-800",
  complained: "bg-amber-50 text-amber-800",
};

function contactsUrl(p: ContactsTableProps, changes: Partial<{ page: number; sort: ContactSort }>) {
  const params = new URLSearchParams({ q: p.q, sort: changes.sort ?? p.sort, page: String(changes.page ?? p.page) });
  return `/lists/${p.listId}/contacts?${params}`;
}

export function ContactsTable(props: ContactsTableProps) {
  const keys = [...new Set(props.items.flatMap((c) => Object.keys(c.attributes)))].slice(0, 6);
  const sortLink = (column: "email" | "created", label: string) => {
    const next: ContactSort = props.sort === column ? (`-${column}` as ContactSort) : column;
    const arrow = props.sort === column ? " ↑" : props.sort === `-${column}` ? " ↓" : "";
    return (
      <a href={contactsUrl(props, { sort: next, page: 1 })} hx-get={contactsUrl(props, { sort: next, page: 1 })} hx-target="#contacts" hx-swap="outerHTML" class="hover:underline" safe>
        {label + arrow}
      </a>
    );
  };
  return (
    <div id="contacts" data-testid="contacts">
      {props.items.length === 0 ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
          {props.q ? "No contact matches this search." : "This list has no contacts yet. Import a CSV to add some."}
        </p>
      ) : (
        <Table headers={[{ cell: sortLink("email", "Email") }, "Status", ...keys, { cell: sortLink("created", "Order added"), align: "right" }]}>
          {props.items.map((c) => (
                <tr id={`contact-${c.id}`} class="border-t border-slate-200">
                  <td class="px-4 py-2 font-mono" safe>
                    {c.email}
                  </td>
                  <td class="px-4 py-2">
                    <span class={`rounded px-2 py-0.5 text-xs ${STATUS_TONE[c.status]}`}>{c.status}</span>
                  </td>
                  {keys.map((k) => (
                    <td class="px-4 py-2 max-w-48 truncate" safe>
                      {c.attributes[k] ?? ""}
                    </td>
                  ))}
                  <td class="px-4 py-2 text-right">
                    <button
                      class="text-xs text-red-700 underline"
                      hx-delete={`/contacts/${c.id}`}
                      hx-target={`#contact-${c.id}`}
                      hx-swap="outerHTML"
                      hx-confirm={`Delete ${c.email} from the workspace? It is removed from every list.`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
          ))}
        </Table>
      )}
      <Pagination page={props.page} pageSize={props.pageSize} total={props.total} href={(page) => contactsUrl(props, { page })} target="#contacts" />
    </div>
  );
}

export function ListPage({ auth, list, contacts }: { auth: Auth; list: { id: string; name: string }; contacts: ContactsTableProps }) {
  return (
    <AppShell auth={auth} active="lists" title={list.name}>
      <p class="mb-4 text-sm text-slate-600">
        <a href="/lists" class="underline">
          Lists
        </a>{" "}
        › <span safe>{list.name}</span>
      </p>
      <div class="mb-6 flex flex-wrap items-center gap-2">
        <a href={`/lists/${list.id}/import`} class="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800">
          Import CSV
        </a>
        <a href={`/lists/${list.id}/export.csv`} class="rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50" download="">
          Export CSV
        </a>
        <Button
          kind="danger"
          type="button"
          hx-delete={`/lists/${list.id}`}
          hx-confirm={`Delete the list "${list.name}"? Contacts that are on no other list are deleted with it; contacts on other lists stay.`}
        >
          Delete list
        </Button>
      </div>
      <form class="mb-4 flex gap-2" hx-get={`/lists/${list.id}/contacts`} hx-target="#contacts" hx-swap="outerHTML" hx-trigger="submit, input changed delay:400ms from:find input" role="search">
        <label for="contact-search" class="sr-only">
          Search contacts
        </label>
        <input id="contact-search" name="q" type="search" value={contacts.q} placeholder="Search by address or any attribute" class="w-full max-w-md rounded border border-slate-300 px-3 py-2 text-sm" />
        <input type="hidden" name="sort" value={contacts.sort} />
        <Button kind="secondary">Search</Button>
      </form>
      <ContactsTable {...contacts} />
    </AppShell>
  );
}
