import type { Auth } from "../../src/features/auth/model";
import { EmptyState } from "../components/EmptyState";
import { AppShell } from "../layouts/AppShell";

const STEPS = [
  { href: "/settings/aws", title: "Connect your AWS account", text: "Sesame sends through your own Amazon SES keys." },
  { href: "/lists", title: "Import a list", text: "Upload a CSV of recipients; every column becomes a template variable." },
  { href: "/templates", title: "Write a template", text: "Compose with the editor and preview it with real contacts." },
  { href: "/campaigns", title: "Send a campaign", text: "Send now or schedule it, at the pace SES allows." },
];

export function DashboardPage({ auth }: { auth: Auth }) {
  return (
    <AppShell auth={auth} active="dashboard" title="Dashboard">
      <EmptyState title="Nothing sent yet">
        <p class="mb-6">Deliveries, bounces, complaints, opens and clicks appear here once your first campaign goes out.</p>
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
