import type { Auth } from "../../src/features/auth/model";
import type { ContactView } from "../../src/features/contacts/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { AppShell } from "../layouts/AppShell";
import { ContactStatus } from "./parts";

/** One contact: its status and its attributes, editable; a blank value removes that attribute. */
export function ContactPage({ auth, contact, list }: { auth: Auth; contact: ContactView; list: { id: string; name: string; columns: { key: string; label: string }[] } | null }) {
  const labels = new Map((list?.columns ?? []).map((c) => [c.key, c.label]));
  const keys = [...new Set([...(list?.columns ?? []).map((c) => c.key), ...Object.keys(contact.attributes)])];
  return (
    <AppShell
      auth={auth}
      active="lists"
      title={contact.email}
      crumbs={list ? [{ href: "/lists", label: "Lists" }, { href: `/lists/${list.id}`, label: list.name }] : [{ href: "/lists", label: "Lists" }]}
    >
      <section class="max-w-2xl rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
        <p class="mb-4 text-sm">
          Status: <ContactStatus status={contact.status} />
        </p>
        <form hx-patch={`/contacts/${contact.id}`} hx-target="#contact-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="contact-form" class="grid gap-x-4 sm:grid-cols-2">
          {list ? <input type="hidden" name="listId" value={list.id} /> : ""}
          {keys.map((key) => (
            <Field name={`attr_${key}`} label={labels.get(key) ?? key} value={contact.attributes[key] ?? ""} maxlength={2000} hint={`Variable {{${key}}}`} />
          ))}
          <Field name="new_name" label="New attribute (name)" maxlength={64} hint="Optional, e.g. City" />
          <Field name="new_value" label="New attribute (value)" maxlength={2000} />
          <div class="sm:col-span-2">
            <p class="mb-3 text-xs text-slate-500">Leave a value blank to remove that attribute from this contact. The address itself cannot change: add the new address as a contact instead.</p>
            <Button>Save attributes</Button>
            <div id="contact-result" class="mt-3" aria-live="polite"></div>
          </div>
        </form>
      </section>
    </AppShell>
  );
}
