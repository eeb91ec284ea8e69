import type { Auth } from "../../src/features/auth/model";
import { hasWorkspaceRole } from "../../src/features/auth/model";
import { KEY_NAME_MAX, type KeyView } from "../../src/features/api-keys/model";
import { userTimeZone } from "../../src/features/auth/service";
import { Button } from "../components/Button";
import { EmptyState } from "../components/EmptyState";
import { Field } from "../components/Field";
import { Table } from "../components/Table";
import { ZonedTime } from "../campaigns/parts";
import { AppShell } from "../layouts/AppShell";

const SCOPE_WORDS = { send: "Send mail", full: "Full access" } as const;
const ROLE_WORDS = { admin: "as an admin", member: "as a member" } as const;

export function ApiKeysPage({ auth, keys }: { auth: Auth; keys: KeyView[] }) {
  const canAdmin = hasWorkspaceRole(auth.workspaceRole, "admin");
  return (
    <AppShell auth={auth} active="settings" title="API keys" crumbs={[{ href: "/settings", label: "Settings" }]}>
      <p class="mb-6 max-w-prose text-sm text-slate-600">
        Scripts and servers call Sesame's API with a key in the <code>Authorization: Bearer …</code> header, as the{" "}
        <a class="text-sky-700 underline" href="/docs">
          API documentation
        </a>{" "}
        shows. A key works only on the API, never on these pages, and stops working the moment it is revoked.
        {canAdmin ? " You see every key of this workspace." : " You see the keys you made."}
      </p>
      <section class="mb-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="new-key-heading">
        <h2 id="new-key-heading" class="mb-4 font-medium">
          New key
        </h2>
        <form hx-post="/api-keys" hx-target="#new-key" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="new-key-form">
          <Field name="name" label="Name" required maxlength={KEY_NAME_MAX} hint="What will use it, e.g. “Billing server”." />
          <fieldset class="mb-4">
            <legend class="mb-1 block text-sm font-medium text-slate-700">What it may do</legend>
            <label class="flex items-start gap-2 text-sm">
              <input type="radio" name="scope" value="send" checked class="mt-1" />
              <span>
                <strong>Send mail</strong> — send single, bulk and templated mail and read how it went. Best for applications.
              </span>
            </label>
            <label class="mt-1 flex items-start gap-2 text-sm">
              <input type="radio" name="scope" value="full" class="mt-1" />
              <span>
                <strong>Full access</strong> — the whole API: lists, templates, campaigns, events and analytics.
              </span>
            </label>
          </fieldset>
          {canAdmin ? (
            <div class="mb-4">
              <label for="field-role" class="mb-1 block text-sm font-medium text-slate-700">
                Acts as
              </label>
              <select id="field-role" name="role" class="block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm">
                <option value="member">A member (lists, templates, campaigns)</option>
                <option value="admin">An admin (also AWS settings and members)</option>
              </select>
              <p class="mt-1 text-xs text-slate-500">Limits follow this role unless the instance administrator gives the key its own.</p>
            </div>
          ) : (
            <input type="hidden" name="role" value="member" />
          )}
          <Button>Create key</Button>
        </form>
        <div id="new-key" class="mt-4" aria-live="polite"></div>
      </section>
      <div id="keys" hx-get="/api-keys/table" hx-trigger="keys-changed from:body" hx-swap="innerHTML">
        <KeysTable auth={auth} keys={keys} />
      </div>
    </AppShell>
  );
}

/** The key, shown this one time, to copy. */
export function NewKey({ name, secret }: { name: string; secret: string }) {
  return (
    <div class="rounded border border-emerald-300 bg-emerald-50 p-4 text-sm" x-data="copyable" data-testid="new-key">
      <p class="mb-2 font-medium" safe>{`Key “${name}” created. Copy it now: it is not shown again.`}</p>
      <div class="flex flex-col gap-2 sm:flex-row">
        <input
          x-ref="source"
          readonly
          value={secret}
          aria-label="The new API key"
          class="block w-full min-w-0 rounded border border-slate-300 bg-white px-3 py-2 font-mono text-xs"
          data-testid="new-key-value"
        />
        <Button kind="secondary" type="button" x-on:click="copy">
          <span x-show="!copied">Copy key</span>
          <span x-show="copied">Copied</span>
        </Button>
      </div>
    </div>
  );
}

export function KeysTable({ auth, keys }: { auth: Auth; keys: KeyView[] }) {
  if (keys.length === 0) {
    return (
      <EmptyState title="No API keys yet">
        <p>Create a key above to send mail from your own application or script.</p>
      </EmptyState>
    );
  }
  const zone = userTimeZone(auth);
  return (
    <Table headers={["Name", "Key", "Access", "Made by", "Created", "Last used", ""]} testid="keys-table">
      {keys.map((key) => (
        <KeyRow item={key} zone={zone} />
      ))}
    </Table>
  );
}

export function KeyRow({ item: key, zone }: { item: KeyView; zone: string }) {
  return (
    <tr id={`key-${key.id}`} class="border-t border-slate-100" data-testid="key-row">
      <td class="px-4 py-2 font-medium" safe>
        {key.name}
      </td>
      <td class="px-4 py-2 font-mono text-xs" safe>
        {key.shown}
      </td>
      <td class="px-4 py-2 whitespace-nowrap" safe>{`${SCOPE_WORDS[key.scope]}, ${ROLE_WORDS[key.role]}`}</td>
      <td class="px-4 py-2" safe>
        {key.createdByEmail ?? "someone who left"}
      </td>
      <td class="px-4 py-2">
        <ZonedTime at={key.createdAt} zone={zone} />
      </td>
      <td class="px-4 py-2">{key.lastUsedAt ? <ZonedTime at={key.lastUsedAt} zone={zone} /> : "Never"}</td>
      <td class="px-4 py-2 text-right">
        {key.revokedAt ? (
          <span class="whitespace-nowrap text-slate-500">
            Revoked <ZonedTime at={key.revokedAt} zone={zone} />
          </span>
        ) : (
          <Button
            kind="danger"
            type="button"
            hx-delete={`/api-keys/${key.id}`}
            hx-target={`#key-${key.id}`}
            hx-swap="outerHTML"
            hx-confirm={`Revoke the key “${key.name}”? Anything still using it is refused from the next request on; this cannot be undone.`}
          >
            Revoke
          </Button>
        )}
      </td>
    </tr>
  );
}
