import type { PropsWithChildren } from "@kitajs/html";

/** htmx swaps error responses too (validation messages come back as 4xx partials). */
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
  // The CSP refuses style attributes, so htmx must not copy them onto swapped-in elements.
  attributesToSettle: ["class", "width", "height"],
  // New content is wired at once, not 20 ms after it shows (no page here animates a settle): a field
  // typed into the moment it appears would otherwise lose its first input.
  defaultSettleDelay: 0,
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[4]..", swap: true, error: true },
    { code: "...", swap: false, error: true },
  ],
});

export function Page({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <html lang="en" class="h-full bg-slate-50">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title safe>{title} · Sesame</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/build/app.css" />
        <script src="/assets/build/vendor/htmx.min.js" defer></script>
        <script src="/assets/islands/app.js" defer></script>
        <script src="/assets/build/vendor/alpine.min.js" defer></script>
      </head>
      <body class="h-full text-slate-900 antialiased">{children}</body>
    </html>
  );
}
