import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { IAM_POLICY } from "../../src/features/credentials/model";

const SRC = join(import.meta.dir, "..", "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** S3 operations whose IAM action is not their own name (HeadBucket and ListObjectsV2 need s3:ListBucket, HeadObject s3:GetObject). */
const S3_ACTIONS: Record<string, string> = { HeadBucket: "ListBucket", ListObjectsV2: "ListBucket", HeadObject: "GetObject" };

/**
 * The IAM actions Sesame's code can call: every SES v2, SNS and S3 command class it imports. For SES
 * and SNS the IAM action is the operation's name (SendEmailCommand → ses:SendEmail); S3 maps a few.
 */
function actionsInCode(): Set<string> {
  const actions = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-(sesv2|sns|s3)"/g)) {
      const service = match[2] === "sesv2" ? "ses" : match[2]!;
      for (const name of match[1]!.split(",").map((n) => n.trim())) {
        const command = /^(\w+)Command$/.exec(name);
        if (command) actions.add(`${service}:${service === "s3" ? (S3_ACTIONS[command[1]!] ?? command[1]) : command[1]}`);
      }
    }
  }
  return actions;
}

function actionsInPolicy(): string[] {
  const policy = JSON.parse(IAM_POLICY) as { Statement: { Action: string[] }[] };
  return policy.Statement.flatMap((statement) => statement.Action);
}

describe("the IAM policy shown on the AWS page", () => {
  test("allows every AWS action Sesame's code calls", () => {
    const allowed = new Set(actionsInPolicy());
    const missing = [...actionsInCode()].filter((action) => !allowed.has(action));
    expect(missing).toEqual([]);
  });

  test("allows nothing Sesame's code never calls, and names no action twice", () => {
    const used = actionsInCode();
    const actions = actionsInPolicy();
    expect(actions.filter((action) => !used.has(action))).toEqual([]);
    expect(actions.length).toBe(new Set(actions).size);
    // The scan itself must see the calls, or both checks above would pass on nothing.
    expect(used.has("ses:SendEmail")).toBe(true);
    expect(used.has("sns:Subscribe")).toBe(true);
    expect(used.has("s3:ListBucket")).toBe(true);
  });

  test("has no wildcard action", () => {
    expect(actionsInPolicy().filter((action) => action.includes("*"))).toEqual([]);
  });
});
