/**
 * The interactive API reference: Swagger UI (vendored into public/build/vendor at install, never a
 * CDN) reading /docs/json. It stands apart from the app's shell so that anyone with an API key, signed
 * in or not, can read it; the Tailwind sheet stays off this page because its resets restyle Swagger
 * UI's own markup.
 */
export function DocsPage({ signedIn }: { signedIn: boolean }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>API reference · Sesame</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/build/vendor/swagger-ui.css" />
        <link rel="stylesheet" href="/assets/docs/docs.css" />
        <script src="/assets/build/vendor/swagger-ui-bundle.js" defer></script>
        <script src="/assets/docs/docs.js" defer></script>
      </head>
      <body>
        <header class="docs-header">
          <a href="/" class="docs-brand">
            Sesame
          </a>
          <span class="docs-title">API reference</span>
          <a href="/docs/json" class="docs-link">
            OpenAPI document (JSON)
          </a>
          <a href={signedIn ? "/dashboard" : "/login"} class="docs-link">
            {signedIn ? "Back to Sesame" : "Log in"}
          </a>
        </header>
        <main>
          <div id="swagger-ui" data-spec-url="/docs/json">
            <noscript>
              <p class="docs-intro">
                This page needs JavaScript to draw the reference. The same description is at <a href="/docs/json">/docs/json</a>.
              </p>
            </noscript>
          </div>
        </main>
      </body>
    </html>
  );
}
