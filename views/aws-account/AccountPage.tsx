import type { RegionQuota } from "../../src/aws/account";
import type { AccountStatus } from "../../src/aws/ses";
import type { Auth } from "../../src/features/auth/model";
import { EXTRA_CONTACTS_MAX, USE_CASE_MAX, USE_CASE_MIN, type ConfigurationSetState } from "../../src/features/aws-account/model";
import type { AccountOverview, RegionsOverview } from "../../src/features/aws-account/service";
import { SES_REGIONS } from "../../src/aws/regions";
import { ZonedTime } from "../campaigns/parts";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { Table } from "../components/Table";
import { ErrorSlot } from "../credentials/AwsPage";
import { AwsPageFrame, AwsUnavailable } from "../credentials/AwsTabs";
import { accountStatusAdvice, accountStatusWord } from "../credentials/labels";
import { Fact, QuotaBar, Section, Status } from "../credentials/parts";
import { changeLines, configurationSetMissing, inSentence, reviewAdvice, reviewWord } from "./labels";
import { count } from "../components/format";

const perSecond = (n: number) => `${n.toLocaleString("en", { maximumFractionDigits: 2 })} per second`;
const regionName = (id: string) => SES_REGIONS.find((r) => r.id === id)?.name ?? id;

/** Sandbox or production, the account's status with advice, and the limits. */
function StandingPanel({ overview }: { overview: AccountOverview }) {
  const { account } = overview;
  const advice = accountStatusAdvice(account.enforcementStatus);
  return (
    <div data-testid="aws-standing">
      <dl class="grid gap-4 grid-cols-2 lg:grid-cols-4 text-sm mb-4">
        <Fact label="Region" value={`${regionName(overview.region)} — ${overview.region}`} />
        <Fact label="Access" testid="aws-mode" hint="ProductionAccessEnabled" value={account.productionAccess ? "Production access" : "Sandbox"} />
        <div class="min-w-0">
          <dt class="text-slate-500">Account status</dt>
          <dd data-testid="aws-enforcement">
            <Status word={accountStatusWord(account.enforcementStatus)} value={account.enforcementStatus} api="EnforcementStatus" />
          </dd>
        </div>
        <Fact label="Sending" testid="aws-sending-state" hint="SendingEnabled" value={account.sendingEnabled ? "On" : "Paused"} />
      </dl>
      {advice ? (
        <div class="mb-4" data-testid="aws-enforcement-advice">
          <Flash kind="error" message={advice} />
        </div>
      ) : (
        ""
      )}
      {account.productionAccess ? (
        <p class="text-sm text-slate-600 mb-4" data-testid="aws-mode-meaning">
          With production access SES delivers to any address, within the sending limit and the 24-hour quota below. AWS raises them as you send more, on
          request in the AWS console.
        </p>
      ) : (
        <p class="text-sm text-amber-800 bg-amber-50 border border-amber-200 rounded px-3 py-2 mb-4" data-testid="aws-mode-meaning">
          This account is in the SES sandbox in this region: SES delivers only to addresses and domains verified as identities (and to its mailbox simulator),
          at most 200 messages in 24 hours and 1 per second. Campaigns to anyone else are refused. Request production access below to send to your lists.
        </p>
      )}
      <dl class="grid gap-4 grid-cols-2 text-sm mb-2">
        <Fact label="Sending limit" testid="aws-rate" hint="MaxSendRate" value={perSecond(account.maxSendRate)} />
        <Fact label="24-hour quota" testid="aws-quota" hint="Max24HourSend" value={`${count(account.sentLast24Hours)} of ${count(account.max24HourSend)} used`} />
      </dl>
      <QuotaBar used={account.sentLast24Hours} max={account.max24HourSend} />
    </div>
  );
}

