import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { utcToZonedInput } from "../../src/lib/zones";

// Starting Chromium and the SES emulator takes longer than the 5 s a plain `bun test` gives a hook.
setDefaultTimeout(60_000);

const KEY = { accessKeyId: "AKIACAMPAIGNJOURNEY1", secretAccessKey: "campaign-journey-secret-access-key-0000" };
const ZONE = "Europe/Paris";
const CONTACTS = 40;

let j: Journey;
beforeAll(async () => {
  // Jobs run: the sender's scheduler starts the campaign at its time and sends it.
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } }, startJobs: true });
  j.aws!.fake.identities.set("example.com", { name: "example.com", type: "DOMAIN", verified: true, tokens: [] });
});
afterAll(async () => {
  await j?.stop();
});

/**
 * The next whole minute at least `margin` ms away: the time field takes minutes, as people schedule,
 * so the test waits for the first one it can still type and review before it comes.
 */
function nextMinute(margin: number): Date {
  const minute = 60_000;
  return new Date(Math.ceil((Date.now() + margin) / minute) * minute);
}

test("a campaign made from a template and a list, scheduled in the person's zone, starts by itself and its page follows it to the end", async () => {
  const context = await j.browser.newContext({ timezoneId: ZONE });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "planner@example.com", "planner password");
  expect((await (await page.request.get(`${j.url}/auth/me`)).json()).user.timeZone).toBe(ZONE);

  // Keys, a template and a list, through the API with the same session.
  expect((await page.request.post(`${j.url}/aws/connect`, { data: { ...KEY, region: "us-east-1", save: true } })).status()).toBe(200);
  await page.request.post(`${j.url}/email/template`, { data: { name: "Autumn letter", subject: "Autumn news for {{name|you}}", html: "<p>Hello {{name|there}}, here is the news.</p>" } });
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Readers" } })).json();
  const csv = `email,name\n${Array.from({ length: CONTACTS }, (_, i) => `reader${String(i).padStart(2, "0")}@example.com,Reader ${i}`).join("\n")}\n`;
  const { importId } = await (await page.request.post(`${j.url}/lists/${list.id}/import`, { headers: { "content-type": "text/csv" }, data: csv })).json();
  for (let i = 0; i < 200; i++) {
    if ((await (await page.request.get(`${j.url}/imports/${importId}`)).json()).status === "done") break;
    await Bun.sleep(50);
  }

  await page.getByRole("link", { name: "Campaigns", exact: true }).click();
  await page.getByTestId("empty-state").getByRole("link", { name: "New campaign" }).click();
  await page.waitForURL(/\/campaigns\/new$/);
  await page.getByLabel("Campaign name").fill("Autumn news");
  await page.getByLabel("Template").selectOption({ label: "Autumn letter — Autumn news for {{name|you}}" });
  await page.getByLabel(/^Readers/).check();
  await page.getByLabel("Sender name (optional)").fill("The Readers' Club");
  await page.getByLabel("Address", { exact: true }).selectOption("@example.com");
  await page.getByLabel("Part before the @").fill("news");
  expect(await page.getByLabel("Track opens and clicks").isChecked()).toBe(true);
  expect(await page.getByTestId("zone-label").textContent()).toMatch(/^Europe\/Paris \(UTC\+0[12]:00\)$/);

  // Typed as the person reads their clock: Paris time.
  const at = nextMinute(20_000);
  await page.getByLabel("At a time I choose").check();
  await page.getByLabel("Date and time").fill(utcToZonedInput(at, ZONE));
  await page.getByRole("button", { name: "Save and review" }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^/]+\/review$/);
  const id = page.url().split("/")[4]!;
  expect(new Date((await (await page.request.get(`${j.url}/campaigns/${id}`)).json()).scheduledAt).getTime()).toBe(at.getTime());

  await expect(page.getByTestId("review-to-send").textContent()).resolves.toBe(String(CONTACTS));
  expect(await page.getByTestId("review-problems").count()).toBe(0);
  await page.getByRole("button", { name: /^Schedule for / }).click();
  // The notice shows once: the address drops it, so a reload shows the page without it.
  await page.waitForURL(new RegExp(`/campaigns/${id}$`));
  await page.getByText("Scheduled: it starts by itself at the time shown.").waitFor();
  await expect(page.getByTestId("campaign-status").textContent()).resolves.toMatch(/^Scheduled for \w{3} \d{1,2} \w{3}, \d\d:\d\d$/);
  expect(await page.getByTestId("campaign-status").textContent()).toContain(utcToZonedInput(at, ZONE).slice(11));

  // Nothing more is done by the test: the page notices the start and the end by itself.
  const started = Date.now();
  await page.locator('[data-testid="campaign-status"][data-status="running"], [data-testid="campaign-status"][data-status="sent"]').waitFor({ timeout: 90_000 });
  expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 1_000);
  await page.locator('[data-testid="progress-bar"][aria-valuenow="100"]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="campaign-status"][data-status="sent"]').waitFor({ timeout: 30_000 });
  expect(Date.now() - started).toBeLessThan(120_000);
  await expect(page.getByTestId("progress-sent").textContent()).resolves.toBe(`${CONTACTS} of ${CONTACTS} sent`);
  await expect(page.getByTestId("progress-eta").textContent()).resolves.toBe("Done");
  await expect(page.locator('[data-count="sent"]').textContent()).resolves.toBe(String(CONTACTS));
  // The page reloaded itself on the way, without the notice it opened with.
  expect(await page.getByText("Scheduled: it starts by itself at the time shown.").count()).toBe(0);

  // The recipients: every one sent, each with SES's message id, in the person's time.
  const table = page.getByTestId("recipients-table");
  expect(await table.locator("tbody tr").count()).toBe(CONTACTS);
  const ids = await page.getByTestId("message-id").allTextContents();
  expect(ids.every((m) => m.length > 6 && m !== "—")).toBe(true);
  expect(new Set(ids).size).toBe(CONTACTS);
  const mails = (await j.aws!.emulator.store()).emails.filter((m) => m.subject.startsWith("Autumn news for"));
  expect(mails.length).toBe(CONTACTS);
  expect(new Set(mails.map((m) => m.messageId))).toEqual(new Set(ids));
  expect(mails[0]!.from).toContain("news@example.com");

  // The filter keeps its state in the URL.
  await page.getByTestId("recipient-filter").selectOption("failed");
  await page.waitForURL(/status=failed/);
  await expect(page.getByTestId("recipients-empty").textContent()).resolves.toBe('No recipient is "Failed".');
  await page.reload();
  expect(await page.getByTestId("recipient-filter").inputValue()).toBe("failed");
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes("status=failed"));
  await expect(page.getByTestId("recipients-table").locator("tbody tr").count()).resolves.toBe(CONTACTS);

  // And the campaigns list says it in words.
  await page.getByTestId("main-nav").getByRole("link", { name: "Campaigns", exact: true }).click();
  const row = page.getByTestId("campaigns-table").locator("tr", { hasText: "Autumn news" });
  await expect(row.getByTestId("campaign-status").textContent()).resolves.toBe("Sent");
  await expect(row.textContent()).resolves.toContain(`${CONTACTS} / ${CONTACTS}`);
  expect(problems).toEqual([]);
  await context.close();
}, 240_000);

