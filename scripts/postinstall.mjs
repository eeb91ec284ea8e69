// npm runs this with Node after installing; the asset build itself runs on Bun (a devDependency).
// Where Bun is not installed (a production install without devDependencies) the built assets must
// already be present, as they are in the Docker image.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const result = spawnSync("bun", ["scripts/build-assets.ts"], { stdio: "inherit", shell: process.platform === "win32" });
if (result.error || result.status !== 0) {
  if (existsSync("public/build/app.css")) process.exit(0);
  console.error("Sesame: building front-end assets failed; run `npm run build` once Bun is available.");
  process.exit(result.status || 1);
}
