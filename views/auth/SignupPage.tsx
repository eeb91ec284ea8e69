import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { AuthCard } from "./AuthCard";

export function SignupPage({ email, name, error }: { email?: string; name?: string; error?: string }) {
  return (
    <AuthCard title="Create your account" error={error}>
      <form method="post" action="/auth/signup" hx-post="/auth/signup" hx-target="#form-errors" hx-swap="innerHTML" data-testid="signup-form">
        <Field name="name" label="Name" value={name} autocomplete="name" maxlength={100} autofocus />
        <Field name="email" label="Email" type="email" value={email} required autocomplete="email" />
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
        {/* Filled with the browser's zone by public/islands/app.js; kept on the account if it has none. */}
        <input type="hidden" name="timeZone" value="" data-browser-time-zone />
        <Button>Sign up</Button>
      </form>
      <p class="mt-4 text-sm text-slate-600">
        Already have an account?{" "}
        <a href="/login" class="text-sky-700 underline">
          Log in
        </a>
      </p>
    </AuthCard>
  );
}