function RadioGroup({ name, legend, options, hint }: { name: string; legend: string; options: { value: string; label: string; hint: string }[]; hint?: string }) {
  return (
    <fieldset class="mb-4" aria-describedby={`field-${name}-error`}>
      <legend class="block text-sm font-medium text-slate-700 mb-1" safe>
        {legend}
      </legend>
      {options.map((o, i) => (
        <label class="flex items-start gap-2 text-sm mb-1">
          <input type="radio" name={name} value={o.value} required checked={i === 0} id={i === 0 ? `field-${name}` : undefined} class="mt-1" />
          <span>
            <span class="font-medium" safe>
              {o.label}
            </span>{" "}
            <span class="text-slate-600" safe>
              {o.hint}
            </span>
          </span>
        </label>
      ))}
      {hint ? (
        <p class="mt-1 text-xs text-slate-500" safe>
          {hint}
        </p>
      ) : (
        ""
      )}
      <p id={`field-${name}-error`} class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
    </fieldset>
  );
}

/** The request SES asks for to leave the sandbox (PutAccountDetails), or where that request stands. */
function ProductionAccessPanel({ account, canManage }: { account: AccountStatus; canManage: boolean }) {
  const details = account.details;
  const review = details?.reviewStatus ?? null;
  return (
    <div data-testid="aws-production-access">
      {account.productionAccess ? (
        <p class="text-sm text-emerald-800 mb-4" data-testid="aws-production-granted">
          This account has production access in this region: SES delivers to any address.
        </p>
      ) : (
        ""
      )}
      {review ? (
        <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4" data-testid="aws-review">
          <div class="min-w-0">
            <dt class="text-slate-500">Request</dt>
            <dd data-testid="aws-review-status">
              <Status word={reviewWord(review)} value={review} api="ReviewDetails.Status" />
            </dd>
          </div>
          <Fact label="AWS support case" class="font-mono break-all" testid="aws-review-case" hint="ReviewDetails.CaseId" value={details?.reviewCaseId ?? "—"} />
          <Fact label="Mail type" value={details?.mailType === "TRANSACTIONAL" ? "Transactional" : details?.mailType === "MARKETING" ? "Marketing" : "—"} />
        </dl>
      ) : (
        ""
      )}
      {review && reviewAdvice(review) && !account.productionAccess ? <p class="text-sm text-slate-600 mb-4" safe>{reviewAdvice(review)}</p> : ""}
      {account.productionAccess || review === "PENDING" ? (
        ""
      ) : canManage ? (
        <form
          hx-post="/aws/production-access"
          hx-target="#aws-production-access-errors"
          hx-swap="innerHTML"
          hx-disabled-elt="find button"
          data-testid="aws-production-access-form"
          class="max-w-2xl"
        >
          <ErrorSlot id="aws-production-access-errors" />
          <p class="text-sm text-slate-600 mb-4">
            AWS reviews every request by hand, as a support case. Say plainly who you mail and why they expect it: vague requests are denied.
          </p>
          <RadioGroup
            name="mailType"
            legend="Kind of mail"
            options={[
              { value: "MARKETING", label: "Marketing", hint: "newsletters, announcements, offers to people who subscribed." },
              { value: "TRANSACTIONAL", label: "Transactional", hint: "receipts, password resets, notifications a person triggers." },
            ]}
          />
          <Field name="websiteUrl" label="Website" type="url" required maxlength={1000} hint="https://… — where AWS can see who you are and how people sign up." />
          <div class="mb-4">
            <label for="field-useCaseDescription" class="block text-sm font-medium text-slate-700 mb-1">
              Use case
            </label>
            <textarea
              id="field-useCaseDescription"
              name="useCaseDescription"
              required
              minlength={USE_CASE_MIN}
              maxlength={USE_CASE_MAX}
              rows="6"
              aria-describedby="field-useCaseDescription-hint field-useCaseDescription-error"
              class="block w-full rounded border border-slate-300 px-3 py-2 text-sm"
            ></textarea>
            <p id="field-useCaseDescription-hint" class="mt-1 text-xs text-slate-500">
              Who your recipients are and how they opted in, how often you send and how much, and how you handle bounces, complaints and unsubscribes (Sesame
              suppresses them automatically).
            </p>
            <p id="field-useCaseDescription-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
          </div>
          <div class="mb-4">
            <label for="field-contactLanguage" class="block text-sm font-medium text-slate-700 mb-1">
              Language AWS answers in
            </label>
            <select
              id="field-contactLanguage"
              name="contactLanguage"
              aria-describedby="field-contactLanguage-error"
              class="block w-full sm:w-60 rounded border border-slate-300 px-3 py-2 text-sm"
            >
              <option value="EN" selected>
                English
              </option>
              <option value="JA">Japanese</option>
            </select>
            <p id="field-contactLanguage-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
          </div>
          <Field
            name="additionalContactEmails"
            label="Other people AWS should write to (optional)"
            maxlength={1400}
            hint={`Up to ${EXTRA_CONTACTS_MAX} addresses, separated by commas. AWS always writes to the account's own contacts.`}
          />
          <Button>Request production access</Button>
        </form>
      ) : (
        <p class="text-sm text-slate-600">A workspace admin can request production access.</p>
      )}
    </div>
  );
}

