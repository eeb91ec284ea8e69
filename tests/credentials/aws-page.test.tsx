import { describe, expect, test } from "bun:test";
import type { AccountStatus } from "../../src/aws/ses";
import type { IdentityView } from "../../src/features/identities/model";
import { AccountPanel } from "../../views/credentials/AwsPage";
import { IdentitiesPanel } from "../../views/identities/IdentitiesPanel";

const ACCOUNT: AccountStatus = {
  sendingEnabled: true,
  productionAccess: true,
  enforcementStatus: "HEALTHY",
  maxSendRate: 14,
  max24HourSend: 50_000,
  sentLast24Hours: 12_500,
  suppressedReasons: ["BOUNCE", "COMPLAINT"],
  vdmEnabled: false,
  details: null,
};

const account = (overrides: Partial<AccountStatus>) =>
  String(
    <AccountPanel
      status={{ connected: true, region: "eu-west-1", accessKeyId: "AKIA…MPLE", saved: true, account: { ...ACCOUNT, ...overrides } }}
      canManage
    />,
  );

/** The text of the element marked data-testid="<id>", tags stripped. */
const byTestId = (html: string, id: string) => new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

describe("the account panel", () => {
  test("says production access or sandbox, with the API name as a hint", () => {
    expect(byTestId(account({}), "aws-mode")).toBe("Production access");
    expect(byTestId(account({ productionAccess: false }), "aws-mode")).toBe("Sandbox");
    expect(account({})).toContain("ProductionAccessEnabled");
  });

  test("names the account status in words and says what to do when AWS is watching it", () => {
    expect(byTestId(account({}), "aws-standing")).toBe("Healthy");
    const probation = account({ enforcementStatus: "PROBATION" });
    expect(byTestId(probation, "aws-standing")).toBe("Under review");
    expect(probation).toContain("EnforcementStatus: PROBATION");
    expect(probation).toContain("Settings → AWS → Reputation");
    const shutdown = account({ enforcementStatus: "SHUTDOWN", sendingEnabled: false });
    expect(byTestId(shutdown, "aws-standing")).toBe("Shut down by AWS");
    expect(byTestId(shutdown, "aws-sending")).toBe("Paused");
    expect(shutdown).toContain("Open the SES console to see why");
  });

  test("shows the sending limit and the 24-hour quota in words, MaxSendRate and Max24HourSend as hints", () => {
    const html = account({});
    expect(byTestId(html, "aws-rate")).toBe("14 emails per second");
    expect(html).toContain("MaxSendRate");
    expect(html).toContain("Sending quota (24 h)");
    expect(html).toContain("Max24HourSend");
    expect(byTestId(html, "aws-quota")).toBe("12,500 of 50,000 used");
  });

  test("the quota bar's fill is as wide as the share used, and absent at 0%", () => {
    expect(account({})).toMatch(/aria-valuenow="25.0"[\s\S]*<rect width="25.0%"[^>]*data-fill/);
    const empty = account({ sentLast24Hours: 0 });
    expect(empty).toContain('aria-valuenow="0.0"');
    expect(empty).not.toContain("data-fill");
    // So small a share that it rounds to nothing draws nothing either.
    expect(account({ sentLast24Hours: 1, max24HourSend: 1_000_000 })).not.toContain("data-fill");
    expect(account({ sentLast24Hours: 300, max24HourSend: 200 })).toContain('width="100.0%"');
  });
});

const identity = (name: string, verificationStatus: string, dkimStatus: string | null, type: IdentityView["type"] = "domain"): IdentityView => ({
  identity: name,
  type,
  verified: verificationStatus === "SUCCESS",
  verificationStatus,
  sendingEnabled: verificationStatus === "SUCCESS",
  dkimStatus,
  dkimRecords: [],
  mailFrom: null,
  dmarcRecord: null,
  pending: verificationStatus !== "SUCCESS",
  region: "us-east-1",
  checkedAt: new Date("2026-06-01T10:00:00Z"),
});

describe("the identities panel", () => {
  test("says each verification and DKIM status in words, with SES's value kept as a hint", () => {
    const html = String(
      <IdentitiesPanel
        identities={[
          identity("a.example.com", "SUCCESS", "SUCCESS"),
          identity("b.example.com", "PENDING", "PENDING"),
          identity("c.example.com", "FAILED", "FAILED"),
          identity("d.example.com", "TEMPORARY_FAILURE", "TEMPORARY_FAILURE"),
          identity("e.example.com", "NOT_STARTED", "NOT_STARTED"),
          identity("me@example.com", "PENDING", null, "email"),
        ]}
        canManage
      />,
    );
    const words = (api: string) => [...html.matchAll(new RegExp(`title="${api}: ([A-Z_]+)" data-status="[A-Z_]+">([^<]+)<`, "g"))].map((m) => [m[1], m[2]]);
    expect(words("VerificationStatus")).toEqual([
      ["SUCCESS", "Verified"],
      ["PENDING", "Pending"],
      ["FAILED", "Failed"],
      ["TEMPORARY_FAILURE", "Temporary failure, AWS retries"],
      ["NOT_STARTED", "Not started"],
      ["PENDING", "Pending"],
    ]);
    expect(words("DKIM status")).toEqual([
      ["SUCCESS", "Signing"],
      ["PENDING", "Waiting for DNS records"],
      ["FAILED", "Records not found"],
      ["TEMPORARY_FAILURE", "Temporary failure, AWS retries"],
      ["NOT_STARTED", "Not started"],
    ]);
    expect(html).toContain(">Address<");
  });

  test("keeps the add form when the list could not be read", () => {
    const html = String(<IdentitiesPanel identities={null} error="AWS is limiting how often these keys may call it. Wait a minute and try again." canManage />);
    expect(html).toContain("Wait a minute and try again");
    expect(html).toContain('data-testid="aws-identity-form"');
  });
});
