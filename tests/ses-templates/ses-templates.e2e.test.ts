import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

const KEY = { accessKeyId: "AKIAE2ESESTEMPLATES1", secretAccessKey: "e2e-ses-templates-secret-access-key-000" };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
});
afterAll(async () => {
  await j?.stop();
});

async function fitsPhone(page: Page, where: string) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect({ where, width }).toEqual({ where, width: Math.min(width, 390) });
}

test("on a phone: publish a Sesame template, test-render it in SES, import it back and delete it, nothing scrolling sideways", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "ses-templates-journey@example.com", "journey password 1");
  await page.goto(`${j.url}/settings/aws`);
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-account").waitFor();
  const created = await page.request.post(`${j.url}/email/template`, {
    data: { name: "Spring news", subject: "Spring news for {{name|you}}", html: "<p>Hello <strong>{{name|there}}</strong> at {{company}}</p>" },
  });
  expect(created.status()).toBe(201);

  await page.goto(`${j.url}/settings/aws/templates`);
  await page.getByTestId("ses-templates-empty").waitFor();
  await fitsPhone(page, "empty list");
  await page.locator("#field-templateId").selectOption({ label: "Spring news" });
  await page.getByRole("button", { name: "Publish to SES" }).click();
  await page.getByTestId("ses-templates-notice").getByText("Published to SES as spring-news").waitFor();
  await fitsPhone(page, "list");

  await page.getByRole("link", { name: "spring-news" }).click();
  await page.waitForURL(/\/settings\/aws\/templates\/spring-news$/);
  await fitsPhone(page, "template");
  await page.getByLabel("Values (JSON)").fill('{"name": "Ann", "company": "Acme"}');
  await page.getByRole("button", { name: "Render in SES" }).click();
  await page.getByTestId("ses-render-subject").getByText("Spring news for Ann").waitFor();
  expect(await page.frameLocator('[data-testid="ses-render-html"]').locator("strong").textContent()).toBe("Ann");
  await fitsPhone(page, "rendered");

  await page.getByRole("button", { name: "Import into Sesame" }).click();
  await page.waitForURL(/\/templates\/tpl_/);
  await page.getByTestId("ses-published").getByText("spring-news").waitFor();

  await page.goto(`${j.url}/settings/aws/templates/spring-news`);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete from SES" }).click();
  await page.waitForURL(/\/settings\/aws\/templates$/);
  await page.getByTestId("ses-templates-empty").waitFor();
  expect(problems).toEqual([]);
  await page.close();
});