function setLine(set: ConfigurationSetState): string {
  switch (set.status) {
    case "not_set_up":
      return "This workspace has no configuration set yet: it is created by the bounce and complaint tracking set-up on the Connection page.";
    case "missing":
      return configurationSetMissing(set.name);
    case "error":
      return set.error;
    case "ready":
      return set.sendingEnabled ? "On: SES sends the workspace's mail." : "Paused: SES refuses every message Sesame sends through it.";
  }
}

/** Pausing and resuming sending: for the whole account in this region, and for the workspace's configuration set. */
function SendingPanel({ overview, canManage }: { overview: AccountOverview; canManage: boolean }) {
  const { account, configurationSet: set } = overview;
  const region = regionName(overview.region);
  return (
    <div data-testid="aws-sending-controls">
      <ErrorSlot id="aws-sending-errors" />
      <div class="grid gap-6 md:grid-cols-2">
        <div class="min-w-0">
          <h3 class="font-medium text-sm mb-1" safe>
            {`The AWS account in ${region}`}
          </h3>
          <p class="text-sm text-slate-600 mb-3" data-testid="aws-account-sending">
            {account.sendingEnabled ? "On." : "Paused: SES refuses every message sent with this account in this region, from Sesame or anything else."}{" "}
            <span class="text-xs text-slate-400 font-mono">PutAccountSendingAttributes</span>
          </p>
          {canManage ? (
            account.sendingEnabled ? (
              <Button
                kind="danger"
                type="button"
                hx-put="/aws/account/sending"
                hx-vals={JSON.stringify({ enabled: false })}
                hx-target="#aws-sending-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm={`Pause sending for the whole AWS account in ${region}? SES will refuse every message sent with it — from Sesame and from anything else using this account — and running campaigns will pause until sending is turned on again.`}
                data-testid="aws-account-pause"
              >
                Pause account sending
              </Button>
            ) : (
              <Button
                type="button"
                hx-put="/aws/account/sending"
                hx-vals={JSON.stringify({ enabled: true })}
                hx-target="#aws-sending-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm={`Turn sending back on for the AWS account in ${region}? Paused campaigns stay paused until you resume them.`}
                data-testid="aws-account-resume"
              >
                Turn account sending on
              </Button>
            )
          ) : (
            ""
          )}
        </div>
        <div class="min-w-0">
          <h3 class="font-medium text-sm mb-1">
            The workspace's configuration set {set.status === "not_set_up" ? "" : <span class="font-mono break-all" safe>{set.name}</span>}
          </h3>
          <p class="text-sm text-slate-600 mb-3" data-testid="aws-set-sending" data-state={set.status === "ready" ? String(set.sendingEnabled) : set.status} safe>
            {setLine(set)}
          </p>
          {canManage && set.status === "ready" ? (
            set.sendingEnabled ? (
              <Button
                kind="danger"
                type="button"
                hx-put="/aws/configuration-set/sending"
                hx-vals={JSON.stringify({ enabled: false })}
                hx-target="#aws-sending-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm={`Pause sending for the configuration set ${set.name}? SES will refuse every message this workspace sends, and its running campaigns will pause until sending is turned on again.`}
                data-testid="aws-set-pause"
              >
                Pause this workspace's sending
              </Button>
            ) : (
              <Button
                type="button"
                hx-put="/aws/configuration-set/sending"
                hx-vals={JSON.stringify({ enabled: true })}
                hx-target="#aws-sending-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm={`Turn sending back on for the configuration set ${set.name}? Paused campaigns stay paused until you resume them.`}
                data-testid="aws-set-resume"
              >
                Turn this workspace's sending on
              </Button>
            )
          ) : (
            ""
          )}
        </div>
      </div>
      {canManage ? "" : <p class="text-sm text-slate-600 mt-3">A workspace admin can pause and resume sending.</p>}
    </div>
  );
}

