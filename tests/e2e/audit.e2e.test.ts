import { afterAll, beforeAll, expect, test } from "bun:test";
import Papa from "papaparse";
import { Client } from "../support/client";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("an owner on a phone finds a failed sign-in in the audit log, filters by action and downloads the same view as CSV", async () => {
  const context = await j.browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "owner@example.com", "the owner's passphrase");
  // Someone guesses the owner's password.
  expect((await new Client(j.t.app).post("/auth/login", { email: "owner@example.com", password: "a wrong guess" })).status).toBe(401);

  await page.getByTestId("menu-button").click();
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.waitForURL(/\/audit$/);
  const summaries = page.getByTestId("audit-summary");
  await expect(summaries.allTextContents()).resolves.toEqual(["Failed sign-in: wrong email or password", "Signed up"]);

  await page.getByLabel("Action").selectOption({ label: "Failed sign-in" });
  await page.waitForURL(/\/audit\?action=auth\.login_failed$/);
  await expect(summaries.allTextContents()).resolves.toEqual(["Failed sign-in: wrong email or password"]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("audit-csv").click()]);
  const { data } = Papa.parse<string[]>((await Bun.file((await download.path())!).text()).trim());
  expect(data.slice(1).map((row) => [row[1], row[4]])).toEqual([["auth.login_failed", "owner@example.com"]]);

  // Back restores the unfiltered log.
  await page.goBack();
  await page.waitForURL(/\/audit$/);
  await expect(summaries.allTextContents()).resolves.toEqual(["Failed sign-in: wrong email or password", "Signed up"]);
  expect(problems).toEqual([]);
  await context.close();
}, 90_000);
