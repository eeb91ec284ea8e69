import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The data folder holds the database, the queue, the generated secret and uploaded address lists:
 * only the server's own user may read it. Everything created from now on is private through the
 * process's umask; this mends what an earlier version left readable.
 */
export function keepDataPrivate(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const walk = (dir: string, depth: number) => {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) {
        if (depth < 2) walk(path, depth + 1);
      } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
        chmodSync(path, stat.mode & 0o700);
      }
    }
  };
  walk(dataDir, 0);
}
