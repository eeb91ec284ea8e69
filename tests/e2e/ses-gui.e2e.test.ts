import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { ACCOUNT } from "../support/aws";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { sesFixture, signedSnsMessage, startCertServer } from "../support/sns";

setDefaultTimeout(90_000);

/**
 * Issue 12's "done when", as a newcomer tries it with a brand-new SES account: connect keys, add and
 * verify a domain, request production access, send a campaign, and see a bounced address reach SES's
 * own suppression list after a push, all without leaving Sesame. AWS's side of each step (DNS found,
 * the request granted, the bounce) is played by the fake and a signed SNS message.
 */

const KEY = { accessKeyId: "AKIADONEWHENJOURNEY1", secretAccessKey: "done-when-journey-secret-access-key-0000" };
/** What GetAccount says of an account that has never asked for anything: the sandbox, no request made. */
const BRAND_NEW = { ...ACCOUNT, Details: undefined, ProductionAccessEnabled: false, SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } };
const DOMAIN = "news.brand-new-example.org";
const READERS = ["ada@example.net", "grace@example.net", "bounces@example.net"];

let j: Journey;
let certs: ReturnType<typeof startCertServer>;
beforeAll(async () => {
  certs = startCertServer();
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey, account: BRAND_NEW } }, startJobs: true, env: certs.env });
});
afterAll(async () => {
  await j?.stop();
  certs?.stop();
});

async function tab(page: Page, name: string) {
  await page.getByTestId("aws-tabs").getByRole("link", { name }).click();
}

