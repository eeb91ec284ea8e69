import type { PropsWithChildren } from "@kitajs/html";

export function EmptyState({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <section class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-10 text-center" data-testid="empty-state">
      <h2 class="text-lg font-medium mb-2" safe>
        {title}
      </h2>
      <div class="text-sm text-slate-600 max-w-prose mx-auto">{children}</div>
    </section>
  );
}
