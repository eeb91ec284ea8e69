import type { Auth } from "../../src/features/auth/model";
import { VDM_DAYS, type ConfigurationSetState } from "../../src/features/aws-account/model";
import type { ReputationOverview, VdmOverview } from "../../src/features/aws-account/service";
import { ZonedTime } from "../campaigns/parts";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { ReputationRates } from "../components/Reputation";
import { Table } from "../components/Table";
import { ErrorSlot } from "../credentials/AwsPage";
import { AwsPageFrame, AwsUnavailable } from "../credentials/AwsTabs";
import { Fact, Section, Status } from "../credentials/parts";
import { configurationSetMissing, impactWord, METRIC_LABEL, recommendationStatusWord, recommendationTypeWord } from "./labels";
import { count } from "../components/format";

export const VDM_PRICING_URL = "https://aws.amazon.com/ses/pricing/";


/** The configuration set's reputation metrics (ReputationOptions): whether SES tracks its bounce and complaint rates. */
export function ReputationMetricsPanel({ set, canManage, zone, now }: { set: ConfigurationSetState; canManage: boolean; zone: string; now: Date }) {
  return (
    <div id="aws-reputation-metrics" data-testid="aws-reputation-metrics">
      <ErrorSlot id="aws-reputation-metrics-errors" />
      {set.status === "not_set_up" ? (
        <p class="text-sm text-slate-600">
          This workspace has no configuration set yet. Set up bounce and complaint tracking on the{" "}
          <a href="/settings/aws" class="text-sky-700 underline">
            Connection page
          </a>{" "}
          first.
        </p>
      ) : set.status === "missing" ? (
        <p class="text-sm text-slate-600" safe>
          {configurationSetMissing(set.name)}
        </p>
      ) : set.status === "error" ? (
        <Flash kind="error" message={set.error} />
      ) : (
        <>
          <dl class="grid gap-4 sm:grid-cols-3 text-sm mb-4">
            <Fact label="Configuration set" class="font-mono break-all" value={set.name} />
            <Fact
              label="Reputation metrics"
              testid="aws-reputation-state"
              state={String(set.reputationMetricsEnabled)}
              hint="ReputationOptions.ReputationMetricsEnabled"
              value={set.reputationMetricsEnabled ? "On" : "Off"}
            />
            <div class="min-w-0">
              <dt class="text-slate-500">Counted since</dt>
              <dd>{set.lastFreshStart ? <ZonedTime at={set.lastFreshStart} zone={zone} now={now} /> : "The set was created"}</dd>
              <dd class="text-xs text-slate-400 font-mono" data-hint>
                LastFreshStart
              </dd>
            </div>
          </dl>
          <p class="text-sm text-slate-600 mb-4">
            {set.reputationMetricsEnabled
              ? "SES tracks the bounce and complaint rates of the mail sent through this configuration set and publishes them to CloudWatch (Reputation.BounceRate, Reputation.ComplaintRate), where alarms can watch them."
              : "While this is off, SES does not publish this configuration set's bounce and complaint rates to CloudWatch: only the account-wide rates exist."}
          </p>
          {canManage ? (
            set.reputationMetricsEnabled ? (
              <Button
                kind="secondary"
                type="button"
                hx-put="/aws/configuration-set/reputation"
                hx-vals={JSON.stringify({ enabled: false })}
                hx-target="#aws-reputation-metrics-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm={`Turn off reputation metrics for ${set.name}? CloudWatch stops receiving its bounce and complaint rates, and alarms on them go quiet.`}
                data-testid="aws-reputation-off"
              >
                Turn reputation metrics off
              </Button>
            ) : (
              <Button
                type="button"
                hx-put="/aws/configuration-set/reputation"
                hx-vals={JSON.stringify({ enabled: true })}
                hx-target="#aws-reputation-metrics-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                data-testid="aws-reputation-on"
              >
                Turn reputation metrics on
              </Button>
            )
          ) : (
            <p class="text-sm text-slate-600">A workspace admin can change this.</p>
          )}
        </>
      )}
    </div>
  );
}

