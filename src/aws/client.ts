import { awsFailure } from "./errors";

/** A workspace's AWS keys, in memory only for the length of a call. */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** What every SES and SNS client of Sesame is built with: the caller's keys, short timeouts, few retries. */
export function clientConfig(keys: AwsKeys, endpoint: string | null) {
  return {
    region: keys.region,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only prints a warning to the console when requestTimeout
    // passes and keeps waiting, so a silent endpoint would hold the page's request open forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true },
  };
}

/** Runs one AWS call, turning what the SDK throws into a sentence a person can act on. */
export async function callAws<T>(keys: AwsKeys, action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw awsFailure(err, { keys, action });
  }
}
