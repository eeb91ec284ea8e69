import { afterAll, beforeAll, expect, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ startJobs: true });
});
afterAll(async () => {
  await j?.stop();
});

const CSV = [
  "Email Address;First Name;Company;Internal ID",
  "ada@example.com;Ada;Analytical Engines;1",
  "grace@example.com;Grace;Navy;2",
  "ADA@example.com;Ada again;Duplicate Inc;3",
  "not-an-address;Nobody;Nowhere;4",
  'linus@example.com;"Linus <b>T</b>";Kernel;5',
].join("\r\n");

test("a user imports a CSV with column mapping, watches it finish and reads the report", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "importer@example.com", "import password");

  await page.getByRole("link", { name: "Lists", exact: true }).click();
  await expect(page.getByTestId("empty-state").textContent()).resolves.toContain("No lists yet");
  await page.getByLabel("New list").fill("Pioneers");
  await page.getByRole("button", { name: "Create list" }).click();
  await page.waitForURL(/\/lists\/lst_/);
  await page.getByRole("link", { name: "Import CSV" }).click();
  await page.waitForURL(/\/import$/);

  await page.getByLabel("CSV file").setInputFiles({ name: "pioneers.csv", mimeType: "text/csv", buffer: Buffer.from(CSV) });
  await page.getByRole("button", { name: /Upload and preview/ }).click();
  await page.getByTestId("import-mapping").waitFor();
  const mapping = page.getByTestId("import-mapping");
  await expect(mapping.textContent()).resolves.toContain("separated by \";\"");
  await expect(mapping.textContent()).resolves.toContain("grace@example.com");
  expect(await page.locator("#use_0").inputValue()).toBe("email");
  await page.locator("#use_3").selectOption("skip");
  await page.locator("#key_1").fill("name");
  await page.getByRole("button", { name: "Start import" }).click();

  const progress = page.getByTestId("import-progress");
  await page.locator('[data-testid="import-progress"][data-status="done"]').waitFor({ timeout: 15_000 });
  const counts = async (key: string) => (await progress.locator(`[data-count="${key}"]`).textContent())?.trim();
  expect(await counts("imported")).toBe("3");
  expect(await counts("duplicates")).toBe("1");
  expect(await counts("invalid")).toBe("1");
  await expect(progress.textContent()).resolves.toContain('"not-an-address" is not a valid email address.');
  await expect(page.getByRole("link", { name: /Download all invalid rows/ }).getAttribute("href")).resolves.toMatch(/\/errors\.csv$/);

  await page.getByRole("link", { name: "Back to the list" }).click();
  await page.getByTestId("contacts").waitFor();
  const table = page.getByTestId("contacts");
  await expect(table.textContent()).resolves.toContain("linus@example.com");
  await expect(table.textContent()).resolves.toContain("Linus <b>T</b>");
  expect(await table.locator("b").count()).toBe(0);
  await expect(table.textContent()).resolves.not.toContain("internal_id");

  await page.getByLabel("Search contacts").fill("navy");
  await page.waitForFunction(() => document.querySelectorAll("#contacts tbody tr").length === 1);
  await expect(page.locator("#contacts").textContent()).resolves.toContain("grace@example.com");

  expect(problems).toEqual([]);
}, 60_000);
