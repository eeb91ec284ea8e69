import type { Children, PropsWithChildren } from "@kitajs/html";

/**
 * The bordered, scrollable table every list page uses. `headers` are plain labels (an empty one is
 * an actions column, named for screen readers), or ready-made cells such as sort links.
 */
export function Table({ headers, testid, children }: PropsWithChildren<{ headers: (string | { cell: Children; align?: "right" })[]; testid?: string }>) {
  return (
    // relative: the screen-reader-only header text is positioned, and must be clipped by this box, not the page.
    <div class="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table class="min-w-full text-sm" data-testid={testid}>
        <thead class="bg-slate-50 text-left text-slate-600">
          <tr>
            {headers.map((h) =>
              typeof h === "string" ? (
                h === "" ? (
                  <th class="px-4 py-2">
                    <span class="sr-only">Actions</span>
                  </th>
                ) : (
                  <th class="px-4 py-2 font-medium" safe>
                    {h}
                  </th>
                )
              ) : (
                <th class={`px-4 py-2 font-medium${h.align === "right" ? " text-right" : ""}`}>{h.cell}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
