import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { AuthCard } from "./AuthCard";

/** The page a reset link opens: the new password form, or why the link no longer works. */
export function ResetPage({ token, email, refusal, error }: { token: string; email?: string; refusal?: string; error?: string }) {
  if (refusal) {
    return (
      <AuthCard title="This reset link does not work">
        <p class="text-sm text-slate-700" data-testid="reset-refusal" safe>
          {refusal}
        </p>
        <p class="mt-4 text-sm text-slate-600">
          <a href="/forgot" class="text-sky-700 underline">
            Ask for a new link
          </a>{" "}
          or{" "}
          <a href="/login" class="text-sky-700 underline">
            log in
          </a>
        </p>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password" error={error}>
      {email ? (
        <p class="mb-4 text-sm text-slate-600" safe>
          {`For ${email}. Every session of this account ends once it is changed.`}
        </p>
      ) : (
        ""
      )}
      <form method="post" action="/auth/reset" hx-post="/auth/reset" hx-target="#form-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="reset-form">
        {/* For password managers: the account this password belongs to. */}
        <input type="hidden" name="username" value={email ?? ""} autocomplete="username" />
        <input type="hidden" name="token" value={token} />
        <Field
          name="password"
          label="New password"
          type="password"
          required
          autocomplete="new-password"
          minlength={8}
          maxlength={256}
          autofocus
          hint="At least 8 characters. A long passphrase is best."
        />
        <Button>Set the new password</Button>
      </form>
    </AuthCard>
  );
}
