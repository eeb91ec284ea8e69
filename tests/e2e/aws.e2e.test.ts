import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { ACCOUNT } from "../support/aws";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

const KEY = { accessKeyId: "AKIAE2EJOURNEY000001", secretAccessKey: "e2e-journey-secret-access-key-000000000" };
/** A fresh sandbox account: nothing of its quota used yet. */
const FRESH = { accessKeyId: "AKIAE2EFRESHACCOUNT1", secretAccessKey: "e2e-fresh-secret-access-key-00000000000" };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({
    keys: {
      [KEY.accessKeyId]: { secret: KEY.secretAccessKey },
      [FRESH.accessKeyId]: {
        secret: FRESH.secretAccessKey,
        account: { ...ACCOUNT, ProductionAccessEnabled: false, SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } },
      },
    },
  });
});
afterEach(() => j?.aws?.fake.faults.clear());
afterAll(async () => {
  await j?.stop();
});

async function connectKeys(page: Page, save: boolean) {
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByLabel("Region").selectOption("eu-west-1");
  const box = page.getByRole("checkbox", { name: /Save credentials/ });
  expect(await box.isChecked()).toBe(false);
  if (save) await box.check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-account").waitFor();
}

async function logInAgain(page: Page) {
  await page.getByRole("button", { name: "Log out" }).first().click();
  await page.waitForURL(/\/login$/);
  await page.getByLabel("Email").fill("aws-journey@example.com");
  await page.getByLabel("Password").fill("journey password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/dashboard$/);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("link", { name: /AWS/ }).click();
  await page.waitForURL(/\/settings\/aws$/);
}

test("a newcomer connects keys, sees quota and identities, sets up events twice, and finds session keys gone and saved keys kept after logging in again", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);

  await signUpInBrowser(page, j.url, "aws-journey@example.com", "journey password");
  await page.getByRole("link", { name: /Connect your AWS account/ }).click();
  await page.waitForURL(/\/settings\/aws$/);
  await expect(page.getByTestId("aws-connect-form").isVisible()).resolves.toBe(true);
  await expect(page.locator("#aws-iam textarea").inputValue()).resolves.toContain('"ses:GetAccount"');

  // A wrong secret: AWS's reason, next to the form, and nothing kept.
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill("not-the-right-secret-0000000000000000000");
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.locator("#aws-connect-errors [role=alert]").waitFor();
  await expect(page.locator("#aws-connect-errors").textContent()).resolves.toContain("secret access key does not match");
  // …and next to the field at fault.
  await expect(page.locator("#field-secretAccessKey-error").textContent()).resolves.toContain("secret access key does not match");
  await expect(page.getByLabel("Secret access key").getAttribute("aria-invalid")).resolves.toBe("true");
  expect(problems.every((p) => p.includes("422"))).toBe(true);
  problems.length = 0;

  // Session-only keys.
  await connectKeys(page, false);
  await expect(page.getByTestId("aws-saved").textContent()).resolves.toBe("This session only");
  await expect(page.getByTestId("aws-key").textContent()).resolves.toBe("AKIA…0001");
  await expect(page.getByTestId("aws-quota").textContent()).resolves.toBe("12,500 of 50,000 used");
  await expect(page.getByTestId("aws-quota-bar").getAttribute("aria-valuenow")).resolves.toBe("25.0");
  await expect(page.getByTestId("aws-mode").textContent()).resolves.toBe("Production access");
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/status")), page.getByTestId("aws-refresh").click()]);
  await expect(page.getByTestId("aws-rate").textContent()).resolves.toBe("14 emails per second");
  expect(await page.content()).not.toContain(KEY.secretAccessKey);

  // Identities: the panel loads by itself; adding a domain shows the DNS records to publish.
  await page.getByTestId("aws-identity-form").waitFor();
  await page.getByLabel("Add an address or domain").fill("news.example.org");
  await page.getByRole("button", { name: "Add identity" }).click();
  await page.getByText("._domainkey.news.example.org").first().waitFor();
  await expect(page.locator('#aws-identities [data-status="PENDING"]').first().textContent()).resolves.toBe("Pending");
  await expect(page.getByTestId("aws-identities").textContent()).resolves.toContain("Waiting for DNS records");

  await logInAgain(page);
  await expect(page.getByTestId("aws-connect-form").isVisible()).resolves.toBe(true);

  // Saved keys, and the event pipeline twice.
  await connectKeys(page, true);
  await expect(page.getByTestId("aws-saved").textContent()).resolves.toBe("Saved, encrypted, for the workspace");
  await page.getByTestId("aws-events-setup").click();
  // The problem is shown before the set-up too (PUBLIC_URL is local): wait for the topic instead.
  await page.getByTestId("aws-events").getByText(/sesame-events-/).waitFor();
  const first = await page.getByTestId("aws-events").textContent();
  expect(first).toContain("sesame-events-");
  expect(first).toContain("AWS cannot reach from the internet");
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/events/setup")), page.getByTestId("aws-events-setup").click()]);
  await page.getByTestId("aws-events").getByText(/sesame-events-/).waitFor();
  expect(await page.getByTestId("aws-events").textContent()).toBe(first);
  expect([...j.aws!.fake.configurationSets.keys()].filter((k) => k.startsWith("sesame-"))).toHaveLength(1);

  await logInAgain(page);
  await expect(page.getByTestId("aws-saved").textContent()).resolves.toBe("Saved, encrypted, for the workspace");
  await expect(page.getByTestId("aws-quota").textContent()).resolves.toBe("12,500 of 50,000 used");
  await expect(page.getByTestId("aws-subscription").getAttribute("data-state")).resolves.toBe("none");
  expect(await page.content()).not.toContain(KEY.secretAccessKey);

  expect(problems).toEqual([]);
}, 90_000);

