import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { INSTANT_MS } from "../../src/features/tracking/classify";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { sesFixture, signedSnsMessage, startCertServer } from "../support/sns";

setDefaultTimeout(90_000);

/**
 * After the send: a reader's mail client loads the pixel and the reader clicks the link (both
 * human), a link scanner follows another reader's link (machine), and SES events posted through a
 * signed SNS message show on the campaign page and in the events explorer within a second.
 */

const KEY = { accessKeyId: "AKIATRACKINGJOURNEY1", secretAccessKey: "tracking-journey-secret-access-key-00000" };
const SCANNER = "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))";
const READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let j: Journey;
let certs: ReturnType<typeof startCertServer>;
beforeAll(async () => {
  certs = startCertServer();
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } }, startJobs: true, env: certs.env });
});
afterAll(async () => {
  await j?.stop();
  certs?.stop();
});

test("a reader's open and click count as human, a scanner's as machine, and SES events show within a second", async () => {
  // A reader's browser says it is Chrome; headless Chromium's own agent names itself HeadlessChrome, a machine's.
  const context = await j.browser.newContext({ userAgent: READER });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "tracker@example.com", "tracker password");
  expect((await page.request.post(`${j.url}/aws/connect`, { data: { ...KEY, region: "us-east-1", save: true } })).status()).toBe(200);
  const events = await (await page.request.post(`${j.url}/aws/events/setup`)).json();
  expect(events.topicArn).toBeTruthy();
  const me = await (await page.request.get(`${j.url}/auth/me`)).json();
  const workspaceId = me.workspace.id as string;

  const sent = await (
    await page.request.post(`${j.url}/email/send`, {
      data: { from: "news@example.com", to: ["reader@example.com", "scanned@example.com"], subject: "News", html: '<p>Hello</p><p><a href="https://example.com/offer">See the offer</a></p>' },
    })
  ).json();
  const campaignId = sent.campaignId as string;
  for (let i = 0; i < 200; i++) {
    if ((await (await page.request.get(`${j.url}/campaigns/${campaignId}`)).json()).status === "sent") break;
    await Bun.sleep(100);
  }
  // A person opens mail later than the scanners that fetch it on arrival.
  await Bun.sleep(INSTANT_MS + 500);

  // The reader's mail, as the emulator received it, shown in the browser the way a mail client shows it.
  const store = await j.aws!.emulator.store();
  const mailTo = (to: string) => (store.emails.find((e) => e.destination.to[0] === to) as unknown as { body: { html: string } }).body.html;
  const reader = await context.newPage();
  await reader.route("https://example.com/**", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<title>Offer</title><p>The offer</p>" }));
  const pixelLoaded = reader.waitForResponse((r) => r.url().includes("/t/o/") && r.status() === 200);
  await reader.setContent(mailTo("reader@example.com"));
  await pixelLoaded;
  await reader.getByRole("link", { name: "See the offer" }).click();
  await reader.waitForURL("https://example.com/offer");

  // A link scanner follows the other reader's link as the mail arrives at their gateway.
  const scannedLink = /href="([^"]+\/t\/c\/[^"]+)"/.exec(mailTo("scanned@example.com"))![1]!.replace(/&amp;/g, "&");
  const scan = await fetch(scannedLink, { redirect: "manual", headers: { "user-agent": SCANNER } });
  expect(scan.status).toBe(302);

  // Clicks are written about a second after they happen (a burst of them is a scanner's).
  await page.goto(`${j.url}/campaigns/${campaignId}`);
  const count = (key: string) => page.locator(`[data-count=${key}]`).first().textContent();
  for (let i = 0; i < 50 && ((await count("humanClicked")) !== "1" || (await count("machineClicked")) !== "1"); i++) {
    await Bun.sleep(100);
    await page.reload();
  }
  expect(await count("humanOpened")).toBe("1");
  expect(await count("humanClicked")).toBe("1");
  expect(await count("machineOpened")).toBe("1");
  expect(await count("machineClicked")).toBe("1");

  // SES reports a delivery to the reader and a bounce from the other address, through signed SNS.
  const recipients = (await (await page.request.get(`${j.url}/campaigns/${campaignId}/recipients`)).json()).items as { email: string; messageId: string }[];
  const about = async (kind: "delivery" | "bounce-permanent", email: string) => {
    const event = await sesFixture(kind);
    const messageId = recipients.find((r) => r.email === email)!.messageId;
    event.mail = { ...event.mail, messageId, destination: [email], tags: { "ses:configuration-set": [events.configurationSet], workspace: [workspaceId], campaign: [campaignId] } };
    if (event.delivery) event.delivery = { ...event.delivery, recipients: [email], timestamp: new Date().toISOString() };
    if (event.bounce) event.bounce = { ...event.bounce, timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: email, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }] };
    return JSON.stringify(signedSnsMessage({ Type: "Notification", TopicArn: events.topicArn, Message: JSON.stringify(event) }, certs.certUrl));
  };
  const posted = Date.now();
  for (const body of [await about("delivery", "reader@example.com"), await about("bounce-permanent", "scanned@example.com")]) {
    const res = await fetch(`${j.url}/sns/notifications`, { method: "POST", body, headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification" } });
    expect(res.status).toBe(200);
  }
  await page.goto(`${j.url}/events?type=bounce`);
  await page.getByText("scanned@example.com").first().waitFor({ timeout: 1_000 });
  await page.goto(`${j.url}/campaigns/${campaignId}`);
  expect(await count("delivered")).toBe("1");
  expect(await count("bounced")).toBe("1");
  expect(Date.now() - posted).toBeLessThan(2_000);

  // The reader's timeline: sent, delivered, opened, clicked, each with SES's own detail on demand.
  await page.goto(`${j.url}/events/timeline?email=reader%40example.com&campaignId=${campaignId}`);
  const timeline = (await page.locator("main").textContent()) ?? "";
  for (const word of ["Delivered", "Opened", "Clicked"]) expect(timeline).toContain(word);

  // Nothing scrolls sideways on a phone.
  await page.setViewportSize({ width: 390, height: 800 });
  for (const url of [`/campaigns/${campaignId}`, "/events", `/events/timeline?email=reader%40example.com`]) {
    await page.goto(`${j.url}${url}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  }
  expect(problems).toEqual([]);
  await context.close();
});
