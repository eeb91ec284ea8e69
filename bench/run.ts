/** Runs every benchmark in turn; each prints its own figures next to a baseline measured in the same run. */
for (const script of ["import.ts", "responsiveness.ts", "send.ts", "ingest.ts", "track.ts", "analytics.ts", "export.ts"]) {
  console.log(`\n== bench/${script}`);
  const proc = Bun.spawn([process.execPath, new URL(script, import.meta.url).pathname, ...process.argv.slice(2)], { stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) process.exitCode = 1;
}