/** What the SDK says when something other than AWS answers; none of it may reach the page. */
const SDK_WORDS = ["$response", "Unrecognized token", "Deserialization", "JSON Parse", "SyntaxError", "Bad Gateway"];

async function connectWith(page: Page, key: { accessKeyId: string; secretAccessKey: string }) {
  await page.getByLabel("Access key ID").fill(key.accessKeyId);
  await page.getByLabel("Secret access key").fill(key.secretAccessKey);
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-account").waitFor();
}

test("failed AWS calls leave every panel in place: the sentence beside it, the forms still usable", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "aws-failures@example.com", "journey password");
  await page.goto(`${j.url}/settings/aws`);

  // A proxy answers the connect check with its 502 page.
  j.aws!.fake.fail("ses:GetAccount", "html");
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.locator("#aws-connect-errors [role=alert]").waitFor();
  await expect(page.locator("#aws-connect-errors").textContent()).resolves.toContain("did not come from AWS");
  j.aws!.fake.fail("ses:GetAccount", null);
  problems.length = 0;

  // The identities list fails; the add form is still there and adding works.
  j.aws!.fake.fail("ses:ListEmailIdentities", "html");
  await connectWith(page, KEY);
  await page.getByTestId("aws-identities-error").waitFor();
  await expect(page.getByTestId("aws-identities-error").textContent()).resolves.toContain("Try again in a few minutes");
  await expect(page.getByTestId("aws-identity-form").isVisible()).resolves.toBe(true);
  await page.getByLabel("Add an address or domain").fill("still.example.org");
  await page.getByRole("button", { name: "Add identity" }).click();
  await page.getByText("._domainkey.still.example.org").first().waitFor();
  j.aws!.fake.fail("ses:ListEmailIdentities", null);
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/identities")), page.getByRole("button", { name: "Try again" }).click()]);
  await page.getByTestId("aws-identities-table").waitFor();
  await expect(page.getByTestId("aws-identities-error").count()).resolves.toBe(0);

  // A refused identity: the sentence goes next to the form, and the table stays.
  await page.getByLabel("Add an address or domain").fill("still.example.org");
  await page.getByRole("button", { name: "Add identity" }).click();
  await page.locator("#aws-identity-errors [role=alert]").waitFor();
  await expect(page.locator("#field-identity-error").textContent()).resolves.toBe("That identity is already in SES for this account and region.");
  await expect(page.getByTestId("aws-identities-table").isVisible()).resolves.toBe(true);

  // The set-up fails at its first step: the panel and its buttons stay, the reason above them.
  j.aws!.fake.fail("sns:CreateTopic", "denied");
  await page.getByTestId("aws-events-setup").click();
  await page.locator("#aws-events-errors [role=alert]").waitFor();
  await expect(page.locator("#aws-events-errors").textContent()).resolves.toContain("Add sns:CreateTopic to the IAM user's policy");
  await expect(page.getByTestId("aws-events-setup").isEnabled()).resolves.toBe(true);
  await expect(page.getByTestId("aws-topic-form").isVisible()).resolves.toBe(true);
  j.aws!.fake.fail("sns:CreateTopic", null);
  await page.getByTestId("aws-events-setup").click();
  await page.getByTestId("aws-events").getByText(/sesame-events-/).waitFor();
  await expect(page.locator("#aws-events-errors").textContent()).resolves.toBe("");

  // A status refresh answered by garbage keeps the key, region and buttons.
  j.aws!.fake.fail("ses:GetAccount", "garbage");
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/status")), page.getByTestId("aws-refresh").click()]);
  await page.getByTestId("aws-account-error").waitFor();
  await expect(page.getByTestId("aws-key").textContent()).resolves.toBe("AKIA…0001");
  await expect(page.getByTestId("aws-refresh").isVisible()).resolves.toBe(true);

  const text = await page.content();
  for (const word of SDK_WORDS) expect(text).not.toContain(word);
  expect(text).not.toContain(KEY.secretAccessKey);
  // The 422s above are the refusals themselves; nothing else may have gone wrong.
  expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
}, 90_000);

