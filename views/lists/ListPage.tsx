import type { Auth } from "../../src/features/auth/model";
import type { ContactView } from "../../src/features/contacts/model";
import type { ImportReport } from "../../src/features/imports/model";
import { defaultSort, LIST_NAME_MAX, type ContactSort } from "../../src/features/lists/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Pagination } from "../components/Pagination";
import { Table } from "../components/Table";
import { ImportBanner } from "../imports/ImportPage";
import { AppShell } from "../layouts/AppShell";
import { ContactStatus, LocalTime } from "./parts";

export interface ContactsTableProps {
  listId: string;
  items: (ContactView & { addedAt: Date })[];
  total: number;
  /** A search stopped counting at `total`: there are more. */
  totalCapped?: boolean;
  /** What a search of this list matches (see FULL_SEARCH_MAX). */
  search: "everywhere" | "address-start";
  page: number;
  pageSize: number;
  q: string;
  sort: ContactSort;
  /** The list's attribute columns, with the header each had in its CSV. */
  columns: { key: string; label: string }[];
}

/** The list page's own URL for a view of its contacts: what htmx swaps in is also what reload and new tabs open. */
export function contactsUrl(p: Pick<ContactsTableProps, "listId" | "q" | "sort" | "page" | "search">, changes: Partial<{ page: number; sort: ContactSort }> = {}) {
  const params = new URLSearchParams();
  if (p.q) params.set("q", p.q);
  const sort = changes.sort ?? p.sort;
  if (sort !== defaultSort(p.q, p.search)) params.set("sort", sort);
  const page = changes.page ?? p.page;
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return `/lists/${p.listId}${query ? `?${query}` : ""}`;
}

/** Columns shown in the table; the rest are on each contact's page and in the export. */
const SHOWN_COLUMNS = 6;

