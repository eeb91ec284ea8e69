import type { Readable } from "node:stream";
import { GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../config";
import { clientConfig, type AwsKeys } from "./client";
import { awsFailure, AwsFailure } from "./errors";

/**
 * The workspace's own S3 bucket, read and written with the workspace's AWS keys: attachments are
 * uploaded there, picked from there, and fetched from there once per campaign run. S3_ENDPOINT points
 * every call at an S3-compatible server instead of AWS (path-style addressing, as such servers expect).
 */

export interface Bucket {
  name: string;
  region: string;
}

export interface S3Object {
  key: string;
  size: number;
  lastModified: Date | null;
}

/** IAM actions by S3 call: HeadBucket and ListObjectsV2 are both allowed by s3:ListBucket. */
const IAM_ACTION: Record<string, string> = {
  HeadBucket: "s3:ListBucket",
  ListObjectsV2: "s3:ListBucket",
  HeadObject: "s3:GetObject",
  GetObject: "s3:GetObject",
  PutObject: "s3:PutObject",
};

export function s3Client(config: Config, keys: AwsKeys, region: string): S3Client {
  return new S3Client({
    ...clientConfig({ ...keys, region }, config.s3Endpoint),
    forcePathStyle: config.s3Endpoint !== null,
    // A bucket in another region is reported to the person (HeadBucket's 301 names it), not followed silently.
    followRegionRedirects: false,
    // Checksums only where S3 requires them: S3-compatible servers do not all read the trailing-checksum
    // encoding the SDK would otherwise use for every upload.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

interface SdkError {
  name?: string;
  message?: string;
  Region?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

/**
 * What an S3 call's failure means for the person, in words: no such bucket or object, keys not
 * allowed, the bucket in another region. Anything else (keys unknown, network, throttling, an answer
 * that was not AWS's) is said as for every AWS call.
 */
export function s3Failure(err: unknown, call: string, keys: AwsKeys, bucket: Bucket, key?: string): AwsFailure {
  const e = (err ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const name = e.name ?? "";
  const action = IAM_ACTION[call] ?? `s3:${call}`;
  const base = awsFailure(err, { keys: { ...keys, region: bucket.region }, action });
  const fail = (message: string, code: string, field?: string) => new AwsFailure(message, code, action, base.detail, field);
  const actual = e.$response?.headers?.["x-amz-bucket-region"] ?? e.Region;
  if (name === "PermanentRedirect" || name === "AuthorizationHeaderMalformed" || name === "IllegalLocationConstraintException" || status === 301) {
    return fail(
      actual && actual !== bucket.region
        ? `The bucket ${bucket.name} is in ${actual}, not in ${bucket.region}. Set its region to ${actual} and save again.`
        : `The bucket ${bucket.name} is not in ${bucket.region}. Set the region the bucket was created in (the S3 console shows it) and save again.`,
      "s3_wrong_region",
      "region",
    );
  }
  if (name === "NoSuchBucket" || ((name === "NotFound" || status === 404) && !key)) {
    return fail(`There is no bucket named ${bucket.name} in ${bucket.region} for these keys. Check the name (S3 bucket names are lower case), or create the bucket in the S3 console first.`, "s3_no_such_bucket", "bucket");
  }
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) {
    return fail(`${key ?? "The file"} is no longer in the bucket ${bucket.name}. Remove it from the email, or upload it again.`, "s3_no_such_key");
  }
  if (name === "AccessDenied" || name === "AllAccessDisabled" || name === "Forbidden" || (status === 403 && !["InvalidAccessKeyId", "SignatureDoesNotMatch"].includes(name))) {
    return fail(
      `AWS accepted these keys but did not allow them to use the bucket ${bucket.name}. Add ${action} on arn:aws:s3:::${bucket.name}${action === "s3:ListBucket" ? "" : "/*"} to the IAM user's policy (the policy on the AWS page lists everything Sesame needs), or check the bucket's own policy.`,
      "s3_access_denied",
      "bucket",
    );
  }
  if (name === "InvalidAccessKeyId") {
    return fail("AWS does not recognise this access key ID: it may be mistyped, deactivated or deleted. Connect working keys in Settings → AWS.", "aws_unrecognized_key");
  }
  if (name === "SignatureDoesNotMatch") {
    return fail("The secret access key does not match this access key ID. Connect the keys again in Settings → AWS.", "aws_signature_mismatch");
  }
  if (name === "EntityTooLarge") return fail("S3 refused the file as too large.", "s3_too_large");
  return base;
}

async function call<T>(keys: AwsKeys, bucket: Bucket, name: string, run: () => Promise<T>, key?: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw s3Failure(err, name, keys, bucket, key);
  }
}

/** Checks that these keys can use the bucket in that region; throws the reason in words when not. */
export async function headBucket(config: Config, keys: AwsKeys, bucket: Bucket): Promise<void> {
  const client = s3Client(config, keys, bucket.region);
  try {
    await call(keys, bucket, "HeadBucket", () => client.send(new HeadBucketCommand({ Bucket: bucket.name })));
  } finally {
    client.destroy();
  }
}

/** One page of the bucket's objects under `prefix`, in key order. */
export async function listObjects(
  config: Config,
  keys: AwsKeys,
  bucket: Bucket,
  options: { prefix?: string; continuationToken?: string; max?: number } = {},
): Promise<{ items: S3Object[]; nextToken: string | null }> {
  const client = s3Client(config, keys, bucket.region);
  try {
    const out = await call(keys, bucket, "ListObjectsV2", () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: bucket.name,
          ...(options.prefix ? { Prefix: options.prefix } : {}),
          ...(options.continuationToken ? { ContinuationToken: options.continuationToken } : {}),
          MaxKeys: options.max ?? 100,
        }),
      ),
    );
    return {
      items: (out.Contents ?? []).filter((o) => o.Key && !o.Key.endsWith("/")).map((o) => ({ key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified ?? null })),
      nextToken: out.IsTruncated && out.NextContinuationToken ? out.NextContinuationToken : null,
    };
  } finally {
    client.destroy();
  }
}

/** An object's size and type, or null when the bucket has no such key. */
export async function headObject(config: Config, keys: AwsKeys, bucket: Bucket, key: string): Promise<{ size: number; contentType: string | null } | null> {
  const client = s3Client(config, keys, bucket.region);
  try {
    const out = await client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }));
    return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? null };
  } catch (err) {
    const failure = s3Failure(err, "HeadObject", keys, bucket, key);
    if (failure.code === "s3_no_such_key") return null;
    throw failure;
  } finally {
    client.destroy();
  }
}