test("a quota with nothing used draws an empty bar, and a used one draws its share", async () => {
  const page = await j.browser.newPage();
  await signUpInBrowser(page, j.url, "aws-quota@example.com", "journey password");
  await page.goto(`${j.url}/settings/aws`);
  await connectWith(page, FRESH);
  await expect(page.getByTestId("aws-quota").textContent()).resolves.toBe("0 of 200 used");
  await expect(page.getByTestId("aws-mode").textContent()).resolves.toBe("Sandbox");
  const bar = page.getByTestId("aws-quota-bar");
  await expect(bar.getAttribute("aria-valuenow")).resolves.toBe("0.0");
  // Whatever is painted inside the bar beyond its track: nothing.
  const painted = await bar.evaluate((svg) => [...svg.querySelectorAll("rect")].slice(1).map((r) => r.getBoundingClientRect().width));
  expect(painted.every((width) => width === 0)).toBe(true);

  // SES has counted 50 mails since: the fake keeps the account per key and region, as SES does.
  j.aws!.fake.account(FRESH.accessKeyId, "us-east-1")!.SendQuota.SentLast24Hours = 50;
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/status")), page.getByTestId("aws-refresh").click()]);
  await expect(page.getByTestId("aws-quota").textContent()).resolves.toBe("50 of 200 used");
  const [track, fill] = await page.getByTestId("aws-quota-bar").evaluate((svg) => [...svg.querySelectorAll("rect")].map((r) => r.getBoundingClientRect().width));
  expect(Math.round((fill! / track!) * 100)).toBe(25);
}, 60_000);

test("the AWS page fits a 390 px screen in every state: nothing scrolls sideways", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "aws-narrow@example.com", "journey password");
  const fits = async (state: string) => {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect({ state, width }).toEqual({ state, width: Math.min(width, 390) });
  };

  await page.goto(`${j.url}/settings/aws`);
  await page.getByTestId("aws-connect-form").waitFor();
  await fits("not connected");

  const long = "newsletters.a-rather-long-subdomain-of-the-marketing-department.example-company.org";
  j.aws!.fake.identities.set(long, { name: long, type: "DOMAIN", verified: false, tokens: ["abcdefghijklmnopqrstuvwxyz012345", "bcdefghijklmnopqrstuvwxyz0123456", "cdefghijklmnopqrstuvwxyz01234567"] });
  j.aws!.fake.identities.set("someone.with.a.long.address@example-company.org", { name: "someone.with.a.long.address@example-company.org", type: "EMAIL_ADDRESS", verified: true, tokens: [] });
  await connectWith(page, KEY);
  await page.getByTestId("aws-identities-table").waitFor();
  await page.getByTestId("aws-events-setup").click();
  await page.getByTestId("aws-events").getByText(/sesame-events-/).waitFor();
  await fits("connected, with identities, DNS records and a topic");

  j.aws!.fake.fail("ses:GetAccount", "html");
  j.aws!.fake.fail("ses:ListEmailIdentities", "html");
  j.aws!.fake.fail("sns:CreateTopic", "html");
  await page.reload();
  await page.getByTestId("aws-identities-error").waitFor();
  await page.getByTestId("aws-events-setup").click();
  await page.locator("#aws-events-errors [role=alert]").waitFor();
  await page.getByLabel("Or use an existing SNS topic").fill("arn:aws:sns:eu-west-1:123456789012:a-topic-that-these-keys-cannot-see-at-all");
  await page.getByRole("button", { name: "Use this topic" }).click();
  await page.locator("#field-topicArn-error").getByText(/cannot see that SNS topic/).waitFor();
  await expect(page.getByTestId("aws-account-error").isVisible()).resolves.toBe(true);
  await fits("with errors in every panel");

  expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
}, 90_000);
