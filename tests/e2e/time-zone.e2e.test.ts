import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

async function accountZone(page: Page): Promise<string | null> {
  return (await (await page.request.get(`${j.url}/auth/me`)).json()).user.timeZone;
}

/** Whether the page has reported the browser's zone on its own, so far. */
function watchReports(page: Page): { made: boolean } {
  const reports = { made: false };
  page.on("request", (request) => {
    if (request.url().endsWith("/me/time-zone")) reports.made = true;
  });
  return reports;
}

test("a newcomer whose browser is in India signs up with Asia/Kolkata, then picks another zone in settings", async () => {
  // Chromium reports this zone by its older name, Asia/Calcutta: the account keeps the IANA one.
  const context = await j.browser.newContext({ timezoneId: "Asia/Kolkata" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const reports = watchReports(page);
  await signUpInBrowser(page, j.url, "priya@example.com", "a long enough passphrase");
  await page.waitForLoadState("networkidle");
  expect(await accountZone(page)).toBe("Asia/Kolkata");
  // The sign-up form carried it: the dashboard had nothing left to report.
  expect(reports.made).toBe(false);

  await page.goto(`${j.url}/settings`);
  const select = page.getByLabel("Time zone", { exact: true });
  expect(await select.inputValue()).toBe("Asia/Kolkata");
  await select.selectOption("Europe/Paris");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await page.getByRole("status").waitFor();
  expect(await page.getByRole("status").textContent()).toContain("Saved. Schedules are now entered and shown in Europe/Paris");
  expect(await accountZone(page)).toBe("Europe/Paris");

  await page.reload();
  expect(await page.getByLabel("Time zone", { exact: true }).inputValue()).toBe("Europe/Paris");
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);

test("an account made before zones were kept takes the browser's zone on its next page, once", async () => {
  const context = await j.browser.newContext({ timezoneId: "America/New_York" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  // Signed up through the JSON API, which sends no zone: the account has none.
  const signup = await page.request.post(`${j.url}/auth/signup`, { data: { email: "older@example.com", password: "a long enough passphrase" }, headers: { origin: j.url } });
  expect(signup.status()).toBe(201);
  expect(await accountZone(page)).toBeNull();

  const reported = page.waitForResponse((reply) => reply.url().endsWith("/me/time-zone") && reply.request().method() === "PUT");
  await page.goto(`${j.url}/dashboard`);
  expect((await reported).status()).toBe(204);
  expect(await accountZone(page)).toBe("America/New_York");

  // The page no longer asks once the account has a zone.
  const reports = watchReports(page);
  await page.goto(`${j.url}/lists`);
  await page.waitForLoadState("networkidle");
  expect(await page.locator("[data-needs-time-zone]").count()).toBe(0);
  expect(reports.made).toBe(false);
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);

test("an account without a zone takes the browser's from the login form", async () => {
  const setup = await j.browser.newContext();
  const signup = await setup.request.post(`${j.url}/auth/signup`, { data: { email: "chatham@example.com", password: "a long enough passphrase" }, headers: { origin: j.url } });
  expect(signup.status()).toBe(201);
  await setup.close();

  const context = await j.browser.newContext({ timezoneId: "Pacific/Chatham" });
  const page = await context.newPage();
  const problems = watchProblems(page);
  const reports = watchReports(page);
  await page.goto(`${j.url}/login`);
  await page.getByLabel("Email").fill("chatham@example.com");
  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/dashboard$/);
  await page.waitForLoadState("networkidle");
  expect(await accountZone(page)).toBe("Pacific/Chatham");
  expect(reports.made).toBe(false);
  expect(problems).toEqual([]);
  await context.close();
}, 60_000);
