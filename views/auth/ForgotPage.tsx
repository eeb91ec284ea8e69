import { Button } from "../components/Button";
import { Field } from "../components/Field";
import { Flash } from "../components/Flash";
import { AuthCard } from "./AuthCard";

/** The answer to every "forgot password" request, whether or not the address has an account. */
export const FORGOT_ANSWER = {
  mail: "If an account uses that address, a link to choose a new password is on its way. It works once, within the next hour. Check your spam folder if it does not arrive.",
  admin: "This Sesame cannot send mail on its own yet: ask your administrator for a reset link. They can make one for you on the Admin page.",
};

/** `delivery`: how a link reaches people here (mailed, or only from an administrator); `sent`: the request was just answered. */
export function ForgotPage({ delivery, sent, error }: { delivery: "mail" | "admin"; sent?: boolean; error?: string }) {
  return (
    <AuthCard title="Forgot your password?" error={error}>
      {delivery === "admin" ? (
        <div data-testid="forgot-ask-admin" class="mb-2">
          <Flash kind="info" message={FORGOT_ANSWER.admin} />
        </div>
      ) : sent ? (
        <div data-testid="forgot-sent">
          <Flash kind="success" message={FORGOT_ANSWER.mail} />
        </div>
      ) : (
        <>
          <p class="mb-4 text-sm text-slate-600">Enter the address you log in with. We will mail you a link to choose a new password.</p>
          <form method="post" action="/auth/forgot" hx-post="/auth/forgot" hx-target="#form-errors" hx-swap="innerHTML" hx-disabled-elt="find button" data-testid="forgot-form">
            <Field name="email" label="Email" type="email" required autocomplete="username" autofocus />
            <Button>Send me a link</Button>
          </form>
        </>
      )}
      <p class="mt-4 text-sm text-slate-600">
        <a href="/login" class="text-sky-700 underline">
          Back to log in
        </a>
      </p>
    </AuthCard>
  );
}