/** The changes Sesame saw between its readings of the account (SES keeps no history of its own). */
function HistoryPanel({ overview, zone, now }: { overview: AccountOverview; zone: string; now: Date }) {
  return (
    <div data-testid="aws-history">
      <p class="text-sm text-slate-600 mb-3">
        SES keeps no history of an account's status, so Sesame records what it reads: every few minutes for workspaces with saved keys, and whenever this page is
        opened. Changes are kept for 90 days.
      </p>
      {overview.history.length ? (
        <Table headers={["When", "What changed"]} testid="aws-history-table">
          {overview.history.map((change) => (
            <tr class="border-t border-slate-200 align-top">
              <td class="px-4 py-2">
                <ZonedTime at={change.at} zone={zone} now={now} />
              </td>
              <td class="px-4 py-2">
                {change.first ? (
                  <span safe>
                    {`First reading: ${accountStatusWord(change.sample.enforcementStatus).label}, ${change.sample.productionAccess ? "production" : "sandbox"}, sending ${change.sample.sendingEnabled ? "on" : "paused"}${change.sample.reviewStatus ? `, production access request ${inSentence(reviewWord(change.sample.reviewStatus).label)}` : ""}.`}
                  </span>
                ) : (
                  <ul>
                    {changeLines(change).map((line) => (
                      <li safe>{line}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="text-sm text-slate-500">Nothing recorded yet.</p>
      )}
    </div>
  );
}

/** Everything on the Account page that a change re-renders at once. */
export function AccountOverviewPanel({ overview, canManage, zone, now }: { overview: AccountOverview; canManage: boolean; zone: string; now: Date }) {
  return (
    <div id="aws-account-overview">
      <Section title="Standing" id="aws-standing-section">
        <StandingPanel overview={overview} />
      </Section>
      <Section title="Production access" id="aws-production-access-section">
        <ProductionAccessPanel account={overview.account} canManage={canManage} />
      </Section>
      <Section title="Sending on and off" id="aws-sending-section">
        <SendingPanel overview={overview} canManage={canManage} />
      </Section>
      <Section title="History" id="aws-history-section">
        <HistoryPanel overview={overview} zone={zone} now={now} />
      </Section>
    </div>
  );
}

function QuotaCells({ item }: { item: RegionQuota }) {
  if (!item.enabled) {
    return (
      <td class="px-4 py-2 text-slate-500" colspan="4" data-state="disabled">
        Not enabled for this AWS account (an opt-in region; enable it in the AWS account settings to use SES there).
      </td>
    );
  }
  if (item.error) {
    return (
      <td class="px-4 py-2 text-red-700" colspan="4" data-state="error" safe>
        {item.error}
      </td>
    );
  }
  return (
    <>
      <td class="px-4 py-2" data-state={item.productionAccess ? "production" : "sandbox"}>
        {item.productionAccess ? "Production" : "Sandbox"}
      </td>
      <td class="px-4 py-2 text-right tabular-nums whitespace-nowrap" safe>
        {perSecond(item.maxSendRate ?? 0)}
      </td>
      <td class="px-4 py-2 text-right tabular-nums" safe>
        {count(item.max24HourSend ?? 0)}
      </td>
      <td class="px-4 py-2 text-right tabular-nums" safe>
        {count(item.sentLast24Hours ?? 0)}
      </td>
    </>
  );
}

/** Every SES region's quota for the same keys, and the switch to another region. */
export function RegionsPanel({ regions, canSwitch }: { regions: RegionsOverview; canSwitch: boolean }) {
  return (
    <div id="aws-regions" data-testid="aws-regions">
      <ErrorSlot id="aws-regions-errors" />
      <p class="text-sm text-slate-600 mb-3">
        Each SES region is separate: its own sandbox or production access, quota, identities, configuration set and event pipeline. Switching moves Sesame's
        keys to that region; verify your identities there and run the event set-up on the Connection page again.
      </p>
      <Table headers={["Region", "Access", { cell: "Sending limit", align: "right" }, { cell: "24-hour quota", align: "right" }, { cell: "Sent (24 h)", align: "right" }, ""]} testid="aws-regions-table">
        {regions.items.map((item) => (
          <tr class="border-t border-slate-200" data-region={item.region}>
            <td class="px-4 py-2">
              <span class="block" safe>
                {item.name}
              </span>
              <span class="block text-xs font-mono text-slate-500" safe>
                {item.region}
              </span>
            </td>
            <QuotaCells item={item} />
            <td class="px-4 py-2 text-right whitespace-nowrap">
              {item.region === regions.current ? (
                <span class="text-xs font-medium text-emerald-700" data-testid="aws-region-current">
                  In use
                </span>
              ) : canSwitch && item.enabled && !item.error ? (
                <Button
                  kind="secondary"
                  type="button"
                  hx-put="/aws/region"
                  hx-vals={JSON.stringify({ region: item.region })}
                  hx-target="#aws-regions-errors"
                  hx-swap="innerHTML"
                  hx-disabled-elt="this"
                  hx-confirm={`Switch Sesame to ${item.name} (${item.region})? Sending, identities, the configuration set and the event pipeline there are separate from ${regionName(regions.current)}: campaigns will send from ${item.region}, with its ${item.productionAccess ? "production access" : "sandbox limits"}.`}
                >
                  Switch
                </Button>
              ) : (
                ""
              )}
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

/**
 * The answer to a switch refused because campaigns still send with the keys: the refusal names them
 * and what happens to them, and a second confirmed click switches anyway.
 */
export function RegionSwitchConfirm({ region, message }: { region: string; message: string }) {
  return (
    <div data-testid="aws-region-switch-conflict">
      <Flash kind="error" message={message} />
      <div class="mt-2">
        <Button
          kind="danger"
          type="button"
          hx-put="/aws/region"
          hx-vals={JSON.stringify({ region, force: true })}
          hx-target="#aws-regions-errors"
          hx-swap="innerHTML"
          hx-disabled-elt="this"
          hx-confirm={`Switch Sesame to ${regionName(region)} (${region}) anyway? ${message.replace(/ Let (it|them) finish or cancel (it|them) first, or switch anyway\.$/, "")}`}
          data-testid="aws-region-switch-anyway"
        >
          <span safe>{`Switch to ${regionName(region)} anyway`}</span>
        </Button>
      </div>
    </div>
  );
}

export function AccountPage(props: { auth: Auth; overview: AccountOverview | null; error?: string; canManage: boolean; canSwitch: boolean; zone: string; now: Date }) {
  return (
    <AwsPageFrame auth={props.auth} active="account" title="AWS account">
      {props.overview ? (
        <>
          <AccountOverviewPanel overview={props.overview} canManage={props.canManage} zone={props.zone} now={props.now} />
          <Section title="Regions" id="aws-regions-section">
            <div id="aws-regions" hx-get="/aws/regions" hx-trigger="load" hx-swap="outerHTML">
              <p class="text-sm text-slate-500">Reading every region's quota from SES…</p>
            </div>
          </Section>
        </>
      ) : (
        <AwsUnavailable title="Account" id="aws-account-missing" error={props.error} />
      )}
    </AwsPageFrame>
  );
}