function DaysSwitch({ days }: { days: number }) {
  return (
    <nav aria-label="Period" class="flex gap-2 text-sm mb-4">
      {VDM_DAYS.map((d) =>
        d === days ? (
          <span class="rounded bg-slate-100 px-2 py-1 font-medium" aria-current="true" safe>
            {`Last ${d} days`}
          </span>
        ) : (
          <a
            href={`/settings/aws/reputation?days=${d}`}
            hx-get={`/aws/vdm?days=${d}`}
            hx-target="#aws-vdm"
            hx-swap="outerHTML"
            hx-push-url={`/settings/aws/reputation?days=${d}`}
            class="rounded px-2 py-1 text-sky-700 underline"
            safe
          >
            {`Last ${d} days`}
          </a>
        ),
      )}
    </nav>
  );
}

function VdmMetrics({ vdm, zone }: { vdm: VdmOverview; zone: string }) {
  const metrics = vdm.metrics ?? [];
  const days = [...new Set(metrics.flatMap((m) => m.points.map((p) => p.at.getTime())))].sort((a, b) => b - a);
  const valueAt = (metric: string, at: number) => metrics.find((m) => m.metric === metric)?.points.find((p) => p.at.getTime() === at)?.value ?? 0;
  return (
    <div class="mb-6">
      <dl class="grid gap-4 grid-cols-2 sm:grid-cols-4 lg:grid-cols-7 text-sm mb-4" data-testid="aws-vdm-totals">
        {metrics.map((m) => (
          <div class="min-w-0" data-metric={m.metric}>
            <dt class="text-slate-500" safe>
              {METRIC_LABEL[m.metric] ?? m.metric}
            </dt>
            <dd class="text-lg font-semibold tabular-nums" safe>
              {m.error ? "—" : count(m.total)}
            </dd>
            {m.error ? (
              <dd class="text-xs text-red-700" safe>
                {m.error}
              </dd>
            ) : (
              ""
            )}
          </div>
        ))}
      </dl>
      {days.length ? (
        <Table
          headers={["Day", ...metrics.map((m) => ({ cell: <span safe>{METRIC_LABEL[m.metric] ?? m.metric}</span>, align: "right" as const }))]}
          testid="aws-vdm-daily"
        >
          {days.map((at) => (
            <tr class="border-t border-slate-200">
              <td class="px-4 py-2 whitespace-nowrap" safe>
                {new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" }).format(new Date(at))}
              </td>
              {metrics.map((m) => (
                <td class="px-4 py-2 text-right tabular-nums" safe>
                  {count(valueAt(m.metric, at))}
                </td>
              ))}
            </tr>
          ))}
        </Table>
      ) : (
        <p class="text-sm text-slate-500">No mail in this period yet.</p>
      )}
      <p class="mt-2 text-xs text-slate-500" safe>
        {`Days are UTC days, as SES counts them (your time zone is ${zone}). Mail to several recipients at once and to the mailbox simulator is not counted.`}
      </p>
    </div>
  );
}

function Recommendations({ vdm, zone, now }: { vdm: VdmOverview; zone: string; now: Date }) {
  const items = vdm.recommendations ?? [];
  if (!items.length) return <p class="text-sm text-slate-500">No recommendations: nothing for Virtual Deliverability Manager to point out.</p>;
  return (
    <Table headers={["Type", "Impact", "Status", "What to do", "Updated"]} testid="aws-vdm-recommendations">
      {items.map((r) => (
        <tr class="border-t border-slate-200 align-top">
          <td class="px-4 py-2" safe>
            {recommendationTypeWord(r.type)}
          </td>
          <td class="px-4 py-2">
            <Status word={impactWord(r.impact)} value={r.impact} api="Impact" />
          </td>
          <td class="px-4 py-2">
            <Status word={recommendationStatusWord(r.status)} value={r.status} api="Status" />
          </td>
          <td class="px-4 py-2 min-w-64">
            <span class="block" safe>
              {r.description}
            </span>
            {r.resourceArn ? (
              <span class="block text-xs font-mono text-slate-500 break-all" safe>
                {r.resourceArn}
              </span>
            ) : (
              ""
            )}
          </td>
          <td class="px-4 py-2">{r.updatedAt ?? r.createdAt ? <ZonedTime at={(r.updatedAt ?? r.createdAt)!} zone={zone} now={now} /> : "—"}</td>
        </tr>
      ))}
    </Table>
  );
}

/** Virtual Deliverability Manager: its numbers while it is on; what it gives and costs while it is off. */
export function VdmPanel({ vdm, canManage, zone, now }: { vdm: VdmOverview; canManage: boolean; zone: string; now: Date }) {
  return (
    <div id="aws-vdm" data-testid="aws-vdm" data-state={vdm.enabled ? "on" : "off"}>
      <ErrorSlot id="aws-vdm-errors" />
      {vdm.enabled ? (
        <>
          <DaysSwitch days={vdm.days} />
          {vdm.error ? (
            <div class="mb-4">
              <Flash kind="error" message={vdm.error} />
            </div>
          ) : (
            <>
              <h3 class="font-medium text-sm mb-2">Metrics</h3>
              <VdmMetrics vdm={vdm} zone={zone} />
              <h3 class="font-medium text-sm mb-2">Recommendations</h3>
              <Recommendations vdm={vdm} zone={zone} now={now} />
            </>
          )}
          {canManage ? (
            <div class="mt-4">
              <Button
                kind="secondary"
                type="button"
                hx-put="/aws/vdm"
                hx-vals={JSON.stringify({ enabled: false })}
                hx-target="#aws-vdm-errors"
                hx-swap="innerHTML"
                hx-disabled-elt="this"
                hx-confirm="Turn off Virtual Deliverability Manager for the AWS account? Its metrics and recommendations stop, and so do its charges."
                data-testid="aws-vdm-disable"
              >
                Turn Virtual Deliverability Manager off
              </Button>
            </div>
          ) : (
            ""
          )}
        </>
      ) : (
        <>
          <p class="text-sm text-slate-600 mb-2">Virtual Deliverability Manager is off for this AWS account. Turned on, it gives:</p>
          <ul class="list-disc pl-5 text-sm text-slate-600 mb-3">
            <li>daily delivery, bounce, complaint, open and click counts, per mailbox provider, sending identity and configuration set;</li>
            <li>recommendations that point out DKIM, SPF, DMARC and BIMI gaps and bounce or complaint problems, with what to fix.</li>
          </ul>
          <p class="text-sm text-amber-800 bg-amber-50 border border-amber-200 rounded px-3 py-2 mb-4" data-testid="aws-vdm-cost">
            It is a paid feature: AWS charges for it per message sent while it is on, on top of the SES sending price. See{" "}
            <a href={VDM_PRICING_URL} class="underline" rel="noopener noreferrer" target="_blank">
              Amazon SES pricing
            </a>{" "}
            for the current rate. Sesame never turns it on by itself.
          </p>
          {canManage ? (
            <Button
              type="button"
              hx-put="/aws/vdm"
              hx-vals={JSON.stringify({ enabled: true })}
              hx-target="#aws-vdm-errors"
              hx-swap="innerHTML"
              hx-disabled-elt="this"
              hx-confirm="Turn on Virtual Deliverability Manager for the whole AWS account? AWS charges for it per message sent, on top of the SES sending price, until it is turned off (see aws.amazon.com/ses/pricing)."
              data-testid="aws-vdm-enable"
            >
              Turn on Virtual Deliverability Manager (paid)
            </Button>
          ) : (
            <p class="text-sm text-slate-600">A workspace admin can turn it on.</p>
          )}
        </>
      )}
    </div>
  );
}

export function ReputationPage(props: { auth: Auth; overview: ReputationOverview | null; error?: string; canManage: boolean; zone: string; now: Date }) {
  const o = props.overview;
  return (
    <AwsPageFrame auth={props.auth} active="reputation" title="Reputation">
      {o ? (
        <>
          <Section title="This workspace's last 24 hours" id="aws-rates-section">
            <p class="text-sm text-slate-600 mb-3">Counted by Sesame from SES's events, against the rates at which SES puts an account under review.</p>
            <ReputationRates rates={o.rates} />
          </Section>
          <Section title="Reputation metrics of the configuration set" id="aws-reputation-section">
            <ReputationMetricsPanel set={o.configurationSet} canManage={props.canManage} zone={props.zone} now={props.now} />
          </Section>
          <Section title="Virtual Deliverability Manager" id="aws-vdm-section">
            <VdmPanel vdm={o.vdm} canManage={props.canManage} zone={props.zone} now={props.now} />
          </Section>
        </>
      ) : (
        <AwsUnavailable title="Reputation" id="aws-reputation-missing" error={props.error} />
      )}
    </AwsPageFrame>
  );
}
