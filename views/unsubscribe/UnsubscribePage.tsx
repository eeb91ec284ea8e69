import { Page } from "../layouts/Page";

type Props = { test: true; sender: string } | { test?: false; token: string; email: string; sender: string; done: boolean };

/**
 * The public page behind an unsubscribe link: one button, then a plain confirmation. A test mail's
 * link lands on the same page in a mode that says so and offers nothing to press.
 */
export function UnsubscribePage(props: Props) {
  return (
    <Page title="Unsubscribe">
      <main class="min-h-full flex items-center justify-center px-4 py-12">
        <div class="w-full max-w-md rounded-lg bg-white shadow p-8 text-center" data-testid="unsubscribe">
          {props.test ? (
            <>
              <h1 class="text-xl font-semibold mb-3">This was a test</h1>
              <p class="text-slate-600" safe>{`This link came in a test mail from ${props.sender}. In a real mail it unsubscribes the address the mail was sent to; this one unsubscribed no one.`}</p>
            </>
          ) : props.done ? (
            <>
              <h1 class="text-xl font-semibold mb-3">You are unsubscribed</h1>
              <p class="text-slate-600" safe>{`${props.email} will get no more mail from ${props.sender}.`}</p>
            </>
          ) : (
            <form method="post" action={`/u/${props.token}`}>
              <h1 class="text-xl font-semibold mb-3">Unsubscribe</h1>
              <p class="text-slate-600 mb-6" safe>{`Stop all mail from ${props.sender} to ${props.email}?`}</p>
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
