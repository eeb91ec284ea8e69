import { Elysia } from "elysia";
import { join, normalize, sep } from "node:path";

const PUBLIC_DIR = join(import.meta.dir, "..", "..", "public");

/** Serves public/ under /assets/: the built CSS, vendored htmx/Alpine/Quill/uPlot and the islands. */
export function assetRoutes() {
  return new Elysia({ name: "assets" }).get("/assets/*", async ({ params, set }) => {
    const path = normalize(join(PUBLIC_DIR, params["*"]));
    if (!path.startsWith(PUBLIC_DIR + sep)) {
      set.status = 404;
      return "Not found";
    }
    const file = Bun.file(path);
    if (!(await file.exists())) {
      set.status = 404;
      return "Not found";
    }
    set.headers["cache-control"] = "public, max-age=300";
    return file;
  });
}
