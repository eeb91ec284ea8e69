import type { PropsWithChildren } from "@kitajs/html";
import type { Auth } from "../../src/features/auth/model";
import { Flash } from "../components/Flash";
import { AppShell } from "../layouts/AppShell";
import { Section } from "./parts";

export type AwsTab = "connection" | "identities" | "suppressions" | "templates" | "account" | "reputation";

/** The AWS pages, in the order a new user needs them. */
export const AWS_TABS: { key: AwsTab; label: string; href: string }[] = [
  { key: "connection", label: "Connection", href: "/settings/aws" },
  { key: "identities", label: "Identities", href: "/settings/aws/identities" },
  { key: "account", label: "Account", href: "/settings/aws/account" },
  { key: "suppressions", label: "SES suppression list", href: "/settings/aws/suppressions" },
  { key: "templates", label: "SES templates", href: "/settings/aws/templates" },
  { key: "reputation", label: "Reputation", href: "/settings/aws/reputation" },
];

/** The tab row of the AWS pages: links, so each is a page of its own; it scrolls inside itself on a phone. */
export function AwsTabs({ active }: { active: AwsTab }) {
  return (
    <nav aria-label="AWS pages" class="mb-6 -mx-1 overflow-x-auto" data-testid="aws-tabs">
      <ul class="flex gap-1 border-b border-slate-200 px-1 text-sm whitespace-nowrap">
        {AWS_TABS.map((tab) => (
          <li>
            <a
              href={tab.href}
              aria-current={tab.key === active ? "page" : undefined}
              class={`inline-block rounded-t px-3 py-2 ${tab.key === active ? "border-b-2 border-sky-600 font-medium text-slate-900" : "text-slate-600 hover:text-slate-900"}`}
              safe
            >
              {tab.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** One page of the AWS settings: the app frame, breadcrumbs to Settings › AWS, and the tab row. */
export function AwsPageFrame({ auth, active, title, children }: PropsWithChildren<{ auth: Auth; active: AwsTab; title: string }>) {
  const crumbs = active === "connection" ? [{ href: "/settings", label: "Settings" }] : [{ href: "/settings", label: "Settings" }, { href: "/settings/aws", label: "AWS" }];
  return (
    <AppShell auth={auth} active="settings" title={title} crumbs={crumbs}>
      <AwsTabs active={active} />
      {children}
    </AppShell>
  );
}

/** What an AWS tab shows in place of its panels when the account cannot be read: why, and the way to the keys. */
export function AwsUnavailable({ title, id, error }: { title: string; id: string; error?: string }) {
  return (
    <Section title={title} id={id}>
      <div class="mb-4" data-testid="aws-account-error">
        <Flash kind="error" message={error ?? "Connect your AWS keys first."} />
      </div>
      <a href="/settings/aws" class="text-sm text-sky-700 underline">
        Go to the Connection page
      </a>
    </Section>
  );
}
