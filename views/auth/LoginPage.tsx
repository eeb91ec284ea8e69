import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { AuthCard } from "./AuthCard";

export function LoginPage({ email, error, next }: { email?: string; error?: string; next?: string }) {
  const action = next && next !== "/dashboard" ? `/auth/login?next=${encodeURIComponent(next)}` : "/auth/login";
  return (
    <AuthCard title="Log in" error={error}>
      <form method="post" action={action} hx-post={action} hx-target="#form-errors" hx-swap="innerHTML" data-testid="login-form">
        <Field name="email" label="Email" type="email" value={email} required autocomplete="username" autofocus />
        <Field name="password" label="Password" type="password" required autocomplete="current-password" maxlength={256} />
        {/* Filled with the browser's zone by public/islands/app.js; kept on the account if it has none. */}
        <input type="hidden" name="timeZone" value="" data-browser-time-zone />
        <Button>Log in</Button>
      </form>
      <p class="mt-4 text-sm text-slate-600">
        New here?{" "}
        <a href="/signup" class="text-sky-700 underline">
          Create an account
        </a>
      </p>
    </AuthCard>
  );
}
