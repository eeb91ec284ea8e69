import type { Auth, WorkspaceRole } from "../../src/features/auth/model";
import type { Limit, LimitSettings } from "../../src/features/limits/settings";
import { Button } from "../components/Button";
import { EmptyState } from "../components/EmptyState";
import { count } from "../components/format";
import { Table } from "../components/Table";
import { LocalTime } from "../lists/parts";
import { AdminFrame, Card } from "./parts";

const ROLES: { role: WorkspaceRole; label: string }[] = [
  { role: "owner", label: "Owners" },
  { role: "admin", label: "Admins" },
  { role: "member", label: "Members" },
];

export interface InstanceKey {
  id: string;
  name: string;
  scope: "send" | "full";
  role: "admin" | "member";
  prefix: string;
  workspaceName: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  requestsPerMinute: number | null;
  mailsPerDay: number | null;
}

const limitText = (n: number | null) => (n === null ? "no limit" : count(n));
const INPUT = "block w-full rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500";

/** A number field where blank means "none": no limit for a role, the role's limit for a key. */
function LimitInput({ id, name, label, value, placeholder, describedBy }: { id: string; name: string; label: string; value: number | null; placeholder: string; describedBy?: string }) {
  return (
    <div class="min-w-0">
      <label for={id} class="mb-1 block text-sm font-medium text-slate-700" safe>
        {label}
      </label>
      <input id={id} name={name} type="number" min="1" step="1" inputmode="numeric" value={value === null ? "" : String(value)} placeholder={placeholder} aria-describedby={describedBy} class={INPUT} />
    </div>
  );
}

export function LimitsPage({ auth, settings, keys }: { auth: Auth; settings: LimitSettings; keys: InstanceKey[] }) {
  return (
    <AdminFrame auth={auth} active="limits" title="API limits">
      <Card
        title="Limits per workspace role"
        id="role-limits"
        intro="What an API key may do, by the role it acts with in its workspace: requests per minute and mails per day. Leave a field empty for no limit. Past a limit, the API answers 429 and says when to try again."
      >
        <form hx-put="/admin/limits" hx-target="#role-limits-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="role-limits-form">
          <div class="grid gap-4">
            {ROLES.map(({ role, label }) => (
              <fieldset class="grid gap-3 sm:grid-cols-[8rem_1fr_1fr] sm:items-end">
                <legend class="sr-only" safe>
                  {label}
                </legend>
                <p class="text-sm font-medium sm:pb-2" aria-hidden="true" safe>
                  {label}
                </p>
                <div>
                  <LimitInput
                    id={`field-${role}.requestsPerMinute`}
                    name={`${role}.requestsPerMinute`}
                    label={`${label}: requests per minute`}
                    value={settings.roles[role].requestsPerMinute}
                    placeholder="no limit"
                    describedBy={`field-${role}.requestsPerMinute-error`}
                  />
                  <p id={`field-${role}.requestsPerMinute-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
                </div>
                <div>
                  <LimitInput
                    id={`field-${role}.mailsPerDay`}
                    name={`${role}.mailsPerDay`}
                    label={`${label}: mails per day`}
                    value={settings.roles[role].mailsPerDay}
                    placeholder="no limit"
                    describedBy={`field-${role}.mailsPerDay-error`}
                  />
                  <p id={`field-${role}.mailsPerDay-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
                </div>
              </fieldset>
            ))}
          </div>
          <div class="mt-4">
            <Button>Save role limits</Button>
          </div>
          <div id="role-limits-result" class="mt-4" aria-live="polite"></div>
        </form>
      </Card>
      <Card title="Limits of single API keys" id="key-limits" intro="A key's own limits replace its role's. Leave a field empty to use the role's limit.">
        {keys.length === 0 ? (
          <EmptyState title="No API keys yet">Keys appear here once someone creates one in a workspace (Settings → API keys).</EmptyState>
        ) : (
          <Table headers={["Key", "Workspace", "Role", "Last used", "Own limits"]} testid="key-limits">
            {keys.map((key) => (
              <KeyLimitRow keyRow={key} role={settings.roles[key.role]} />
            ))}
          </Table>
        )}
      </Card>
    </AdminFrame>
  );
}

/** One key with its own limits; saving swaps the result slot of this row only. */
export function KeyLimitRow({ keyRow, role }: { keyRow: InstanceKey; role: Limit }) {
  const formId = `key-${keyRow.id}`;
  return (
    <tr class="border-t border-slate-200 align-top" id={`key-row-${keyRow.id}`}>
      <td class="px-4 py-2">
        <span class="block font-medium" safe>
          {keyRow.name}
        </span>
        <span class="block font-mono text-xs text-slate-500" safe>{`${keyRow.prefix}… · ${keyRow.scope === "send" ? "send only" : "full access"}`}</span>
        {keyRow.revokedAt ? <span class="block text-xs text-red-700">revoked</span> : ""}
      </td>
      <td class="px-4 py-2" safe>
        {keyRow.workspaceName}
      </td>
      <td class="px-4 py-2">{keyRow.role === "admin" ? "Admin" : "Member"}</td>
      <td class="px-4 py-2 text-slate-500">{keyRow.lastUsedAt ? <LocalTime at={keyRow.lastUsedAt} withTime /> : "never"}</td>
      <td class="px-4 py-2">
        <form id={formId} hx-patch={`/admin/api-keys/${keyRow.id}`} hx-target={`#${formId}-result`} hx-swap="innerHTML" hx-disabled-elt="find button" class="grid min-w-[16rem] gap-2 sm:grid-cols-[1fr_1fr_auto] sm:items-end">
          <LimitInput id={`${formId}-rpm`} name="requestsPerMinute" label="Requests per minute" value={keyRow.requestsPerMinute} placeholder={`role: ${limitText(role.requestsPerMinute)}`} />
          <LimitInput id={`${formId}-mpd`} name="mailsPerDay" label="Mails per day" value={keyRow.mailsPerDay} placeholder={`role: ${limitText(role.mailsPerDay)}`} />
          <Button kind="secondary" aria-label={`Save the limits of ${keyRow.name}`}>
            Save
          </Button>
        </form>
        <div id={`${formId}-result`} class="mt-2" aria-live="polite"></div>
      </td>
    </tr>
  );
}
