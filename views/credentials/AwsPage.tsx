import type { PropsWithChildren } from "@kitajs/html";
import type { Auth } from "../../src/features/auth/model";
import type { AwsStatus, EventsStatus, Identity } from "../../src/features/credentials/model";
import { SES_REGIONS } from "../../src/aws/regions";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AppShell } from "../layouts/AppShell";

function Section({ title, id, children }: PropsWithChildren<{ title: string; id: string }>) {
  return (
    <section id={id} class="mb-8 rounded-lg border border-slate-200 bg-white p-6" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} class="text-lg font-medium mb-4" safe>
        {title}
      </h2>
      {children}
    </section>
  );
}

/** One labelled value of a panel. */
function Fact({ label, value, class: cls, testid, state }: { label: string; value: string; class?: string; testid?: string; state?: string }) {
  return (
    <div>
      <dt class="text-slate-500" safe>
        {label}
      </dt>
      <dd class={cls} data-testid={testid} data-state={state} safe>
        {value}
      </dd>
    </div>
  );
}

export function ConnectForm({ canSave }: { canSave: boolean }) {
  return (
    <form
      method="post"
      action="/aws/connect"
      hx-post="/aws/connect"
      hx-target="#aws-connect-errors"
      hx-swap="innerHTML"
      hx-disabled-elt="find button"
      data-testid="aws-connect-form"
      autocomplete="off"
    >
      <div id="aws-connect-errors" class="mb-3" aria-live="assertive"></div>
      <div class="grid gap-x-4 sm:grid-cols-2">
        <Field name="accessKeyId" label="Access key ID" required autocomplete="off" maxlength={128} hint="Starts with AKIA: an IAM user's access key." />
        <Field name="secretAccessKey" label="Secret access key" type="password" required autocomplete="new-password" maxlength={128} />
      </div>
      <div class="mb-4">
        <label for="field-region" class="block text-sm font-medium text-slate-700 mb-1">
          Region
        </label>
        <select id="field-region" name="region" required class="block w-full sm:w-80 rounded border border-slate-300 px-3 py-2 text-sm">
          {SES_REGIONS.map((r) => (
            <option value={r.id} selected={r.id === "us-east-1"} safe>
              {`${r.name} — ${r.id}`}
            </option>
          ))}
        </select>
      </div>
      <div class="mb-4 flex items-start gap-2">
        <input id="field-save" type="checkbox" name="save" value="true" class="mt-1" disabled={!canSave} />
        <label for="field-save" class="text-sm">
          <span class="font-medium">Save credentials (encrypted)</span>
          <span class="block text-slate-600">
            Saved keys are encrypted in Sesame's database and let scheduled and background sends run while you are logged out; unsaved keys live only in this
            login session and are gone when you log out.
            {canSave ? "" : " Only a workspace admin can save keys for the workspace."}
          </span>
        </label>
      </div>
      <Button>
        Check and connect
        <span class="htmx-indicator ml-2" aria-hidden="true">
          …
        </span>
      </Button>
    </form>
  );
}