test("a brand-new SES account: keys, a verified domain, production access, a campaign, and its bounce on SES's own suppression list", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  page.on("dialog", (dialog) => void dialog.accept());
  await signUpInBrowser(page, j.url, "newcomer@example.com", "newcomer password");

  // Keys, saved for the workspace, and the event pipeline in one click.
  await page.goto(`${j.url}/settings/aws`);
  await page.getByLabel("Access key ID").fill(KEY.accessKeyId);
  await page.getByLabel("Secret access key").fill(KEY.secretAccessKey);
  await page.getByRole("checkbox", { name: /Save credentials/ }).check();
  await page.getByRole("button", { name: /Check and connect/ }).click();
  await page.getByTestId("aws-sandbox-notice").waitFor();
  await page.getByTestId("aws-events-setup").click();
  // (This machine's address is not public, so SNS could not reach it; the test posts SES's events itself.)
  await page.getByTestId("aws-events-setup").getByText("Run the set-up again").waitFor();

  // A domain, its DKIM records, and (once SES finds them) verified.
  await tab(page, "Identities");
  await page.getByLabel("Add an address or domain").fill(DOMAIN);
  await page.getByRole("button", { name: "Add identity" }).click();
  const card = page.locator(`[data-testid="identity-card"][data-identity="${DOMAIN}"]`);
  await card.getByTestId("dkim-records").waitFor();
  await expect(card.getByTestId("dkim-records").locator("li").count()).resolves.toBe(3);
  j.aws!.fake.identities.get(DOMAIN)!.verified = true;
  await card.getByRole("button", { name: "Check now" }).click();
  await card.locator('[data-testid="identity-status"][data-pending="false"]').waitFor();

  // Production access, asked for from the Account tab; AWS grants it.
  await tab(page, "Account");
  await page.getByLabel(/Marketing/).check();
  await page.getByLabel("Website").fill("https://brand-new-example.org");
  await page
    .getByLabel("Use case")
    .fill("A monthly newsletter to readers who signed up on our website with double opt-in; bounces and complaints are suppressed automatically.");
  await page.getByRole("button", { name: "Request production access" }).click();
  await page.getByTestId("aws-review-status").getByText("Being reviewed by AWS").waitFor();
  const account = j.aws!.fake.account(KEY.accessKeyId, "us-east-1")!;
  expect(account.Details).toMatchObject({ MailType: "MARKETING", WebsiteURL: "https://brand-new-example.org", ContactLanguage: "EN" });
  Object.assign(account, { ProductionAccessEnabled: true, SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 0 } });
  account.Details.ReviewDetails.Status = "GRANTED";
  await page.reload();
  await expect(page.getByTestId("aws-mode").textContent()).resolves.toBe("Production access");

  // A template and a list through Sesame's API in the same session; the campaign from the new domain on its pages.
  await page.request.post(`${j.url}/email/template`, { data: { name: "Monthly", subject: "This month for {{name|you}}", html: "<p>Hello {{name|there}}.</p>" } });
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Readers" } })).json();
  for (const email of READERS) expect((await page.request.post(`${j.url}/lists/${list.id}/contacts`, { data: { email } })).status()).toBe(201);
  await page.goto(`${j.url}/campaigns/new`);
  await page.getByLabel("Campaign name").fill("First issue");
  await page.getByLabel("Template").selectOption({ label: "Monthly — This month for {{name|you}}" });
  await page.getByLabel(/^Readers/).check();
  await page.getByLabel("Address", { exact: true }).selectOption(`@${DOMAIN}`);
  await page.getByLabel("Part before the @").fill("editor");
  await page.getByRole("button", { name: "Save and review" }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^/]+\/review$/);
  expect(await page.getByTestId("review-problems").count()).toBe(0);
  await page.getByRole("button", { name: "Launch now" }).click();
  await page.waitForURL(/\/campaigns\/cmp_[^/?]+$/);
  const campaignId = /\/campaigns\/(cmp_[^/?]+)$/.exec(page.url())![1]!;
  await page.locator('[data-testid="campaign-status"][data-status="sent"]').waitFor({ timeout: 60_000 });
  const mails = (await j.aws!.emulator.store()).emails.filter((m) => m.subject.startsWith("This month for"));
  expect(mails.map((m) => m.destination.to[0]).sort()).toEqual([...READERS].sort());
  expect(mails.every((m) => m.from.includes(`editor@${DOMAIN}`))).toBe(true);

  // SES reports a permanent bounce for one reader, through the signed SNS subscription.
  const events = await (await page.request.get(`${j.url}/aws/events`)).json();
  const me = await (await page.request.get(`${j.url}/auth/me`)).json();
  const recipients = (await (await page.request.get(`${j.url}/campaigns/${campaignId}/recipients`)).json()).items as { email: string; messageId: string }[];
  const bounced = recipients.find((r) => r.email === "bounces@example.net")!;
  const bounce = await sesFixture("bounce-permanent");
  bounce.mail = { ...bounce.mail, messageId: bounced.messageId, destination: [bounced.email], tags: { "ses:configuration-set": [events.configurationSet], workspace: [me.workspace.id], campaign: [campaignId] } };
  bounce.bounce = { ...bounce.bounce, timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: bounced.email, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }] };
  const posted = await fetch(`${j.url}/sns/notifications`, {
    method: "POST",
    body: JSON.stringify(signedSnsMessage({ Type: "Notification", TopicArn: events.topicArn, Message: JSON.stringify(bounce) }, certs.certUrl)),
    headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" },
  });
  expect(posted.status).toBe(200);
  await page.goto(`${j.url}/suppressions`);
  await page.getByText(bounced.email).first().waitFor();

  // Not on SES's own list until pushed; one push puts it there, and the SES list page shows it.
  expect(j.aws!.fake.suppressed.has(bounced.email)).toBe(false);
  await page.goto(`${j.url}/settings/aws`);
  await tab(page, "SES suppression list");
  await page.getByTestId("ses-suppressions-empty").waitFor();
  await page.getByRole("button", { name: "Push now" }).click();
  await page.getByTestId("ses-sync-run").getByText("Pushed to SES: 1 added to SES's list, 0 already there.").waitFor();
  expect(j.aws!.fake.suppressed.get(bounced.email)?.reason).toBe("BOUNCE");
  await page.reload();
  await page.getByTestId("ses-suppressions-table").getByText(bounced.email).waitFor();

  expect(problems).toEqual([]);
}, 180_000);
