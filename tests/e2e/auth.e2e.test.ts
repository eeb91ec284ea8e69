import { afterAll, beforeAll, expect, test } from "bun:test";
import { startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("a newcomer signs up, logs out, logs back in and sees the empty dashboard", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);

  await page.goto(`${j.url}/`);
  await page.waitForURL(/\/login$/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.waitForURL(/\/signup$/);

  await page.getByLabel("Name").fill("Nadia");
  await page.getByLabel("Email").fill("nadia@example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  // The browser's own minlength check stops a too-short password before it is sent.
  expect(page.url()).toEndWith("/signup");

  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Dashboard" }).isVisible()).resolves.toBe(true);
  await expect(page.getByTestId("empty-state").textContent()).resolves.toContain("Nothing sent yet");
  await expect(page.getByRole("link", { name: "Admin" }).isVisible()).resolves.toBe(true);

  await page.getByRole("button", { name: "Log out" }).first().click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${j.url}/dashboard`);
  await page.waitForURL(/\/login\?next=%2Fdashboard$/);

  expect(problems).toEqual([]);
  await page.getByLabel("Email").fill("nadia@example.com");
  await page.getByLabel("Password").fill("not the passphrase");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("alert").waitFor();
  await expect(page.getByRole("alert").textContent()).resolves.toContain("do not match");
  // The refused login is the only thing the browser may report: the 401 itself.
  expect(problems.every((p) => p.includes("401"))).toBe(true);
  problems.length = 0;

  await page.getByLabel("Password").fill("a long enough passphrase");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/dashboard$/);
  await expect(page.getByTestId("empty-state").isVisible()).resolves.toBe(true);
  await expect(page.getByTestId("current-user").textContent()).resolves.toContain("nadia@example.com");

  expect(problems).toEqual([]);
}, 60_000);
