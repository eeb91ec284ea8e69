import { Page } from "../layouts/Page";

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <Page title={`Error ${status}`}>
      <main class="min-h-full flex items-center justify-center px-4 py-12">
        <div class="max-w-md text-center">
          <p class="text-5xl font-semibold text-slate-300 mb-4">{status}</p>
          <p class="text-lg mb-6" safe>
            {message}
          </p>
          <a href="/dashboard" class="text-sky-700 underline">
            Back to the dashboard
          </a>
        </div>
      </main>
    </Page>
  );
}
