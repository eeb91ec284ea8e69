import { afterAll, beforeAll, expect, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("on a phone, a person makes an API key, copies it once, uses it from a script, then revokes it after confirming", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "devon@example.com", "devon passphrase 1");
  await page.goto(`${j.url}/settings`);
  await page.getByRole("link", { name: /API keys/ }).click();
  await page.waitForURL(/\/settings\/api-keys$/);
  await expect(page.getByTestId("empty-state").textContent()).resolves.toContain("No API keys yet");

  await page.getByLabel("Name").fill("Shop server");
  await page.getByLabel(/Send mail/).check();
  await page.getByRole("button", { name: "Create key" }).click();
  const value = page.getByTestId("new-key-value");
  await value.waitFor();
  const key = await value.inputValue();
  expect(key).toMatch(/^sesame_[A-Za-z0-9_-]{43}$/);
  // The table gains the key by its first characters only.
  await page.getByTestId("key-row").waitFor();
  const row = await page.getByTestId("key-row").textContent();
  expect(row).toContain("Shop server");
  expect(row).toContain(key.slice(0, 13));
  expect(row).not.toContain(key);
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);

  // The key works from a script (no cookie), and not as a way into the pages.
  const me = await fetch(`${j.url}/auth/me`, { headers: { authorization: `Bearer ${key}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { user: { email: string } }).user.email).toBe("devon@example.com");
  expect((await fetch(`${j.url}/dashboard`, { headers: { authorization: `Bearer ${key}`, accept: "text/html" }, redirect: "manual" })).status).toBe(303);

  // Gone after a reload: shown once.
  await page.reload();
  expect(await page.content()).not.toContain(key);

  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByText(/^Revoked/).waitFor();
  expect(asked).toContain("Revoke the key “Shop server”");
  expect((await fetch(`${j.url}/auth/me`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  expect(problems).toEqual([]);
}, 60_000);
