import type { Auth } from "../../src/features/auth/model";
import { formatInZone, zoneOffsetLabel } from "../../src/lib/zones";
import { Button } from "../components/Button";
import { AppShell } from "../layouts/AppShell";

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
  const choices = current && !zones.includes(current) ? [current, ...zones] : zones;
  const hint = current
    ? `It is now ${formatInZone(now, current, { withZone: false })} there (${zoneOffsetLabel(current, now)}).`
    : "Not set yet: times are shown in UTC until you choose, or until your browser tells us its zone.";
  return (
    <section class="mt-6 max-w-xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="time-zone-heading">
      <h2 id="time-zone-heading" class="mb-2 font-medium">
        Your time zone
      </h2>
      <p class="mb-4 text-sm text-slate-600">Campaign schedules are entered and shown in this zone. It is yours alone: everyone in the workspace keeps their own.</p>
      <form hx-put="/me/time-zone" hx-target="#time-zone-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="time-zone-form">
        <div class="mb-4">
          <label for="field-timeZone" class="mb-1 block text-sm font-medium text-slate-700">
            Time zone
          </label>
          <select
            id="field-timeZone"
            name="timeZone"
            required
            aria-describedby="field-timeZone-hint field-timeZone-error"
            class="block w-full rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-none focus:ring-2 focus:ring-sky-500"
          >
            {current ? (
              ""
            ) : (
              <option value="" selected>
                Choose your time zone
              </option>
            )}
            {choices.map((zone) => (
              <option value={zone} selected={zone === current} safe>
                {zone}
              </option>
            ))}
          </select>
          <p id="field-timeZone-hint" class="mt-1 text-xs text-slate-500" safe>
            {hint}
          </p>
          <p id="field-timeZone-error" class="mt-1 text-xs text-red-700 empty:hidden" aria-live="polite"></p>
        </div>
        <Button>Save time zone</Button>
        <div id="time-zone-result" class="mt-4" aria-live="polite"></div>
      </form>
    </section>
  );
}