test("one email sent from the Send page arrives, and its page shows it sent", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "single@example.com", "single password");
  expect((await page.request.post(`${j.url}/aws/connect`, { data: { ...KEY, region: "us-east-1", save: true } })).status()).toBe(200);
  await page.getByRole("link", { name: "Send an email" }).click();
  await page.waitForURL(/\/send$/);
  await page.getByLabel("Address", { exact: true }).selectOption("@example.com");
  await page.getByLabel("Part before the @").fill("hello");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("friend@example.com");
  await page.getByLabel("Subject").fill("Just one");
  await page.getByLabel("Message").fill("Hello friend,\nthis is one email.");
  // A wrong address first: the sentence is next to its field, and what was typed stays.
  await page.getByRole("textbox", { name: "To", exact: true }).fill("friend@");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.locator("#field-to-error", { hasText: '"friend@" is not an email address.' }).waitFor();
  expect(await page.getByLabel("Subject").inputValue()).toBe("Just one");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("friend@example.com");
  await page.getByRole("button", { name: "Send", exact: true }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^?/]+$/);
  await page.getByText("Your email is on its way.").waitFor();
  await page.locator('[data-testid="campaign-status"][data-status="sent"]').waitFor({ timeout: 30_000 });
  const mail = (await j.aws!.emulator.store()).emails.find((m) => m.subject === "Just one");
  expect(mail?.destination.to).toEqual(["friend@example.com"]);
  expect(mail?.body.text).toContain("this is one email.");
  // The refused address is a 422 that htmx reports on the console; nothing else may be.
  expect(problems.filter((p) => !/\b422\b/.test(p))).toEqual([]);
}, 90_000);