export function ContactsTable(props: ContactsTableProps) {
  const known = new Set(props.columns.map((c) => c.key));
  const extra = [...new Set(props.items.flatMap((c) => Object.keys(c.attributes)))].filter((k) => !known.has(k)).map((key) => ({ key, label: key }));
  const columns = [...props.columns, ...extra].slice(0, SHOWN_COLUMNS);
  const sortLink = (column: "email" | "created", label: string) => {
    const next: ContactSort = props.sort === column ? (`-${column}` as ContactSort) : column;
    const arrow = props.sort === column ? " ↑" : props.sort === `-${column}` ? " ↓" : "";
    const href = contactsUrl(props, { sort: next, page: 1 });
    return (
      <a href={href} hx-get={href} hx-target="#contacts" hx-swap="outerHTML" hx-push-url="true" class="hover:underline" safe>
        {label + arrow}
      </a>
    );
  };
  return (
    <div id="contacts" data-testid="contacts">
      {props.items.length === 0 ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
          {props.q
            ? props.search === "everywhere"
              ? "No contact has that in its address or its attributes."
              : "No address starts with that."
            : "This list has no contacts yet. Import a CSV or add a contact by hand."}
        </p>
      ) : (
        <Table headers={[{ cell: sortLink("email", "Email") }, "Status", ...columns.map((c) => c.label), { cell: sortLink("created", "Added"), align: "right" }, ""]}>
          {props.items.map((c) => (
            <tr id={`contact-${c.id}`} class="border-t border-slate-200">
              <td class="px-4 py-2 font-mono">
                <a href={`/contacts/${c.id}?list=${encodeURIComponent(props.listId)}`} class="text-sky-700 underline" safe>
                  {c.email}
                </a>
              </td>
              <td class="px-4 py-2">
                <ContactStatus status={c.status} />
              </td>
              {columns.map((column) => (
                <td class="px-4 py-2 max-w-48 truncate" safe>
                  {c.attributes[column.key] ?? ""}
                </td>
              ))}
              <td class="px-4 py-2 text-right whitespace-nowrap text-slate-600">
                <LocalTime at={c.addedAt} />
              </td>
              <td class="px-4 py-2 text-right">
                <button
                  class="text-xs text-red-700 underline"
                  hx-delete={`/contacts/${c.id}`}
                  hx-target={`#contact-${c.id}`}
                  hx-swap="outerHTML"
                  hx-confirm={`Delete ${c.email} from the workspace? It is removed from every list, with its attributes.`}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <Pagination page={props.page} pageSize={props.pageSize} total={props.total} capped={props.totalCapped} href={(page) => contactsUrl(props, { page })} target="#contacts" />
      {props.totalCapped ? (
        <p class="mt-1 text-xs text-slate-500" safe>{`More than ${props.total.toLocaleString("en")} addresses start with "${props.q}"; type more of the address to narrow the search.`}</p>
      ) : (
        ""
      )}
    </div>
  );
}

/** Adding one contact by hand: the address and a field per column the list already has, plus one new attribute. */
export function AddContactForm({ listId, columns }: { listId: string; columns: { key: string; label: string }[] }) {
  return (
    <form hx-post={`/lists/${listId}/contacts`} hx-target="#add-contact-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="add-contact-form" class="grid gap-x-4 sm:grid-cols-2">
      <Field name="email" label="Email address" type="email" required maxlength={254} />
      {columns.map((c) => (
        <Field name={`attr_${c.key}`} label={c.label} maxlength={2000} />
      ))}
      <Field name="new_name" label="New attribute (name)" maxlength={64} hint="Optional, e.g. City" />
      <Field name="new_value" label="New attribute (value)" maxlength={2000} />
      <div class="sm:col-span-2">
        <Button>Add contact</Button>
        <div id="add-contact-result" class="mt-3" aria-live="polite"></div>
      </div>
    </form>
  );
}

export interface ListPageProps {
  auth: Auth;
  list: { id: string; name: string; contactCount: number; columns: { key: string; label: string }[] };
  contacts: ContactsTableProps;
  running: ImportReport | null;
}

export function ListPage({ auth, list, contacts, running }: ListPageProps) {
  return (
    <AppShell
      auth={auth}
      active="lists"
      title={list.name}
      crumbs={[{ href: "/lists", label: "Lists" }]}
      action={
        <a href={`/lists/${list.id}/import`} class="rounded bg-sky-700 px-4 py-2 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
          Import CSV
        </a>
      }
    >
      {running ? <ImportBanner report={running} /> : ""}
      <div class="mb-4 flex flex-wrap items-start gap-2">
        <a href={`/lists/${list.id}/export.csv`} class="rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50" download="">
          Export CSV
        </a>
        {/* An open panel takes a row of its own, so its form never runs past a narrow screen. */}
        <details class="open:w-full" data-testid="add-contact">
          <summary class="cursor-pointer list-none rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50">Add contact</summary>
          <div class="mt-2 w-full max-w-xl rounded-lg border border-slate-200 bg-white p-4">
            <AddContactForm listId={list.id} columns={list.columns} />
          </div>
        </details>
        <details class="open:w-full" data-testid="rename-list">
          <summary class="cursor-pointer list-none rounded border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50">Rename</summary>
          <form hx-patch={`/lists/${list.id}`} hx-target="#rename-result" hx-swap="innerHTML" hx-disabled-elt="find button" class="mt-2 w-full max-w-sm rounded-lg border border-slate-200 bg-white p-4">
            <Field name="name" label="List name" value={list.name} required maxlength={LIST_NAME_MAX} />
            <Button>Save name</Button>
            <div id="rename-result" class="mt-3" aria-live="polite"></div>
          </form>
        </details>
        <Button
          kind="danger"
          type="button"
          hx-delete={`/lists/${list.id}`}
          hx-confirm={`Delete the list "${list.name}" and its ${list.contactCount.toLocaleString("en")} memberships? Contacts that are on no other list are deleted with it; contacts on other lists stay.`}
        >
          Delete list
        </Button>
      </div>
      <form
        class="mb-1 flex gap-2"
        action={`/lists/${list.id}`}
        hx-get={`/lists/${list.id}`}
        hx-target="#contacts"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-sync="this:replace"
        hx-trigger="submit, input changed delay:400ms from:#contact-search"
        role="search"
      >
        <label for="contact-search" class="sr-only">
          {contacts.search === "everywhere" ? "Search contacts by address or attribute" : "Search contacts by the start of their address"}
        </label>
        <input
          id="contact-search"
          name="q"
          type="search"
          value={contacts.q}
          placeholder={contacts.search === "everywhere" ? "Address, name, company…" : "Address starts with…"}
          autocomplete="off"
          aria-describedby="contact-search-hint"
          class="w-full max-w-md rounded border border-slate-300 px-3 py-2 text-sm"
        />
        {contacts.sort !== defaultSort(contacts.q, contacts.search) ? <input type="hidden" name="sort" value={contacts.sort} /> : ""}
        <Button kind="secondary">Search</Button>
      </form>
      <p id="contact-search-hint" class="mb-4 text-xs text-slate-500">
        {contacts.search === "everywhere"
          ? "Finds any part of an email address or of an attribute value, e.g. \"anna\", \"@example.com\" or \"Acme\"."
          : "This list is large, so search finds contacts whose email address starts with what you type, e.g. \"anna\" or \"anna@exa\"."}
      </p>
      <ContactsTable {...contacts} />
    </AppShell>
  );
}
