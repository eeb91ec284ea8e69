import type { Auth } from "../../src/features/auth/model";
import { NAME_MAX } from "../../src/features/auth/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AppShell } from "../layouts/AppShell";
import { TimeZoneField } from "./TimeZoneField";

/** The person's own account: name, time zone, address (read-only), and their password. */
export function ProfilePage({ auth, zones, now }: { auth: Auth; zones: string[]; now: Date }) {
  return (
    <AppShell auth={auth} active="settings" title="Your profile" crumbs={[{ href: "/settings", label: "Settings" }]}>
      <div class="grid max-w-xl gap-6">
        <ProfileForm auth={auth} zones={zones} now={now} />
        <PasswordForm />
      </div>
    </AppShell>
  );
}

function ProfileForm({ auth, zones, now }: { auth: Auth; zones: string[]; now: Date }) {
  return (
    <section class="rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="profile-heading">
      <h2 id="profile-heading" class="mb-4 font-medium">
        Profile
      </h2>
      <form hx-patch="/auth/me" hx-target="#profile-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="profile-form">
        <div class="mb-4">
          <label for="field-email" class="mb-1 block text-sm font-medium text-slate-700">
            Email
          </label>
          <input
            id="field-email"
            type="email"
            value={auth.user.email}
            readonly
            aria-describedby="field-email-hint"
            class="block w-full rounded border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600"
          />
          <p id="field-email-hint" class="mt-1 text-xs text-slate-500">
            The address you log in with. It cannot be changed here.
          </p>
        </div>
        <Field name="name" label="Name" value={auth.user.name} autocomplete="name" maxlength={NAME_MAX} hint="Shown to the people in your workspaces." />
        <TimeZoneField
          current={auth.user.timeZone}
          zones={zones}
          now={now}
          hint={{ set: "Schedules are entered and shown in this zone. ", unset: "Not set yet: times are shown in UTC until you choose one." }}
        />
        <Button>Save profile</Button>
        <div id="profile-result" class="mt-4" aria-live="polite"></div>
      </form>
    </section>
  );
}

/** The password form; after a change it is rendered afresh (fields empty) with the notice in its result slot. */
export function PasswordForm({ notice }: { notice?: string }) {
  return (
    <section id="password-section" class="rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="password-heading">
      <h2 id="password-heading" class="mb-2 font-medium">
        Password
      </h2>
      <p class="mb-4 text-sm text-slate-600">Changing it logs you out everywhere else; this browser stays logged in.</p>
      <form hx-post="/auth/password" hx-target="#password-result" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="password-form">
        <Field name="currentPassword" label="Current password" type="password" required autocomplete="current-password" maxlength={256} />
        <Field
          name="newPassword"
          label="New password"
          type="password"
          required
          autocomplete="new-password"
          minlength={8}
          maxlength={256}
          hint="At least 8 characters. A long passphrase is best."
        />
        <Button>Change password</Button>
        <div id="password-result" class="mt-4" aria-live="polite">
          {notice ? <Flash kind="success" message={notice} /> : ""}
        </div>
      </form>
    </section>
  );
}