export function AccountPanel({ status, canManage }: { status: AwsStatus; canManage: boolean }) {
  if (!status.connected) return <ConnectForm canSave={canManage} />;
  const account = status.account;
  const used = account && account.max24HourSend > 0 ? Math.min(100, (account.sentLast24Hours / account.max24HourSend) * 100) : 0;
  return (
    <div id="aws-account" data-testid="aws-account">
      <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4">
        <Fact label="Access key" class="font-mono" testid="aws-key" value={status.accessKeyId} />
        <Fact label="Region" value={status.region} />
        <Fact label="Stored" testid="aws-saved" value={status.saved ? "Saved, encrypted, for the workspace" : "This session only"} />
      </dl>
      {status.error ? <Flash kind="error" message={status.error} /> : ""}
      {account ? (
        <>
          <dl class="grid gap-4 sm:grid-cols-4 text-sm mb-4">
            <Fact label="Account" testid="aws-mode" value={account.productionAccess ? "Production" : "Sandbox"} />
            <Fact label="Sending" value={account.sendingEnabled ? "Enabled" : "Paused by AWS"} />
            <Fact label="Enforcement" value={account.enforcementStatus} />
            <Fact label="MaxSendRate" testid="aws-rate" value={`${account.maxSendRate} / second`} />
          </dl>
          <div class="mb-4">
            <div class="flex justify-between text-sm mb-1">
              <span>24-hour quota</span>
              <span data-testid="aws-quota" safe>
                {`${account.sentLast24Hours.toLocaleString("en")} of ${account.max24HourSend.toLocaleString("en")} used`}
              </span>
            </div>
            <progress class="w-full h-3" max="100" value={used.toFixed(1)} aria-label="Share of the 24-hour quota used" safe>
              {`${used.toFixed(0)}%`}
            </progress>
          </div>
          {account.productionAccess ? (
            ""
          ) : (
            <p class="text-sm text-amber-800 bg-amber-50 border border-amber-200 rounded px-3 py-2 mb-4">
              This account is in the SES sandbox: it can only send to verified addresses. Request production access in the AWS console to send to anyone.
            </p>
          )}
        </>
      ) : (
        ""
      )}
      <div class="flex flex-wrap gap-2">
        <Button kind="secondary" type="button" hx-get="/aws/status" hx-target="#aws-account" hx-swap="outerHTML" data-testid="aws-refresh">
          Refresh
        </Button>
        {canManage || !status.saved ? (
          <Button
            kind="danger"
            type="button"
            hx-delete="/aws/connect"
            hx-confirm={status.saved ? "Remove the saved AWS keys? Scheduled and background sends will stop until keys are connected again." : "Forget the keys of this session?"}
          >
            Disconnect
          </Button>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}

export function IdentitiesPanel({ identities, error, canManage }: { identities: Identity[] | null; error?: string; canManage: boolean }) {
  return (
    <div id="aws-identities" data-testid="aws-identities">
      {error ? <Flash kind="error" message={error} /> : ""}
      {identities && identities.length === 0 ? <p class="text-sm text-slate-600 mb-4">No verified identities yet. Add the address or domain you send from.</p> : ""}
      {identities && identities.length > 0 ? (
        <table class="min-w-full text-sm mb-4">
          <thead class="text-left text-slate-600">
            <tr>
              <th class="py-2 pr-4 font-medium">Identity</th>
              <th class="py-2 pr-4 font-medium">Type</th>
              <th class="py-2 pr-4 font-medium">Verification</th>
              <th class="py-2 pr-4 font-medium">DKIM</th>
            </tr>
          </thead>
          <tbody>
            {identities.map((identity) => (
              <>
                <tr class="border-t border-slate-200">
                  <td class="py-2 pr-4 font-mono" safe>
                    {identity.name}
                  </td>
                  <td class="py-2 pr-4">{identity.type === "EMAIL_ADDRESS" ? "Address" : "Domain"}</td>
                  <td class="py-2 pr-4" safe>
                    {identity.verificationStatus}
                  </td>
                  <td class="py-2 pr-4" safe>
                    {identity.dkimStatus ?? "—"}
                  </td>
                </tr>
                {identity.dnsRecords.length > 0 ? (
                  <tr>
                    <td colspan="4" class="pb-3">
                      <p class="text-xs text-slate-600 mb-1">Publish these DNS records to verify the domain and sign its mail (DKIM):</p>
                      <table class="text-xs font-mono">
                        <tbody>
                          {identity.dnsRecords.map((record) => (
                            <tr>
                              <td class="pr-3">{record.type}</td>
                              <td class="pr-3" safe>
                                {record.name}
                              </td>
                              <td safe>{record.value}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </td>
                  </tr>
                ) : (
                  ""
                )}
              </>
            ))}
          </tbody>
        </table>
      ) : (
        ""
      )}
      {canManage && identities ? (
        <form hx-post="/aws/identities" hx-target="#aws-identities" hx-swap="outerHTML" class="flex flex-wrap items-end gap-2" data-testid="aws-identity-form">
          <div class="w-72">
            <Field name="identity" label="Add an address or domain" required hint="SES emails an address a link; a domain needs the DNS records shown." />
          </div>
          <div class="mb-4">
            <Button kind="secondary">Add identity</Button>
          </div>
        </form>
      ) : (
        ""
      )}
    </div>
  );
}

const STATE_TEXT = {
  confirmed: "Confirmed: SES events reach Sesame.",
  pending: "Pending: SNS has sent a confirmation request to Sesame; it is confirmed automatically when it arrives.",
  none: "Not subscribed yet.",
} as const;

export function EventsPanel({ events, canManage, error }: { events: EventsStatus; canManage: boolean; error?: string }) {
  return (
    <div id="aws-events" data-testid="aws-events">
      {error ? <Flash kind="error" message={error} /> : ""}
      <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4">
        <Fact label="Configuration set" class="font-mono break-all" value={events.configurationSet ?? "—"} />
        <Fact label="SNS topic" class="font-mono break-all" value={events.topicArn ?? "—"} />
        <Fact label="Subscription" testid="aws-subscription" state={events.subscription.state} value={STATE_TEXT[events.subscription.state]} />
      </dl>
      <p class="text-sm text-slate-600 mb-4">
        Endpoint: <code safe>{events.subscription.endpoint}</code>
      </p>
      {events.subscription.problem ? (
        <div class="mb-4" data-testid="aws-events-problem">
          <Flash kind="error" message={events.subscription.problem} />
        </div>
      ) : (
        ""
      )}
      {canManage ? (
        <div class="flex flex-wrap items-end gap-6">
          <Button type="button" hx-post="/aws/events/setup" hx-target="#aws-events" hx-swap="outerHTML" hx-disabled-elt="this" data-testid="aws-events-setup">
            {events.topicArn ? "Run the set-up again" : "Set up bounce and complaint tracking"}
          </Button>
          <form hx-put="/aws/events" hx-target="#aws-events" hx-swap="outerHTML" class="flex items-end gap-2">
            <div class="w-96">
              <Field name="topicArn" label="Or use an existing SNS topic" hint="arn:aws:sns:region:account:name" />
            </div>
            <div class="mb-4">
              <Button kind="secondary">Use this topic</Button>
            </div>
          </form>
        </div>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin can set up the event pipeline.</p>
      )}
    </div>
  );
}

export function AwsPage(props: { auth: Auth; status: AwsStatus; events: EventsStatus; policy: string; canManage: boolean; error?: string }) {
  return (
    <AppShell auth={props.auth} active="settings" title="AWS">
      <p class="mb-6 text-sm text-slate-600">
        <a href="/settings" class="underline">
          Settings
        </a>{" "}
        › AWS
      </p>
      <Section title="Connection" id="aws-connection">
        {props.error ? (
          <div class="mb-4">
            <Flash kind="error" message={props.error} />
          </div>
        ) : (
          ""
        )}
        <AccountPanel status={props.status} canManage={props.canManage} />
      </Section>
      {props.status.connected ? (
        <>
          <Section title="Sending identities" id="aws-identities-section">
            <div hx-get="/aws/identities" hx-trigger="load" hx-swap="outerHTML">
              <p class="text-sm text-slate-500">Loading identities from SES…</p>
            </div>
          </Section>
          <Section title="Bounce and complaint tracking" id="aws-events-section">
            <p class="text-sm text-slate-600 mb-4">
              One click creates a configuration set that publishes every SES event (send, delivery, bounce, complaint, reject, delivery delay, rendering failure)
              to an SNS topic, and subscribes Sesame to it. Every send uses this configuration set.
            </p>
            <EventsPanel events={props.events} canManage={props.canManage} />
          </Section>
        </>
      ) : (
        ""
      )}
      <Section title="IAM policy" id="aws-iam">
        <p class="text-sm text-slate-600 mb-3">The least Sesame needs. Create an IAM user with this policy and use its access key above.</p>
        <div x-data="copyable">
          <textarea x-ref="source" readonly rows="16" class="w-full font-mono text-xs rounded border border-slate-300 p-3 bg-slate-50" aria-label="IAM policy JSON" safe>
            {props.policy}
          </textarea>
          <Button kind="secondary" type="button" x-on:click="copy">
            <span x-text="label">Copy policy</span>
          </Button>
        </div>
      </Section>
    </AppShell>
  );
}
