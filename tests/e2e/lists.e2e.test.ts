import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ startJobs: true });
});
afterAll(async () => {
  await j?.stop();
});

/** Creates a list and imports `csv` through the page's own session (the JSON API), waiting for the import. */
async function listWith(page: Page, name: string, csv: string, wait = true) {
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name }, headers: { origin: j.url } })).json();
  const upload = await page.request.post(`${j.url}/lists/${list.id}/import`, { data: csv, headers: { "content-type": "text/csv", origin: j.url } });
  const { importId } = await upload.json();
  if (wait) {
    for (let i = 0; i < 200; i++) {
      const report = await (await page.request.get(`${j.url}/imports/${importId}`)).json();
      if (report.status !== "running") break;
      await Bun.sleep(50);
    }
  }
  return { listId: list.id as string, importId: importId as string };
}

const rows = (n: number, prefix = "person") => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, "0")}@example.com,Name ${i},City ${i % 5}`);

/** Every page a signed-in person can open, by path. */
async function everyPage(page: Page): Promise<string[]> {
  const { listId } = await listWith(page, "Narrow list", "email,First Name,Company,City,Country,Notes\nnarrow@example.com,A very long first name,A company with a long name,Somewhere,Somewhere else,Notes that go on and on and on\n");
  const contact = (await (await page.request.get(`${j.url}/lists/${listId}/contacts`)).json()).items[0].id;
  const imports = await (await page.request.post(`${j.url}/lists/${listId}/import?preview=1`, { data: "email\nx@example.com\n", headers: { "content-type": "text/csv", origin: j.url } })).json();
  const admin = (await (await page.request.get(`${j.url}/auth/me`)).json()).user.role === "admin";
  const campaign = await (
    await page.request.post(`${j.url}/campaigns`, {
      data: { name: "A campaign with a rather long name for a narrow screen", from: "The Narrow Newsletter <newsletter-with-a-long-address@example.com>", subject: "Narrow news", html: "<p>Hi</p>", listIds: [listId] },
      headers: { origin: j.url },
    })
  ).json();
  return [
    ...["/campaigns/new", `/campaigns/${campaign.id}`, `/campaigns/${campaign.id}/edit`, `/campaigns/${campaign.id}/review`, "/send"],
    ...["/dashboard", "/campaigns", "/lists", `/lists/${listId}`, `/lists/${listId}/import`, `/imports/${imports.importId}`, `/contacts/${contact}?list=${listId}`],
    ...["/suppressions", "/templates", "/templates/new", "/events", "/settings", "/settings/aws", "/settings/workspace"],
    ...(admin ? ["/admin"] : []),
  ];
}

// First in the file, so its account is the instance's administrator and the admin page is checked too.
test("at 390 px wide every page fits without sideways scrolling, and the navigation sits behind a menu button", async () => {
  const page = await j.browser.newPage({ viewport: { width: 390, height: 844 } });
  const problems = watchProblems(page);
  await page.goto(`${j.url}/login`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.goto(`${j.url}/signup`);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await signUpInBrowser(page, j.url, "narrow@example.com", "narrow password");

  const nav = page.getByTestId("main-nav");
  expect(await nav.isVisible()).toBe(false);
  // The menu is an Alpine island: wait until it has started, as a person would see the page finish loading.
  await page.waitForFunction(() => (document.querySelector("[x-data=navMenu]") as { _x_dataStack?: unknown } | null)?._x_dataStack);
  await page.getByRole("button", { name: "Menu" }).click();
  await nav.waitFor({ state: "visible" });
  expect(await page.getByRole("button", { name: "Menu" }).getAttribute("aria-expanded")).toBe("true");
  await page.keyboard.press("Escape");
  await nav.waitFor({ state: "hidden" });
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Lists", exact: true }).click();
  await page.waitForURL(/\/lists$/);

  const wide: { path: string; width: number }[] = [];
  for (const path of await everyPage(page)) {
    await page.goto(`${j.url}${path}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide.push({ path, width });
  }
  expect(wide).toEqual([]);

  // Wide screens keep the sidebar, with no menu button.
  await page.goto(`${j.url}/dashboard`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await nav.waitFor({ state: "visible" });
  expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
  expect(problems).toEqual([]);
}, 90_000);

