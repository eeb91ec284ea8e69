import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

const KEY = { accessKeyId: "AKIAE2EJOURNEY000001", secretAccessKey: "e2e-journey-secret-access-key-000000000" };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
});
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
  await expect(page.locator("progress").getAttribute("value")).resolves.toBe("25.0");
  await expect(page.getByTestId("aws-mode").textContent()).resolves.toBe("Production");
  await Promise.all([page.waitForResponse((r) => r.url().endsWith("/aws/status")), page.getByTestId("aws-refresh").click()]);
  await expect(page.getByTestId("aws-rate").textContent()).resolves.toBe("14 / second");
  expect(await page.content()).not.toContain(KEY.secretAccessKey);

  // Identities: the panel loads by itself; adding a domain shows the DNS records to publish.
  await page.getByTestId("aws-identity-form").waitFor();
  await page.getByLabel("Add an address or domain").fill("news.example.org");
  await page.getByRole("button", { name: "Add identity" }).click();
  await page.getByText("._domainkey.news.example.org").first().waitFor();
  await expect(page.getByTestId("aws-identities").textContent()).resolves.toContain("PENDING");

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
