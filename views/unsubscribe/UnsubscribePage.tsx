import { Page } from "../layouts/Page";

/** The public page behind an unsubscribe link: one button, then a plain confirmation. */
export function UnsubscribePage({ token, email, sender, done }: { token: string; email: string; sender: string; done: boolean }) {
  return (
    <Page title="Unsubscribe">
      <main class="min-h-full flex items-center justify-center px-4 py-12">
        <div class="w-full max-w-md rounded-lg bg-white shadow p-8 text-center" data-testid="unsubscribe">
          {done ? (
            <>
              <h1 class="text-xl font-semibold mb-3">You are unsubscribed</h1>
              <p class="text-slate-600" safe>{`${email} will get no more mail from ${sender}.`}</p>
            </>
          ) : (
            <form method="post" action={`/u/${token}`}>
              <h1 class="text-xl font-semibold mb-3">Unsubscribe</h1>
              <p class="text-slate-600 mb-6" safe>{`Stop all mail from ${sender} to ${email}?`}</p>
              <button type="submit" class="rounded bg-slate-900 px-5 py-2 text-white hover:bg-slate-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
                Unsubscribe
              </button>
            </form>
          )}
        </div>
      </main>
    </Page>
  );
}
