import { SIGNUP_MODE_LABELS, SIGNUP_MODES, type SignupMode } from "../../src/features/admin/model";
import type { Auth } from "../../src/features/auth/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { AdminFrame, Card } from "./parts";

export interface SystemMailChoice {
  id: string;
  name: string;
  region: string;
  senders: string[];
}

export interface InstanceSettingsProps {
  auth: Auth;
  signup: SignupMode;
  systemMail: { workspaceId: string; workspaceName: string | null; from: string } | null;
  choices: SystemMailChoice[];
}

/** Sign-up mode and the system mail connection (how reset links reach people). */
export function InstanceSettingsPage(props: InstanceSettingsProps) {
  return (
    <AdminFrame auth={props.auth} active="settings" title="Sign-up and mail">
      <SignupCard mode={props.signup} />
      <SystemMailCard systemMail={props.systemMail} choices={props.choices} />
    </AdminFrame>
  );
}

function SignupCard({ mode }: { mode: SignupMode }) {
  return (
    <Card title="Who can sign up" id="signup" intro="Who may create a new account on this Sesame. People who already have one can always log in.">
      <form hx-put="/admin/signup" hx-target="#signup-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="signup-mode-form">
        <fieldset class="mb-4">
          <legend class="sr-only">Sign-up mode</legend>
          {SIGNUP_MODES.map((value) => (
            <label class="mb-2 flex items-start gap-3 rounded border border-slate-200 p-3 hover:border-sky-400">
              <input type="radio" name="mode" value={value} checked={value === mode} class="mt-1" />
              <span>
                <span class="block text-sm font-medium" safe>
                  {SIGNUP_MODE_LABELS[value].label}
                </span>
                <span class="block text-sm text-slate-600" safe>
                  {SIGNUP_MODE_LABELS[value].text}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <Button>Save sign-up mode</Button>
        <div id="signup-result" class="mt-4" aria-live="polite"></div>
      </form>
    </Card>
  );
}

function SystemMailCard({ systemMail, choices }: Pick<InstanceSettingsProps, "systemMail" | "choices">) {
  const usable = choices.filter((c) => c.senders.length > 0);
  return (
    <Card
      title="System mail"
      id="system-mail"
      intro="Sesame mails password reset links through one workspace's saved AWS keys and one of its verified senders. Without it, people who forget their password ask you for a reset link (Users page)."
    >
      <div class="mb-4" data-testid="system-mail-state">
        {systemMail ? (
          <Flash kind="info" message={`Reset links are mailed from ${systemMail.from} through ${systemMail.workspaceName ?? "a workspace that no longer exists"}.`} />
        ) : (
          <Flash kind="info" message="Not set up: reset links are not mailed. People who forget their password are told to ask an administrator." />
        )}
      </div>
      {usable.length === 0 ? (
        <p class="text-sm text-slate-600">
          No workspace has saved AWS keys with a verified sender yet. Save keys and verify an address or a domain in a workspace (Settings → AWS), then come back.
        </p>
      ) : (
        <form hx-put="/admin/system-mail" hx-target="#system-mail-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="system-mail-form">
          <div class="mb-4">
            <label for="field-sender" class="mb-1 block text-sm font-medium text-slate-700">
              Send from
            </label>
            <select
              id="field-sender"
              name="sender"
              required
              aria-describedby="field-sender-hint field-sender-error"
              class="block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
            >
              {usable.map((w) => (
                <optgroup label={`${w.name} (${w.region})`}>
                  {w.senders.map((sender) => (
                    <option value={`${w.id}|${sender}`} selected={systemMail?.workspaceId === w.id && systemMail.from.toLowerCase() === sender} safe>
                      {sender}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            <p id="field-sender-hint" class="mt-1 text-xs text-slate-500">
              Verified senders of workspaces with saved AWS keys, grouped by workspace. The mail counts against that workspace's SES quota.
            </p>
            <p id="field-sender-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
          </div>
          <div class="flex flex-wrap gap-2">
            <Button>Save system mail</Button>
            {systemMail ? (
              <>
                <Button type="button" kind="secondary" hx-post="/admin/system-mail/test" hx-target="#system-mail-result" hx-swap="innerHTML" hx-disabled-elt="this">
                  Send me a test mail
                </Button>
                <Button
                  type="button"
                  kind="danger"
                  hx-delete="/admin/system-mail"
                  hx-target="#system-mail-result"
                  hx-swap="innerHTML"
                  hx-confirm="Stop mailing reset links? People who forget their password will have to ask an administrator."
                >
                  Turn off
                </Button>
              </>
            ) : (
              ""
            )}
          </div>
          <div id="system-mail-result" class="mt-4" aria-live="polite"></div>
        </form>
      )}
    </Card>
  );
}
