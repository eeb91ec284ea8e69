import type { Auth } from "../../src/features/auth/model";
import { AppShell } from "../layouts/AppShell";

const SECTIONS = [
  { href: "/settings/workspace", title: "Workspace", text: "The name recipients see when they unsubscribe." },
  { href: "/settings/aws", title: "AWS", text: "Keys, SES account status and quota, sending identities, bounce and complaint tracking." },
];

export function SettingsPage({ auth }: { auth: Auth }) {
  return (
    <AppShell auth={auth} active="settings" title="Settings">
      <ul class="grid gap-3 sm:grid-cols-2">
        {SECTIONS.map((section) => (
          <li>
            <a href={section.href} class="block rounded-lg border border-slate-200 bg-white p-4 hover:border-sky-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
              <span class="block font-medium" safe>
                {section.title}
              </span>
              <span class="block text-sm text-slate-600" safe>
                {section.text}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </AppShell>
  );
}
