import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Queue, Worker, shutdownManager } from "bunqueue/client";
import type { Config } from "../config";
import type { Deps } from "../deps";
import { background, handlers, type JobData, type JobName } from "./registry";

const QUEUE = "sesame";

export interface EnqueueOptions {
  /** A job with the same id that is still waiting is not added twice. */
  jobId?: string;
  delayMs?: number;
}

/**
 * The durable job loop. Jobs carry ids, not payloads; the database decides what is left to do, so a
 * job that runs twice or after a crash does no harm.
 */
export interface Jobs {
  enqueue(name: JobName, data: JobData, options?: EnqueueOptions): Promise<void>;
  /** Starts the worker; jobs enqueued before this wait in the queue. */
  start(deps: Deps): Promise<void>;
  /** Lets running jobs finish, then flushes and closes the queue. */
  stop(): Promise<void>;
}

function connectionOptions(config: Config) {
  if (!config.queueUrl) {
    mkdirSync(config.dataDir, { recursive: true });
    return { embedded: true as const, dataPath: join(config.dataDir, "queue.db") };
  }
  const url = new URL(config.queueUrl);
  const token = decodeURIComponent(url.password || url.username);
  return { connection: { host: url.hostname, port: Number(url.port || 6789), ...(token ? { token } : {}) } };
}

export function createJobs(config: Config, options: { concurrency?: number } = {}): Jobs {
  const where = connectionOptions(config);
  // Opened on first use: the embedded queue is one file per process, so an app that never queues
  // anything (many tests) never claims it.
  let opened: Queue<JobData> | null = null;
  const queue = () =>
    (opened ??= new Queue<JobData>(QUEUE, {
      ...where,
      // durable: an add is written before it returns, so a crash right after a launch cannot lose the job.
      defaultJobOptions: { durable: true, attempts: 5, backoff: { type: "exponential", delay: 2000 }, removeOnComplete: true },
    }));
  let worker: Worker<JobData> | null = null;
  let started = false;

  return {
    async enqueue(name, data, opts = {}) {
      await queue().add(name, data, { jobId: opts.jobId, delay: opts.delayMs, durable: true });
    },
    async start(deps) {
      worker = new Worker<JobData>(
        QUEUE,
        async (job) => {
          const handler = handlers[job.name as JobName];
          if (!handler) throw new Error(`No handler for job ${job.name}`);
          await handler(deps, job.data);
        },
        { ...where, concurrency: options.concurrency ?? 4 },
      );
      worker.on("failed", (job, err) => {
        deps.log.warn("job failed", { job: job?.name, id: job?.id, error: err.message });
      });
      // Prunes sessions, sweeps uploads, and picks up imports a dead run left "running".
      // The sender first: it must not wait on the queue server (a second instance's scheduler upsert can).
      background.start(deps, { takeOver: !config.queueUrl });
      started = true;
      await queue().upsertJobScheduler("maintenance", { every: 600_000, immediately: true }, { name: "maintenance", data: {} });
      await queue().upsertJobScheduler("aws", { every: 60_000, immediately: true }, { name: "aws", data: {} });
    },
    async stop() {
      if (started) await background.stop();
      started = false;
      if (!opened && !worker) return;
      await worker?.close();
      worker = null;
      if ("embedded" in where) {
        opened?.close();
        // Flushes the write buffer and stops the embedded manager's timers, which would keep the process alive.
        shutdownManager();
      } else {
        await opened?.disconnect();
      }
      opened = null;
    },
  };
}
