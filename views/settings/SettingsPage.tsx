import type { Auth } from "../../src/features/auth/model";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";
import { TimeZoneField } from "./TimeZoneField";

const SECTIONS = [
  { href: "/settings/profile", title: "Your profile", text: "Your name, time zone and password." },
  { href: "/settings/workspace", title: "Workspace", text: "The name recipients see when they unsubscribe." },
  { href: "/settings/aws", title: "AWS", text: "Keys, SES account status and quota, sending identities, bounce and complaint tracking." },
  { href: "/settings/api-keys", title: "API keys", text: "Keys for your own applications and scripts to send mail through Sesame's API." },
];

export function SettingsPage({ auth, zones, now }: { auth: Auth; zones: string[]; now: Date }) {
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
      <TimeZoneSection current={auth.user.timeZone} zones={zones} now={now} />
    </AppShell>
  );
}

/** The person's own zone (not the workspace's): schedules are entered and shown in it. */
function TimeZoneSection({ current, zones, now }: { current: string | null; zones: string[]; now: Date }) {
  return (
    <section class="mt-6 max-w-xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="time-zone-heading">
      <h2 id="time-zone-heading" class="mb-2 font-medium">
        Your time zone
      </h2>
      <p class="mb-4 text-sm text-slate-600">Campaign schedules are entered and shown in this zone. It is yours alone: everyone in the workspace keeps their own.</p>
      <form hx-put="/me/time-zone" hx-target="#time-zone-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="time-zone-form">
        <TimeZoneField current={current} zones={zones} now={now} hint={{ set: "", unset: "Not set yet: times are shown in UTC until you choose, or until your browser tells us its zone." }} />
        <Button>Save time zone</Button>
        <div id="time-zone-result" class="mt-4" aria-live="polite"></div>
      </form>
    </section>
  );
}
