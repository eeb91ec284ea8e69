import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

// Starting Chromium and the SES emulator takes longer than the 5 s a plain `bun test` gives a hook.
setDefaultTimeout(60_000);

const KEY = { accessKeyId: "AKIAIDENTITYJOURNEY1", secretAccessKey: "identity-journey-secret-access-key-0000" };
const DOMAIN = "letters.journey-example.org";
const READERS = 5;

let j: Journey;
beforeAll(async () => {
  // Jobs run: the launched campaign is sent by the real sender.
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } }, startJobs: true });
});
afterAll(async () => {
  await j?.stop();
});

test("a newcomer adds a domain, publishes its DKIM records, sees it verified after Check now, and sends a campaign from it", async () => {
  const context = await j.browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "domains@example.com", "journey password");

  // Keys, through the Connection page.
  await page.goto(`${j.url}/settings/aws`);
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-account").waitFor();

  // The Identities tab: nothing yet; the domain is added there.
  await page.getByTestId("aws-tabs").getByRole("link", { name: "Identities" }).click();
  await page.waitForURL(/\/settings\/aws\/identities$/);
  await page.getByTestId("aws-identities-empty").waitFor();
  await page.getByLabel("Add an address or domain").fill(DOMAIN);
  await page.getByRole("button", { name: "Add identity" }).click();
  const card = page.locator(`[data-testid="identity-card"][data-identity="${DOMAIN}"]`);
  await card.waitFor();

  // Its DKIM records: three CNAMEs, from the tokens SES gave, each value copyable.
  const tokens = j.aws!.fake.identities.get(DOMAIN)!.tokens;
  expect(tokens).toHaveLength(3);
  const dkim = card.getByTestId("dkim-records").locator("li");
  await expect(dkim.count()).resolves.toBe(3);
  for (const [i, token] of tokens.entries()) {
    await expect(dkim.nth(i).textContent()).resolves.toContain(`${token}._domainkey.${DOMAIN}`);
    await expect(dkim.nth(i).getByTestId("dns-value").locator("code").textContent()).resolves.toBe(`${token}.dkim.amazonses.com`);
  }
  const copy = dkim.nth(0).getByRole("button", { name: "Copy the CNAME record's value" });
  await copy.click();
  await copy.getByText("Copied").waitFor();
  await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(`${tokens[0]}.dkim.amazonses.com`);
  await expect(card.getByTestId("dmarc-record").textContent()).resolves.toContain(`_dmarc.${DOMAIN}`);
  await expect(card.getByTestId("identity-status").getAttribute("data-pending")).resolves.toBe("true");
  await expect(card.locator('[title^="VerificationStatus"]').textContent()).resolves.toBe("Pending");

  // A custom MAIL FROM domain brings its MX and SPF records.
  await card.getByLabel("Custom MAIL FROM domain").fill(`bounce.${DOMAIN}`);
  await card.getByRole("button", { name: "Save MAIL FROM domain" }).click();
  await card.getByTestId("mail-from-records").waitFor();
  await expect(card.getByTestId("mail-from-records").textContent()).resolves.toContain("feedback-smtp.us-east-1.amazonses.com");

  // On a phone the records wrap: nothing scrolls sideways.
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Not verified yet: the campaign form offers no sender from it.
  await page.goto(`${j.url}/campaigns/new`);
  await expect(page.getByTestId("from-select").count()).resolves.toBe(0);

  // SES finds the records (flipped in the fake); Check now shows it.
  const fake = j.aws!.fake.identities.get(DOMAIN)!;
  fake.verified = true;
  fake.mailFrom!.status = "SUCCESS";
  await page.goto(`${j.url}/settings/aws/identities`);
  await card.getByRole("button", { name: "Check now" }).click();
  await card.locator('[data-testid="identity-status"][data-pending="false"]').waitFor();
  await expect(card.locator('[title^="VerificationStatus"]').textContent()).resolves.toBe("Verified");
  await expect(card.locator('[title^="DKIM status"]').textContent()).resolves.toBe("Signing");
  await expect(card.locator('[title^="MailFromDomainStatus"]').textContent()).resolves.toBe("MX record found");

  // A template and a list, through the API with the same session.
  await page.request.post(`${j.url}/email/template`, { data: { name: "Letter", subject: "A letter for {{name|you}}", html: "<p>Hello {{name|there}}.</p>" } });
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Pen pals" } })).json();
  const csv = `email,name\n${Array.from({ length: READERS }, (_, i) => `pal${i}@example.com,Pal ${i}`).join("\n")}\n`;
  const { importId } = await (await page.request.post(`${j.url}/lists/${list.id}/import`, { headers: { "content-type": "text/csv" }, data: csv })).json();
  for (let i = 0; i < 200; i++) {
    if ((await (await page.request.get(`${j.url}/imports/${importId}`)).json()).status === "done") break;
    await Bun.sleep(50);
  }

  // The campaign form now offers the domain; the campaign goes out from an address at it.
  await page.goto(`${j.url}/campaigns/new`);
  await page.getByLabel("Campaign name").fill("First letters");
  await page.getByLabel("Template").selectOption({ label: "Letter — A letter for {{name|you}}" });
  await page.getByLabel(/^Pen pals/).check();
  await page.getByLabel("Address", { exact: true }).selectOption(`@${DOMAIN}`);
  await page.getByLabel("Part before the @").fill("hello");
  await page.getByRole("button", { name: "Save and review" }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^/]+\/review$/);
  expect(await page.getByTestId("review-problems").count()).toBe(0);
  await page.getByRole("button", { name: "Launch now" }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^/?]+$/);
  await page.locator('[data-testid="campaign-status"][data-status="sent"]').waitFor({ timeout: 60_000 });
  const mails = (await j.aws!.emulator.store()).emails.filter((m) => m.subject.startsWith("A letter for"));
  expect(mails).toHaveLength(READERS);
  expect(mails.every((m) => m.from.includes(`hello@${DOMAIN}`))).toBe(true);

  expect(problems).toEqual([]);
  await context.close();
}, 180_000);
