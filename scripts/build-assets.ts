/**
 * Builds what the browser loads from public/build/: the Tailwind stylesheet and the vendored
 * front-end libraries (never a CDN). Runs after every install (postinstall) and on `npm run build`.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const out = join(root, "public", "build");
const vendor = join(out, "vendor");
mkdirSync(vendor, { recursive: true });

const VENDORED: [string, string][] = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  // The CSP build evaluates no strings, so script-src stays 'self' without 'unsafe-eval'.
  ["@alpinejs/csp/dist/cdn.min.js", "alpine.min.js"],
  ["quill/dist/quill.js", "quill.js"],
  ["quill/dist/quill.snow.css", "quill.snow.css"],
  ["uplot/dist/uPlot.iife.min.js", "uplot.min.js"],
  ["uplot/dist/uPlot.min.css", "uplot.min.css"],
  // The API reference page (/docs).
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
];
for (const [from, to] of VENDORED) copyFileSync(join(root, "node_modules", from), join(vendor, to));

const tailwind = Bun.spawnSync(
  [process.execPath, join(root, "node_modules", "@tailwindcss", "cli", "dist", "index.mjs"), "-i", join(root, "views", "styles.css"), "-o", join(out, "app.css"), "--minify"],
  { cwd: root, stdout: "inherit", stderr: "inherit" },
);
if (tailwind.exitCode !== 0) {
  process.stderr.write("Tailwind build failed\n");
  process.exit(1);
}
