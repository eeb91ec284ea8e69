import type { PropsWithChildren } from "@kitajs/html";
import { Flash } from "../components/Flash";
import { Page } from "../layouts/Page";

/** The centred card that the Log in and Sign up pages share. */
export function AuthCard({ title, error, children }: PropsWithChildren<{ title: string; error?: string }>) {
  return (
    <Page title={title}>
      <main class="min-h-full flex items-center justify-center px-4 py-12">
        <div class="w-full max-w-sm">
          <p class="text-center text-2xl font-semibold tracking-tight mb-1">Sesame</p>
          <p class="text-center text-sm text-slate-500 mb-6">Your control room for Amazon SES</p>
          <div class="rounded-lg bg-white shadow p-6">
            <h1 class="text-lg font-semibold mb-4" safe>
              {title}
            </h1>
            <div id="form-errors" class="mb-3" aria-live="assertive">
              {error ? <Flash kind="error" message={error} /> : ""}
            </div>
            {children}
          </div>
        </div>
      </main>
    </Page>
  );
}
