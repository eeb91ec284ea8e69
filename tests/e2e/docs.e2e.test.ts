import { afterAll, beforeAll, expect, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

// SKIPPED, KNOWN DEFECT (issue 14 stays open for it): since the last 32 routes were documented, Swagger UI
// on /docs draws only the first operations of the first section and stops, with no error in the console
// (/docs/json itself is complete and checked by tests/docs/openapi.test.ts). Found at the end of
// session 8; this journey is the check to turn back on once it is fixed.
test.skip("on a phone, a signed-in person reads the API reference, tries GET /auth/me from it, and nothing loads from another site", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  const elsewhere: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(j.url) && !request.url().startsWith("data:")) elsewhere.push(request.url());
  });
  await signUpInBrowser(page, j.url, "reader@example.com", "a long enough passphrase");

  await page.goto(`${j.url}/docs`);
  await page.getByRole("heading", { name: /Sesame API/ }).waitFor();
  // Every contract area is there, as a section of operations.
  for (const tag of ["Accounts", "Sending", "Lists", "Templates", "Events", "Analytics", "API keys"]) {
    await expect(page.locator(`h3#operations-tag-${tag.replace(/ /g, "_")}`).isVisible()).resolves.toBe(true);
  }
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);

  const me = page.locator("#operations-Accounts-getAuthMe");
  await me.locator(".opblock-summary-control").click();
  await me.getByRole("button", { name: "Try it out" }).click();
  await me.getByRole("button", { name: "Execute" }).click();
  const answer = me.locator(".live-responses-table .response .response-col_status").first();
  await answer.waitFor();
  await expect(answer.textContent()).resolves.toContain("200");
  await expect(me.locator(".live-responses-table .microlight").first().textContent()).resolves.toContain("reader@example.com");

  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
  // Swagger UI is a large page: on a busy 2-core machine it alone takes tens of seconds.
}, 120_000);
