import { afterAll, beforeAll, expect, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("on a phone, a signed-in person reads the API reference, tries GET /auth/me from it, and nothing loads from another site", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(j.url) && !request.url().startsWith("data:")) elsewhere.push(request.url());
  });
  await signUpInBrowser(page, j.url, "reader@example.com", "a long enough passphrase");

  await page.goto(`${j.url}/docs`);
  await page.getByRole("heading", { name: /Sesame API/ }).waitFor();
  // Every area is there as a folded section, all drawn at once (not only those on screen).
  for (const tag of ["Accounts", "Sending", "Lists", "Templates", "Events", "Analytics", "Workspace", "Audit log", "Admin", "API keys"]) {
    await page.locator(`h3#operations-tag-${tag.replace(/ /g, "_")}`).waitFor({ state: "visible" });
  }
  await expect(page.locator("h3.opblock-tag").count()).resolves.toBe(18);
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);

  await page.locator("h3#operations-tag-Accounts").click();
  const me = page.locator("#operations-Accounts-getAuthMe");
  await me.locator(".opblock-summary-control").click();
  await me.getByRole("button", { name: "Try it out" }).click();
  await me.getByRole("button", { name: "Execute" }).click();
  const answer = me.locator(".live-responses-table .response .response-col_status").first();
  await answer.waitFor();
  await expect(answer.textContent()).resolves.toContain("200");
  await expect(me.locator(".live-responses-table .microlight").first().textContent()).resolves.toContain("reader@example.com");

  // A link to one operation opens its section and shows it.
  // (A fresh load: a hash change alone is not a new visit.)
  await page.goto("about:blank");
  await page.goto(`${j.url}/docs#/Sending/postEmailSend`);
  await page.locator("#operations-Sending-postEmailSend").waitFor({ state: "visible" });

  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
  // Swagger UI is a large page: on a busy 2-core machine it alone takes tens of seconds.
}, 120_000);
