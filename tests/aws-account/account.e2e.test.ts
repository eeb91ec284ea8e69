import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { ACCOUNT } from "../support/aws";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { fakeVdm } from "../support/fake/account";

/** A brand-new AWS account: the sandbox in its own region, Malaysia (an opt-in region) not enabled. */
const KEY = { accessKeyId: "AKIAE2EACCOUNTPAGE01", secretAccessKey: "e2e-account-secret-access-key-000000000" };
const SANDBOX = { ...ACCOUNT, Details: undefined, ProductionAccessEnabled: false, SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3 } };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey, account: SANDBOX, regions: { "ap-southeast-5": "disabled" } } } });
});
afterAll(async () => {
  await j?.stop();
});

async function fits(page: Page, state: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect({ state, width }).toEqual({ state, width: Math.min(width, 390) });
}

/** Accepts the next confirmation dialog and gives back its text. */
function confirmNext(page: Page): Promise<string> {
  return new Promise((resolve) => page.once("dialog", (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
}

test("on a phone, a new sandbox account requests production access, pauses and resumes sending, sees every region, and turns on VDM only after a confirmation naming its cost", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "account-journey@example.com", "journey password");

  await page.goto(`${j.url}/settings/aws`);
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByLabel("Region").selectOption("eu-west-1");
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-sandbox-notice").waitFor();

  // The sandbox notice leads to the request form on the Account tab.
  await page.getByTestId("aws-sandbox-notice").getByRole("link", { name: "Request production access" }).click();
  await page.waitForURL(/\/settings\/aws\/account/);
  await page.getByTestId("aws-production-access-form").waitFor();
  await expect(page.getByTestId("aws-mode-meaning").textContent()).resolves.toContain("at most 200 messages in 24 hours and 1 per second");
  await page.getByTestId("aws-regions-table").waitFor();
  await expect(page.locator('tr[data-region="ap-southeast-5"]').textContent()).resolves.toContain("Not enabled for this AWS account");
  await expect(page.getByTestId("aws-region-current").count()).resolves.toBe(1);
  await fits(page, "sandbox account with the request form and every region");

  // An address the server refuses: its sentence under the field, nothing sent to AWS.
  await page.getByLabel(/Transactional/).check();
  await page.getByLabel("Website").fill("https://app.example.com");
  await page
    .getByLabel("Use case")
    .fill("Password resets and receipts for the customers of app.example.com, about 500 a day; bounces and complaints are suppressed by Sesame.");
  await page.getByLabel("Language AWS answers in").selectOption("JA");
  await page.getByLabel(/Other people AWS should write to/).fill("not-an-address");
  await page.getByRole("button", { name: "Request production access" }).click();
  await page.locator("#field-additionalContactEmails-error").getByText(/is not an email address/).waitFor();
  expect(j.aws!.fake.calls.some((c) => c.action === "PutAccountDetails")).toBe(false);

  await page.getByLabel(/Other people AWS should write to/).fill("ops@example.com");
  await page.getByRole("button", { name: "Request production access" }).click();
  await page.getByTestId("aws-review-status").getByText("Being reviewed by AWS").waitFor();
  const details = j.aws!.fake.account(KEY.accessKeyId, "eu-west-1")!.Details;
  expect(details).toMatchObject({ MailType: "TRANSACTIONAL", WebsiteURL: "https://app.example.com", ContactLanguage: "JA", AdditionalContactEmailAddresses: ["ops@example.com"] });
  await expect(page.getByTestId("aws-review-case").textContent()).resolves.toBe(details.ReviewDetails.CaseId);
  await fits(page, "request under review");

  // Pausing the account's sending asks first, naming what happens to campaigns.
  const asked = confirmNext(page);
  await page.getByTestId("aws-account-pause").click();
  expect(await asked).toContain("running campaigns will pause");
  await page.getByTestId("aws-account-resume").waitFor();
  expect(j.aws!.fake.account(KEY.accessKeyId, "eu-west-1")!.SendingEnabled).toBe(false);
  await expect(page.getByTestId("aws-history").textContent()).resolves.toContain("Sending: on → paused");
  const again = confirmNext(page);
  await page.getByTestId("aws-account-resume").click();
  await again;
  await page.getByTestId("aws-account-pause").waitFor();

  // Reputation: Virtual Deliverability Manager stays off until an explicit, confirmed click.
  fakeVdm(j.aws!.fake).daily = { SEND: 120, DELIVERY: 118 };
  fakeVdm(j.aws!.fake).recommendations = [{ Type: "DMARC", Impact: "HIGH", Status: "OPEN", Description: "No DMARC record was found for app.example.com." }];
  await page.getByTestId("aws-tabs").getByRole("link", { name: "Reputation" }).click();
  await page.waitForURL(/\/settings\/aws\/reputation$/);
  await page.getByTestId("aws-vdm-cost").waitFor();
  await fits(page, "reputation with VDM off");
  expect(j.aws!.fake.calls.filter((c) => ["BatchGetMetricData", "ListRecommendations", "PutAccountVdmAttributes"].includes(c.action))).toEqual([]);

  const cost = confirmNext(page);
  await page.getByTestId("aws-vdm-enable").click();
  expect(await cost).toContain("AWS charges for it per message sent");
  await page.getByTestId("aws-vdm-recommendations").getByText("DMARC policy").waitFor();
  await expect(page.locator('[data-metric="SEND"]').textContent()).resolves.toContain("840");
  await fits(page, "reputation with VDM metrics and recommendations");

  await page.getByRole("link", { name: "Last 14 days" }).click();
  await page.waitForURL(/\/settings\/aws\/reputation\?days=14$/);
  await expect(page.locator('[data-metric="SEND"]').textContent()).resolves.toContain("1,680");

  expect(problems.filter((p) => !p.includes("422"))).toEqual([]);
}, 90_000);
