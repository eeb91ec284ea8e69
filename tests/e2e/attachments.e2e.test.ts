import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { htmxSettled, signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";
import { startS3, type LocalS3 } from "../support/s3";

// Chromium, the SES emulator and the local S3 take longer to start than a plain hook's 5 s.
setDefaultTimeout(60_000);

const KEY = { accessKeyId: "AKIAATTACHJOURNEY001", secretAccessKey: "attach-journey-secret-access-key-000000" };
const BUCKET = "journey-files";

let s3: LocalS3;
let j: Journey;
beforeAll(async () => {
  s3 = await startS3({ [KEY.accessKeyId]: KEY.secretAccessKey });
  await s3.createBucket(BUCKET);
  await s3.put(BUCKET, "reports/q3-summary.pdf", "%PDF q3", "application/pdf");
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } }, env: s3.env, startJobs: true });
});
afterAll(async () => {
  await j?.stop();
  await s3?.stop();
});

test("an owner names the bucket on the AWS page, then uploads one file and picks another on a campaign's review, and sees them listed there", async () => {
  const context = await j.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const problems = watchProblems(page);
  page.on("dialog", (dialog) => void dialog.accept());
  await signUpInBrowser(page, j.url, "files@example.com", "files password 123");
  expect((await page.request.post(`${j.url}/aws/connect`, { data: { ...KEY, region: "us-east-1", save: true } })).status()).toBe(200);

  await page.goto(`${j.url}/settings/aws`);
  const panel = page.getByTestId("aws-s3");
  await panel.getByLabel("Bucket name").fill(BUCKET);
  await panel.getByRole("button", { name: "Check and save" }).click();
  await page.getByTestId("aws-s3-bucket").filter({ hasText: BUCKET }).waitFor();

  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Partners" } })).json();
  const { importId } = await (await page.request.post(`${j.url}/lists/${list.id}/import`, { headers: { "content-type": "text/csv" }, data: "email\npartner@example.com\n" })).json();
  for (let i = 0; i < 200; i++) {
    if ((await (await page.request.get(`${j.url}/imports/${importId}`)).json()).status === "done") break;
    await Bun.sleep(50);
  }
  const campaign = await (
    await page.request.post(`${j.url}/campaigns`, { data: { name: "Quarterly", from: "news@example.com", subject: "Q3", html: "<p>Our quarter.</p>", listIds: [list.id] } })
  ).json();

  await page.goto(`${j.url}/campaigns/${campaign.id}/review`);
  const card = page.getByTestId("campaign-attachments");
  await card.getByTestId("attachments-empty").waitFor();
  await card.getByLabel("Upload a file").setInputFiles({ name: "Price list.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF prices") });
  await card.getByRole("button", { name: "Upload", exact: true }).click();
  await card.getByTestId("attachment-name").filter({ hasText: "Price list.pdf" }).waitFor();
  await htmxSettled(page);

  await page.getByTestId("campaign-attachments").getByLabel("Or pick a file already in the bucket").fill("reports/");
  await page.getByRole("button", { name: "Attach reports/q3-summary.pdf" }).click();
  await page.getByTestId("campaign-attachments").getByTestId("attachment-name").filter({ hasText: "q3-summary.pdf" }).waitFor();

  // A .exe is refused with SES's reason, and nothing is added.
  await page.getByTestId("campaign-attachments").getByLabel("Upload a file").setInputFiles({ name: "setup.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ") });
  await page.getByTestId("campaign-attachments").getByRole("button", { name: "Upload", exact: true }).click();
  await page.getByText("SES does not send .exe files").waitFor();

  // The review is a page of its own: reloaded, it lists both files, and nothing stops the launch.
  await page.reload();
  expect(await page.getByTestId("campaign-attachments").getByTestId("attachment-name").allTextContents()).toEqual(["Price list.pdf", "q3-summary.pdf"]);
  expect(await page.getByTestId("review-problems").count(), await page.getByTestId("review-problems").allTextContents().then(String)).toBe(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // Removing asks first, then takes the file off the campaign.
  await page.getByTestId("campaign-attachments").getByRole("button", { name: "Remove" }).first().click();
  await page.getByTestId("campaign-attachments").getByTestId("attachment-name").filter({ hasText: "Price list.pdf" }).waitFor({ state: "detached" });
  const saved = await (await page.request.get(`${j.url}/campaigns/${campaign.id}`)).json();
  expect(saved.attachments.map((a: { filename: string }) => a.filename)).toEqual(["q3-summary.pdf"]);
  // The campaign's own page names its files among the details.
  await page.goto(`${j.url}/campaigns/${campaign.id}`);
  await expect(page.locator("#details").textContent()).resolves.toMatch(/Attachments\s*q3-summary\.pdf \(/);

  // The refused .exe is the one failed request (the browser and htmx each report its 422).
  expect(problems.filter((p) => !/\b422\b/.test(p))).toEqual([]);
  expect(problems.filter((p) => /\b422\b/.test(p))).toHaveLength(2);
  await context.close();
}, 90_000);