/** Streams `body` (exactly `size` bytes) into the bucket under `key`. */
export async function putObject(config: Config, keys: AwsKeys, bucket: Bucket, key: string, body: Readable, size: number, contentType: string): Promise<void> {
  const client = s3Client(config, keys, bucket.region);
  try {
    await call(keys, bucket, "PutObject", () => client.send(new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: body, ContentLength: size, ContentType: contentType })), key);
  } finally {
    client.destroy();
  }
}

/**
 * An object's bytes, read into memory: at most `maxBytes` (the caller's bound), else it fails without
 * reading further. Null when the bucket has no such key.
 */
export async function getObjectBytes(config: Config, keys: AwsKeys, bucket: Bucket, key: string, maxBytes: number): Promise<Uint8Array | null> {
  const client = s3Client(config, keys, bucket.region);
  try {
    let out;
    try {
      out = await client.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
    } catch (err) {
      const failure = s3Failure(err, "GetObject", keys, bucket, key);
      if (failure.code === "s3_no_such_key") return null;
      throw failure;
    }
    const length = out.ContentLength ?? 0;
    if (length > maxBytes) {
      await out.Body?.transformToWebStream().cancel();
      throw new AwsFailure(`${key} has grown to more than SES accepts in one message. Replace it with a smaller file.`, "s3_too_large", "s3:GetObject", `ContentLength ${length}`);
    }
    const bytes = await call(keys, bucket, "GetObject", () => out.Body!.transformToByteArray(), key);
    if (bytes.byteLength > maxBytes) throw new AwsFailure(`${key} has grown to more than SES accepts in one message. Replace it with a smaller file.`, "s3_too_large", "s3:GetObject", `read ${bytes.byteLength}`);
    return bytes;
  } finally {
    client.destroy();
  }
}
