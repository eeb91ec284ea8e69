/** Previous/next links for a paged table; `href` builds the URL of a page (htmx swaps the table in place and puts that URL in the address bar, so reload and new tabs show the same page). */
export function Pagination({
  page,
  pageSize,
  total,
  capped = false,
  href,
  target,
}: {
  page: number;
  pageSize: number;
  total: number;
  /** `total` is where counting stopped: there are more. */
  capped?: boolean;
  href: (page: number) => string;
  target: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const all = `${total.toLocaleString("en")}${capped ? "+" : ""} in all`;
  if (pages <= 1) return <p class="mt-3 text-sm text-slate-500" safe>{all}</p>;
  const link = (p: number, label: string) => (
    <a href={href(p)} hx-get={href(p)} hx-target={target} hx-swap="outerHTML" hx-push-url="true" class="rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-50" safe>
      {label}
    </a>
  );
  return (
    <nav class="mt-3 flex items-center gap-3 text-sm" aria-label="Pages">
      {page > 1 ? link(page - 1, "← Previous") : ""}
      <span class="text-slate-600" safe>{`Page ${page} of ${pages.toLocaleString("en")}${capped ? "+" : ""} · ${all}`}</span>
      {page < pages ? link(page + 1, "Next →") : ""}
    </nav>
  );
}
