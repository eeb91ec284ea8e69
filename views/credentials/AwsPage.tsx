import type { Auth } from "../../src/features/auth/model";
import type { AwsStatus, EventsStatus } from "../../src/features/credentials/model";
import { SES_REGIONS } from "../../src/aws/regions";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { AwsPageFrame } from "./AwsTabs";
import { accountStatusAdvice, accountStatusWord } from "./labels";
import { Fact, QuotaBar, Section } from "./parts";

/**
 * Where a form's or button's failure is shown. Requests aim their errors here so that a refusal never
 * replaces the panel it came from; on success the route retargets the swap to the whole panel.
 */
export function ErrorSlot({ id }: { id: string }) {
  return <div id={id} class="empty:hidden mb-4" aria-live="assertive"></div>;
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
      <ErrorSlot id="aws-connect-errors" />
      <div class="grid gap-x-4 sm:grid-cols-2">
        <Field name="accessKeyId" label="Access key ID" required autocomplete="off" maxlength={128} hint="Starts with AKIA: an IAM user's access key." />
        <Field name="secretAccessKey" label="Secret access key" type="password" required autocomplete="new-password" maxlength={128} />
      </div>
      <div class="mb-4">
        <label for="field-region" class="block text-sm font-medium text-slate-700 mb-1">
          Region
        </label>
        <select id="field-region" name="region" required aria-describedby="field-region-error" class="block w-full sm:w-80 rounded border border-slate-300 px-3 py-2 text-sm">
          {SES_REGIONS.map((r) => (
            <option value={r.id} selected={r.id === "us-east-1"} safe>
              {`${r.name} — ${r.id}`}
            </option>
          ))}
        </select>
        <p id="field-region-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
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

const perSecond = (n: number) => `${n.toLocaleString("en", { maximumFractionDigits: 2 })} ${n === 1 ? "email" : "emails"} per second`;

/** The connection: the connect form while there are no keys, else the keys in use and the live account. */
export function AccountPanel({ status, canManage, error }: { status: AwsStatus; canManage: boolean; error?: string }) {
  if (!status.connected) {
    return (
      <div id="aws-account">
        {error ? (
          <div class="mb-4">
            <Flash kind="error" message={error} />
          </div>
        ) : (
          ""
        )}
        <ConnectForm canSave={canManage} />
      </div>
    );
  }
  const account = status.account;
  const standing = account ? accountStatusAdvice(account.enforcementStatus) : null;
  return (
    <div id="aws-account" data-testid="aws-account">
      <ErrorSlot id="aws-account-errors" />
      <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4">
        <Fact label="Access key" class="font-mono break-all" testid="aws-key" value={status.accessKeyId} />
        <Fact label="Region" value={status.region} />
        <Fact label="Stored" testid="aws-saved" value={status.saved ? "Saved, encrypted, for the workspace" : "This session only"} />
      </dl>
      {status.error ? (
        <div class="mb-4" data-testid="aws-account-error">
          <Flash kind="error" message={status.error} />
        </div>
      ) : (
        ""
      )}
      {account ? (
        <>
          <dl class="grid gap-4 grid-cols-2 lg:grid-cols-4 text-sm mb-4">
            <Fact label="Access" testid="aws-mode" hint="ProductionAccessEnabled" value={account.productionAccess ? "Production access" : "Sandbox"} />
            <Fact label="Sending" testid="aws-sending" hint="SendingEnabled" value={account.sendingEnabled ? "Enabled" : "Paused"} />
            <Fact label="Account status" testid="aws-standing" hint={`EnforcementStatus: ${account.enforcementStatus}`} value={accountStatusWord(account.enforcementStatus).label} />
            <Fact label="Sending limit" testid="aws-rate" hint="MaxSendRate" value={perSecond(account.maxSendRate)} />
          </dl>
          <div class="mb-4 text-sm">
            <div class="flex flex-wrap justify-between gap-x-4 mb-1">
              <span>
                Sending quota (24 h){" "}
                <span class="text-xs text-slate-400 font-mono" data-hint>
                  Max24HourSend
                </span>
              </span>
              <span data-testid="aws-quota" safe>
                {`${account.sentLast24Hours.toLocaleString("en")} of ${account.max24HourSend.toLocaleString("en")} used`}
              </span>
            </div>
            <QuotaBar used={account.sentLast24Hours} max={account.max24HourSend} />
          </div>
          {standing ? (
            <div class="mb-4">
              <Flash kind="error" message={standing} />
            </div>
          ) : (
            ""
          )}
          {account.productionAccess ? (
            ""
          ) : (
            <p class="text-sm text-amber-800 bg-amber-50 border border-amber-200 rounded px-3 py-2 mb-4" data-testid="aws-sandbox-notice">
              This account is in the SES sandbox: it can only send to verified addresses, at most 200 messages a day and 1 per second.{" "}
              <a href="/settings/aws/account#aws-production-access-section" class="underline font-medium">
                Request production access
              </a>{" "}
              on the Account page to send to anyone.
            </p>
          )}
        </>
      ) : (
        ""
      )}
      <div class="flex flex-wrap items-center gap-2">
        <Button
          kind="secondary"
          type="button"
          hx-get="/aws/status"
          hx-target="#aws-account"
          hx-swap="outerHTML"
          hx-disabled-elt="this"
          data-testid="aws-refresh"
        >
          Refresh
        </Button>
        {canManage || !status.saved ? (
          <Button
            kind="danger"
            type="button"
            hx-delete="/aws/connect"
            hx-target="#aws-account-errors"
            hx-swap="innerHTML"
            hx-confirm={status.saved ? "Remove the saved AWS keys? Scheduled and background sends will stop until keys are connected again." : "Forget the keys of this session?"}
          >
            Disconnect
          </Button>
        ) : (
          ""
        )}
        {account ? (
          <a href="/settings/aws/account" class="text-sm text-sky-700 underline" data-testid="aws-account-link">
            Account details, regions and history
          </a>
        ) : (
          ""
        )}
      </div>
    </div>
  );
}

const STATE_TEXT = {
  confirmed: "Confirmed: SES events reach Sesame.",
  pending: "Pending: SNS has sent a confirmation request to Sesame; it is confirmed automatically when it arrives.",
  none: "Not subscribed yet.",
} as const;

export function EventsPanel({ events, canManage }: { events: EventsStatus; canManage: boolean }) {
  return (
    <div id="aws-events" data-testid="aws-events">
      <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4">
        <Fact label="Configuration set" class="font-mono break-all" value={events.configurationSet ?? "—"} />
        <Fact label="SNS topic" class="font-mono break-all" value={events.topicArn ?? "—"} />
        <Fact label="Subscription" testid="aws-subscription" state={events.subscription.state} value={STATE_TEXT[events.subscription.state]} />
      </dl>
      <p class="text-sm text-slate-600 mb-4">
        Endpoint:{" "}
        <code class="break-all" safe>
          {events.subscription.endpoint}
        </code>
      </p>
      {events.subscription.problem ? (
        <div class="mb-4" data-testid="aws-events-problem">
          <Flash kind="error" message={events.subscription.problem} />
        </div>
      ) : (
        ""
      )}
      {canManage ? (
        <>
          <ErrorSlot id="aws-events-errors" />
          <div class="flex flex-wrap items-end gap-x-6 gap-y-4">
            <div class="mb-4">
              <Button
                type="button"
                hx-post="/aws/events/setup"
                hx-target="#aws-events-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                data-testid="aws-events-setup"
              >
                {events.topicArn ? "Run the set-up again" : "Set up bounce and complaint tracking"}
              </Button>
            </div>
            <form
              hx-put="/aws/events"
              hx-target="#aws-events-errors"
              hx-swap="innerHTML"
              hx-disabled-elt="find button"
              class="flex w-full flex-wrap items-end gap-x-2 sm:w-auto"
              data-testid="aws-topic-form"
            >
              <div class="w-full sm:w-96">
                <Field name="topicArn" label="Or use an existing SNS topic" hint="arn:aws:sns:region:account:name" />
              </div>
              <div class="mb-4">
                <Button kind="secondary">Use this topic</Button>
              </div>
            </form>
          </div>
        </>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin can set up the event pipeline.</p>
      )}
    </div>
  );
}

export function AwsPage(props: { auth: Auth; status: AwsStatus; events: EventsStatus; policy: string; canManage: boolean; error?: string }) {
  return (
    <AwsPageFrame auth={props.auth} active="connection" title="AWS">
      <Section title="Connection" id="aws-connection">
        <AccountPanel status={props.status} canManage={props.canManage} error={props.error} />
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
          <Section title="Attachments bucket" id="aws-s3-section">
            <div hx-get="/aws/s3" hx-trigger="load" hx-swap="outerHTML">
              <p class="text-sm text-slate-500">Loading the bucket setting…</p>
            </div>
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
    </AwsPageFrame>
  );
}
