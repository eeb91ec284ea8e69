import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { addSuppressions } from "../../src/features/suppressions/queries";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { fillSesList } from "./world";

const KEY = { accessKeyId: "AKIAE2ESUPPRESSIONS1", secretAccessKey: "e2e-suppressions-secret-access-key-0000" };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
});
afterAll(async () => {
  await j?.stop();
});

async function connect(page: Page) {
  await page.goto(`${j.url}/settings/aws`);
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-account").waitFor();
}

const rows = (page: Page) => page.getByTestId("ses-suppressions-table").locator("tbody tr");

test("an admin adds an address to SES's list, finds it by part of it, removes it after confirming, and pushes a hard bounce from Sesame", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "ses-list-journey@example.com", "journey password");
  await connect(page);
  await page.getByTestId("aws-tabs").getByRole("link", { name: "SES suppression list" }).click();
  await page.waitForURL(/\/settings\/aws\/suppressions$/);
  await page.getByTestId("ses-suppressions-empty").waitFor();

  await page.getByLabel(/Add an address/).fill("Bounced.Reader@Example.com");
  await page.getByLabel("Reason", { exact: true }).last().selectOption("COMPLAINT");
  await page.getByRole("button", { name: "Add to SES's list" }).click();
  await page.locator("#ses-suppressions-errors").getByText("Added bounced.reader@example.com").waitFor();
  await rows(page).first().waitFor();
  expect(j.aws!.fake.suppressed.get("bounced.reader@example.com")?.reason).toBe("COMPLAINT");

  fillSesList(j.aws!.fake.suppressed, 30);
  await page.getByLabel("Address", { exact: true }).fill("reader");
  await page.getByRole("button", { name: "Search" }).click();
  await page.waitForURL(/\/settings\/aws\/suppressions\?q=reader$/);
  await expect(rows(page).count()).resolves.toBe(1);
  await expect(rows(page).first().textContent()).resolves.toContain("Complaint");
  // The search is in the URL: a reload shows the same.
  await page.reload();
  await expect(rows(page).count()).resolves.toBe(1);

  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await rows(page).first().getByRole("button", { name: "Remove" }).click();
  await page.getByTestId("ses-suppressions-empty").waitFor();
  expect(asked).toContain("Remove bounced.reader@example.com from SES's suppression list?");
  expect(j.aws!.fake.suppressed.has("bounced.reader@example.com")).toBe(false);

  // Sesame recorded a hard bounce; a push puts it on SES's list.
  const [workspace] = await j.t.database.db.orm.select().from(j.t.database.db.t.workspaces);
  await addSuppressions(j.t.database.db, [{ workspaceId: workspace!.id, email: "hard.bounce@example.com", reason: "hard_bounce", source: "test", createdAt: new Date() }]);
  await page.getByRole("radio", { name: /Push to SES/ }).check();
  await page.getByTestId("ses-sync-setting").getByRole("button", { name: "Save" }).click();
  await page.getByTestId("ses-sync-last").getByText(/Sesame syncs every 15 minutes/).waitFor();
  await page.getByRole("button", { name: "Push now" }).click();
  await page.getByTestId("ses-sync-run").getByText("Pushed to SES: 1 added to SES's list, 0 already there.").waitFor();
  expect(j.aws!.fake.suppressed.get("hard.bounce@example.com")?.reason).toBe("BOUNCE");

  await page.getByTestId("ses-attribute-bounce").uncheck();
  await page.getByTestId("ses-attributes-form").getByRole("button", { name: "Save" }).click();
  await page.getByTestId("ses-attributes").getByText("Saved in SES.").waitFor();
  expect(j.aws!.fake.account(KEY.accessKeyId, "us-east-1")!.SuppressionAttributes.SuppressedReasons).toEqual(["COMPLAINT"]);
  expect(problems).toEqual([]);
}, 90_000);

test("the page fits a 390 px screen with long addresses: nothing scrolls sideways", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "ses-list-narrow@example.com", "journey password");
  await connect(page);
  j.aws!.fake.suppressed.set("someone.with.a.rather.long.address.indeed@a-long-subdomain.example-company.org", { reason: "BOUNCE", lastUpdate: new Date() });
  await page.goto(`${j.url}/settings/aws/suppressions`);
  await rows(page).first().waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
  expect(problems).toEqual([]);
}, 60_000);
