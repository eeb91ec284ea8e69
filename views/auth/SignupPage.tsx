import type { SignupView } from "../../src/features/auth/model";
import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AuthCard } from "./AuthCard";

export function SignupPage({ view, email, name, error }: { view: SignupView; email?: string; name?: string; error?: string }) {
  if (view.kind === "form" || view.kind === "invite") return <SignupForm view={view} email={email} name={name} error={error} />;
  const title = view.kind === "invite-spent" ? "This invite link cannot be used" : "Sign-up is not open";
  return (
    <AuthCard title={title} error={error}>
      <div data-testid="signup-refusal" class="space-y-3 text-sm text-slate-700">
        {view.kind === "invite-only" ? (
          <>
            <p>New accounts on this Sesame are by invitation only.</p>
            <p>Ask someone in the workspace you want to join for an invite link, and open it to sign up.</p>
          </>
        ) : view.kind === "closed" ? (
          <>
            <p>Sign-up on this Sesame is closed: nobody can create an account here.</p>
            <p>
              {view.token
                ? "If you already have an account, log in and the invite will add you to its workspace."
                : "Invite links only add people who already have an account. Ask the administrator of this Sesame if you need one."}
            </p>
          </>
        ) : (
          <>
            <p>It was used already, withdrawn, or has expired. Ask the person who invited you for a new one.</p>
            {view.signupOpen ? (
              <p>
                <a href="/signup" class="text-sky-700 underline">
                  Create an account of your own instead
                </a>
              </p>
            ) : (
              ""
            )}
          </>
        )}
      </div>
      <p class="mt-4 text-sm text-slate-600">
        Already have an account?{" "}
        <a href={view.kind === "closed" && view.token ? `/login?next=${encodeURIComponent(`/invite/${view.token}`)}` : "/login"} class="text-sky-700 underline">
          Log in
        </a>
      </p>
    </AuthCard>
  );
}

function SignupForm({ view, email, name, error }: { view: Extract<SignupView, { kind: "form" | "invite" }>; email?: string; name?: string; error?: string }) {
  const title = view.kind === "invite" ? `Join ${view.workspaceName}` : "Create your account";
  return (
    <AuthCard title={title} error={error}>
      {view.kind === "invite" ? (
        <div class="mb-4" data-testid="signup-invite">
          <Flash kind="info" message={`You were invited to the workspace ${view.workspaceName} as ${view.role === "admin" ? "an admin" : "a member"}. Create your account to join it.`} />
        </div>
      ) : view.first ? (
        <div class="mb-4">
          <Flash kind="info" message="This is the first account of this Sesame: it will administer the instance." />
        </div>
      ) : (
        ""
      )}
      <form method="post" action="/auth/signup" hx-post="/auth/signup" hx-target="#form-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="signup-form">
        <Field name="name" label="Name" value={name} autocomplete="name" maxlength={100} autofocus />
        <Field name="email" label="Email" type="email" value={email ?? (view.kind === "invite" ? (view.email ?? undefined) : undefined)} required autocomplete="email" />
        <Field
          name="password"
          label="Password"
          type="password"
          required
          autocomplete="new-password"
          minlength={8}
          maxlength={256}
          hint="At least 8 characters. A long passphrase is best."
        />
        {view.kind === "invite" ? <input type="hidden" name="invite" value={view.token} /> : ""}
        {/* Filled with the browser's zone by public/islands/app.js; kept on the account if it has none. */}
        <input type="hidden" name="timeZone" value="" data-browser-time-zone />
        <Button>Sign up</Button>
      </form>
      <p class="mt-4 text-sm text-slate-600">
        Already have an account?{" "}
        <a href={view.kind === "invite" ? `/login?next=${encodeURIComponent(`/invite/${view.token}`)}` : "/login"} class="text-sky-700 underline">
          Log in
        </a>
      </p>
    </AuthCard>
  );
}
