import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AuthCard } from "./AuthCard";

export function LoginPage({ email, error, next, notice, signupOpen = true }: { email?: string; error?: string; next?: string; notice?: string; signupOpen?: boolean }) {
  const action = next && next !== "/dashboard" ? `/auth/login?next=${encodeURIComponent(next)}` : "/auth/login";
  return (
    <AuthCard title="Log in" error={error}>
      {notice ? (
        <div class="mb-4">
          <Flash kind="success" message={notice} />
        </div>
      ) : (
        ""
      )}
      <form method="post" action={action} hx-post={action} hx-target="#form-errors" hx-swap="innerHTML" data-testid="login-form">
        <Field name="email" label="Email" type="email" value={email} required autocomplete="username" autofocus />
        <Field name="password" label="Password" type="password" required autocomplete="current-password" maxlength={256} />
        {/* Filled with the browser's zone by public/islands/app.js; kept on the account if it has none. */}
        <input type="hidden" name="timeZone" value="" data-browser-time-zone />
        <Button>Log in</Button>
      </form>
      <p class="mt-4 text-sm text-slate-600">
        <a href="/forgot" class="text-sky-700 underline">
          Forgot your password?
        </a>
      </p>
      {signupOpen ? (
        <p class="mt-2 text-sm text-slate-600">
          New here?{" "}
          <a href="/signup" class="text-sky-700 underline">
            Create an account
          </a>
        </p>
      ) : (
        ""
      )}
    </AuthCard>
  );
}
