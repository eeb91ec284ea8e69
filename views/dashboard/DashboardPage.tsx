import type { Auth } from "../../src/features/auth/model";
import { percent, type Rates } from "../../src/features/campaigns/guard";
import { EmptyState } from "../components/EmptyState";
import { ReputationRates } from "../components/Reputation";
import { AppShell } from "../layouts/AppShell";

const STEPS = [
  { href: "/settings/aws", title: "Connect your AWS account", text: "Sesame sends through your own Amazon SES keys." },
  { href: "/lists", title: "Import a list", text: "Upload a CSV of recipients; every column becomes a template variable." },
  { href: "/templates", title: "Write a template", text: "Compose with the editor and preview it with real contacts." },
  { href: "/campaigns", title: "Send a campaign", text: "Send now or schedule it, at the pace SES allows." },
];

type ActiveCampaign = { id: string; name: string; status: string; rates: Rates };

const rate = (r: number | null) => (r === null ? "—" : percent(r));

/** Campaigns still sending (or paused), each against the guard's and SES's rates. */
function ActiveCampaigns({ campaigns }: { campaigns: ActiveCampaign[] }) {
  if (campaigns.length === 0) return "";
  return (
    <div class="mt-5">
      <h3 class="mb-2 text-sm font-medium text-slate-700">Campaigns sending now</h3>
      <ul class="divide-y divide-slate-200 text-sm" data-testid="active-campaign-rates">
        {campaigns.map((c) => (
          <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2">
            <a href={`/campaigns/${c.id}`} class="min-w-0 break-words text-sky-700 underline" safe>
              {c.name}
            </a>
            <span class="tabular-nums text-slate-600" safe>
              {`${c.status === "paused" ? "Paused · " : ""}bounces ${rate(c.rates.bounceRate)} · complaints ${rate(c.rates.complaintRate)}`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DashboardPage({ auth, rates, campaigns }: { auth: Auth; rates: Rates; campaigns: ActiveCampaign[] }) {
  return (
    <AppShell auth={auth} active="dashboard" title="Dashboard">
      {rates.sent > 0 || rates.delivered + rates.bounced > 0 || campaigns.length > 0 ? (
        <section id="reputation" class="mb-6 min-w-0 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="reputation-title">
          <h2 id="reputation-title" class="mb-1 text-lg font-medium">
            Reputation, last 24 hours
          </h2>
          <p class="mb-4 text-sm text-slate-600" safe>{`${rates.sent.toLocaleString("en")} mails sent. SES reviews an account whose bounce or complaint rate stays above its thresholds.`}</p>
          <ReputationRates rates={rates} />
          <ActiveCampaigns campaigns={campaigns} />
        </section>
      ) : (
        ""
      )}
      <EmptyState title={rates.sent > 0 ? "Where to go from here" : "Nothing sent yet"}>
        <p class="mb-6">
          {rates.sent > 0
            ? "Each campaign's page shows its deliveries, bounces, complaints, opens and clicks; the Events page lists every one of them."
            : "Deliveries, bounces, complaints, opens and clicks appear here once your first campaign goes out."}
        </p>
        <ol class="grid gap-3 sm:grid-cols-2 text-left">
          {STEPS.map((step, i) => (
            <li>
              <a href={step.href} class="block rounded border border-slate-200 bg-slate-50 p-4 hover:border-sky-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
                <span class="block font-medium text-slate-900" safe>
                  {`${i + 1}. ${step.title}`}
                </span>
                <span class="block text-slate-600" safe>
                  {step.text}
                </span>
              </a>
            </li>
          ))}
        </ol>
      </EmptyState>
    </AppShell>
  );
}