test("the contacts table keeps page, sort and search in the URL: reload, back and new tabs show the same view", async () => {
  const page = await (await j.browser.newContext()).newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "tables@example.com", "tables password");
  // Added in an order that is not alphabetical.
  const csv = `Email,First Name,Home City\n${[...rows(60).slice(30), ...rows(60).slice(0, 30)].join("\n")}\n`;
  const { listId } = await listWith(page, "Members", csv);
  await page.goto(`${j.url}/lists/${listId}`);

  const table = page.getByTestId("contacts");
  // Column headers as the CSV wrote them; rows in the order they were added, each with its date.
  await expect(table.locator("thead").textContent()).resolves.toContain("First Name");
  await expect(table.locator("thead").textContent()).resolves.toContain("Home City");
  expect(await table.locator("tbody tr").first().locator("td").first().textContent()).toContain("person030@example.com");
  expect(await table.locator("tbody time[data-local]").count()).toBe(50);

  await page.getByRole("link", { name: "Next →" }).click();
  await page.waitForURL(/page=2/);
  await expect(table.textContent()).resolves.toContain("person029@example.com");
  await page.reload();
  await expect(page.getByTestId("contacts").textContent()).resolves.toContain("Page 2 of 2");

  await page.getByRole("link", { name: /^Email/ }).click();
  await page.waitForURL(/sort=email/);
  expect(await page.getByTestId("contacts").locator("tbody tr").first().textContent()).toContain("person000@example.com");
  await page.getByRole("link", { name: /^Email/ }).click();
  await page.waitForURL(/sort=-email/);
  expect(await page.getByTestId("contacts").locator("tbody tr").first().textContent()).toContain("person059@example.com");

  await page.getByLabel("Search contacts").fill("person04");
  await page.waitForURL(/q=person04/);
  await page.waitForFunction(() => document.querySelectorAll("#contacts tbody tr").length === 10);
  await page.reload();
  expect(await page.getByLabel("Search contacts").inputValue()).toBe("person04");
  expect(await page.getByTestId("contacts").locator("tbody tr").count()).toBe(10);

  await page.goBack();
  await page.waitForURL((url) => !url.search.includes("q=person04"));
  await expect(page.getByTestId("contacts").textContent()).resolves.toContain("person059@example.com");

  // A link opened in a new tab, and the JSON API's address opened in a browser, are pages.
  const href = await page.getByRole("link", { name: /^Added/ }).getAttribute("href");
  const tab = await page.context().newPage();
  await tab.goto(`${j.url}${href}`);
  await expect(tab.locator("h1").textContent()).resolves.toBe("Members");
  await tab.goto(`${j.url}/lists/${listId}/contacts?page=2&sort=email`);
  await tab.waitForURL(new RegExp(`/lists/${listId}\\?`));
  await expect(tab.getByTestId("contacts").textContent()).resolves.toContain("Page 2 of 2");
  await tab.close();
  expect(problems).toEqual([]);
}, 60_000);

test("a list is renamed, a contact added and edited by hand, and the workspace renamed as recipients will see it", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "handmade@example.com", "handmade password");
  const { listId } = await listWith(page, "Draft name", "email,Company\nfirst@example.com,Acme\n");
  await page.goto(`${j.url}/lists/${listId}`);

  await page.locator("summary", { hasText: "Rename" }).click();
  await page.getByLabel("List name").fill("Customers");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.waitForFunction(() => document.querySelector("h1")?.textContent === "Customers");

  await page.locator("summary", { hasText: "Add contact" }).click();
  await page.getByLabel("Email address").fill("Second@Example.com");
  await page.getByLabel("Company").fill("Globex");
  await page.getByLabel("New attribute (name)").fill("Plan");
  await page.getByLabel("New attribute (value)").fill("Pro");
  await page.getByRole("button", { name: "Add contact" }).click();
  await page.waitForFunction(() => document.querySelector("#contacts")?.textContent?.includes("second@example.com"));
  await expect(page.getByTestId("contacts").locator("thead").textContent()).resolves.toContain("Plan");

  await page.getByRole("link", { name: "second@example.com" }).click();
  await page.getByLabel("Plan").fill("Enterprise");
  await page.getByLabel("Company").fill("");
  await page.getByRole("button", { name: "Save attributes" }).click();
  await page.getByText("Saved.").waitFor();
  await page.goto(`${j.url}/lists/${listId}`);
  const row = page.getByTestId("contacts").locator("tr", { hasText: "second@example.com" });
  await expect(row.textContent()).resolves.toContain("Enterprise");
  await expect(row.textContent()).resolves.not.toContain("Globex");

  await page.goto(`${j.url}/settings`);
  await page.getByRole("link", { name: /Workspace/ }).click();
  await page.getByLabel("Workspace name").fill("Acme Newsletter");
  await page.getByRole("button", { name: "Save name" }).click();
  await page.getByText('Recipients now see "Acme Newsletter"').waitFor();
  expect(problems).toEqual([]);
}, 60_000);

test("an import in progress shows on its list and import pages after a reload and in a second tab, and can be cancelled", async () => {
  const page = await (await j.browser.newContext()).newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "watcher@example.com", "watcher password");
  const big = `email,n\n${Array.from({ length: 300_000 }, (_, i) => `w${i}@example.com,${i}`).join("\n")}\n`;
  const { listId, importId } = await listWith(page, "Big one", big, false);

  await page.goto(`${j.url}/lists/${listId}`);
  const banner = page.getByTestId("import-banner");
  await expect(banner.textContent()).resolves.toContain("An import is running");
  const second = await page.context().newPage();
  await second.goto(`${j.url}/lists/${listId}/import`);
  await second.getByTestId("import-progress").waitFor();
  expect(await second.getByTestId("import-upload").count()).toBe(0);
  await second.goto(`${j.url}/imports/${importId}`);
  second.once("dialog", (dialog) => void dialog.accept());
  await second.getByRole("button", { name: "Cancel import" }).click();
  await second.locator('[data-testid="import-progress"][data-status="cancelled"]').waitFor();
  await expect(second.getByTestId("import-progress").textContent()).resolves.toContain("stay on the list");
  // The first tab's banner notices by itself.
  await page.locator('[data-testid="import-banner"][data-status="cancelled"]').waitFor({ timeout: 10_000 });
  await second.close();
  expect(problems).toEqual([]);
}, 60_000);
