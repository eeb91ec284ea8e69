import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

// Starting Chromium and the SES emulator takes longer than the 5 s a plain `bun test` gives a hook.
setDefaultTimeout(60_000);

const KEY = { accessKeyId: "AKIACOMPOSER00000001", secretAccessKey: "composer-secret-access-key-000000000000" };

let j: Journey;
beforeAll(async () => {
  j = await startJourney({ keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } }, startJobs: true });
});
afterAll(async () => {
  await j?.stop();
});

test("a user writes a template with variables in the editor, previews it for a contact, and the test mail arrives exactly as previewed", async () => {
  const page = await j.browser.newPage();
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, "writer@example.com", "writer password");

  // Keys and a list with one contact, through the API with the same session.
  expect((await page.request.post(`${j.url}/aws/connect`, { data: { ...KEY, region: "us-east-1", save: true } })).status()).toBe(200);
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Readers" } })).json();
  const upload = await page.request.post(`${j.url}/lists/${list.id}/import`, { headers: { "content-type": "text/csv" }, data: "email,name,company\nana@example.com,Ana,Acme\n" });
  const { importId } = await upload.json();
  for (let i = 0; i < 100; i++) {
    if ((await (await page.request.get(`${j.url}/imports/${importId}`)).json()).status === "done") break;
    await Bun.sleep(50);
  }

  await page.getByRole("link", { name: "Templates", exact: true }).click();
  await page.getByRole("link", { name: "New template" }).click();
  await page.waitForURL(/\/templates\/new$/);
  await page.getByLabel("Template name").fill("Welcome");
  await page.getByLabel("Subject").fill("Hello {{name}}");

  // Type in Quill: replace the starter text, bold a word, insert variables from the list's columns.
  const editor = page.locator("#editor .ql-editor");
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.type("Hi ");
  await page.getByTestId("variable-list").selectOption(list.id);
  await page.getByTestId("variables").getByRole("button", { name: "{{name}}" }).click();
  await page.keyboard.type(", welcome to ");
  await page.keyboard.press("Control+B");
  await page.keyboard.type("Sesame");
  await page.keyboard.press("Control+B");
  await page.keyboard.type(" from ");
  await page.getByTestId("variables").getByRole("button", { name: "{{company}}" }).click();
  await page.keyboard.type(".");
  await expect(editor.innerHTML()).resolves.toContain("<strong>Sesame</strong>");

  // The HTML source view round-trips.
  await page.getByRole("button", { name: "HTML source" }).click();
  const source = page.getByLabel("HTML source", { exact: true });
  expect(await source.inputValue()).toContain("Hi {{name}}, welcome to <strong>Sesame</strong> from {{company}}.");
  await source.fill(`${await source.inputValue()}<p style="text-align: center">PS: see you soon</p>`);
  await page.getByRole("button", { name: "Visual editor" }).click();
  await expect(editor.textContent()).resolves.toContain("PS: see you soon");
  await expect(editor.locator("p", { hasText: "PS: see you soon" }).evaluate((p) => getComputedStyle(p).textAlign)).resolves.toBe("center");

  await page.getByRole("button", { name: "Save template" }).click();
  await page.waitForURL(/\/templates\/tpl_/);

  // Preview for the contact, at both widths.
  await page.getByTestId("preview-list").selectOption(list.id);
  await page.getByTestId("preview-contact").selectOption({ label: "ana@example.com" });
  const frame = page.frameLocator("#preview-frame");
  await frame.getByText("Hi Ana, welcome to Sesame from Acme.").waitFor();
  await expect(page.getByTestId("preview-subject").textContent()).resolves.toBe("Subject: Hello Ana");
  await page.getByRole("button", { name: "Mobile" }).click();
  await expect(page.locator("#preview-frame").getAttribute("width")).resolves.toBe("375");

  // A test send to myself through SES.
  await page.getByLabel("From (a verified identity)").fill("Readers <news@example.com>");
  await page.getByRole("button", { name: "Send test" }).click();
  await page.getByTestId("test-result").getByText(/Test sent to writer@example.com/).waitFor();
  const sentText = (await page.getByTestId("test-result").textContent())!;
  const messageId = /SES message id ([^)]+)\)/.exec(sentText)![1];

  const templateId = page.url().split("/").pop()!;
  const contactId = Number(await page.getByTestId("preview-contact").inputValue());
  const preview = await (await page.request.post(`${j.url}/email/template/${templateId}/preview`, { data: { contactId } })).json();
  const mail = (await j.aws!.emulator.store()).emails.find((e) => e.messageId === messageId)!;
  expect(mail.destination.to).toEqual(["writer@example.com"]);
  expect(mail.subject).toBe("[Test] Hello Ana");
  expect(mail.body.html).toBe(preview.html);
  expect(mail.body.text).toBe(preview.text);
  expect(mail.body.html).toContain("Hi Ana, welcome to <strong>Sesame</strong> from Acme.");
  expect(mail.body.html).toContain('<p style="text-align:center">PS: see you soon</p>');

  // Opened again, the editor shows the saved formatting as it was.
  await page.reload();
  await expect(editor.locator("p", { hasText: "PS: see you soon" }).evaluate((p) => getComputedStyle(p).textAlign)).resolves.toBe("center");
  await expect(editor.innerHTML()).resolves.toContain("<strong>Sesame</strong>");

  expect(problems).toEqual([]);
}, 90_000);

/** A signed-up page with a list imported from `csv` through the API, on the same session. */
async function userWithList(email: string, csv: string, options: { viewport?: { width: number; height: number } } = {}) {
  const page = await j.browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const problems = watchProblems(page);
  await signUpInBrowser(page, j.url, email, "composer password");
  const list = await (await page.request.post(`${j.url}/lists`, { data: { name: "Readers" } })).json();
  const upload = await page.request.post(`${j.url}/lists/${list.id}/import`, { headers: { "content-type": "text/csv" }, data: csv });
  const { importId } = await upload.json();
  for (let i = 0; i < 100; i++) {
    if ((await (await page.request.get(`${j.url}/imports/${importId}`)).json()).status === "done") break;
    await Bun.sleep(50);
  }
  return { page, problems, listId: list.id as string };
}

async function templateFor(page: Page, body: { name: string; subject: string; html: string }) {
  return (await (await page.request.post(`${j.url}/email/template`, { data: body })).json()).id as string;
}

test("at 1280 px the desktop preview is shown whole inside its panel", async () => {
  const { page, problems } = await userWithList("wide@example.com", "email,name\nana@example.com,Ana\n");
  const id = await templateFor(page, { name: "Wide", subject: "Hi {{name}}", html: '<p>Hello {{name}}</p><p style="text-align:right">RIGHT-EDGE</p>' });
  await page.goto(`${j.url}/templates/${id}`);

  const frame = page.getByTestId("preview-frame");
  await page.frameLocator("#preview-frame").getByText("RIGHT-EDGE").waitFor();
  // The message is laid out at 600 px as in a mail client, and all of it is visible in the panel.
  expect(await frame.getAttribute("width")).toBe("600");
  await expect(page.frameLocator("#preview-frame").locator("body").evaluate(() => window.innerWidth)).resolves.toBe(600);
  const fit = await page.evaluate(() => {
    const frame = document.getElementById("preview-frame")!;
    const shown = frame.getBoundingClientRect();
    const panel = document.getElementById("preview-panel")!.getBoundingClientRect();
    // What is left of the frame once every clipping or scrolling box around it has cut its part.
    let left = shown.left;
    let right = Math.min(shown.right, document.documentElement.clientWidth);
    for (let box = frame.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX === "visible") continue;
      const edge = box.getBoundingClientRect().left + box.clientLeft;
      left = Math.max(left, edge);
      right = Math.min(right, edge + box.clientWidth);
    }
    return { insidePanel: shown.left >= panel.left && shown.right <= panel.right, shown: Math.round(shown.width), visible: Math.round(right - left) };
  });
  expect(fit).toEqual({ insidePanel: true, shown: fit.visible, visible: fit.visible });
  expect(fit.visible).toBeGreaterThan(300);
  await expect(page.getByTestId("preview-scale").textContent()).resolves.toMatch(/Shown at \d+% to fit/);
  // The mobile width fits as it is.
  await page.getByRole("button", { name: "Mobile" }).click();
  await expect(page.getByTestId("preview-scale").textContent()).resolves.toBe("");
  expect(problems).toEqual([]);
  await page.close();
}, 60_000);

test("the preview's contact picker offers the first 50 and a search finds the others", async () => {
  const rows = Array.from({ length: 60 }, (_, i) => `reader${String(i).padStart(2, "0")}@example.com,Reader ${i}`);
  const { page, problems, listId } = await userWithList("many@example.com", `email,name\n${rows.join("\n")}\nzoe@example.com,Zoë\n`);
  const id = await templateFor(page, { name: "Many", subject: "Hi {{name}}", html: "<p>Hello {{name}}</p>" });
  await page.goto(`${j.url}/templates/${id}`);
  await page.getByTestId("preview-list").selectOption(listId);
  await page.getByTestId("preview-contact").locator("option", { hasText: "reader00@example.com" }).waitFor({ state: "attached" });
  expect(await page.getByTestId("preview-contact").locator("option", { hasText: "zoe@example.com" }).count()).toBe(0);
  await expect(page.getByTestId("preview-count").textContent()).resolves.toContain("of 61 contacts");
  await page.getByLabel("Find a contact").pressSequentially("zo");
  await page.getByTestId("preview-contact").locator("option", { hasText: "zoe@example.com" }).waitFor({ state: "attached" });
  await page.frameLocator("#preview-frame").getByText("Hello Zoë").waitFor();
  await expect(page.getByTestId("preview-subject").textContent()).resolves.toBe("Subject: Hi Zoë");
  expect(problems).toEqual([]);
  await page.close();
}, 60_000);

test("without AWS keys, the test send links to Settings → AWS", async () => {
  const { page, problems } = await userWithList("nokeys@example.com", "email,name\nana@example.com,Ana\n");
  const id = await templateFor(page, { name: "No keys", subject: "Hi {{name|there}}", html: "<p>Hello {{name|there}}</p>" });
  await page.goto(`${j.url}/templates/${id}`);
  await page.getByLabel("From (a verified identity)").fill("news@example.com");
  await page.getByRole("button", { name: "Send test" }).click();
  const link = page.getByTestId("test-result").getByRole("link", { name: "Connect your AWS keys first" });
  await link.waitFor();
  await link.click();
  await page.waitForURL(/\/settings\/aws$/);
  // The refused send itself is a 422 that htmx reports on the console; nothing else may be.
  expect(problems.filter((p) => !/\b422\b/.test(p))).toEqual([]);
  await page.close();
}, 60_000);

test("saving a template with a variable no list has warns at save time, and the warning goes once it has a fallback", async () => {
  const { page, problems } = await userWithList("warned@example.com", "email,name\nana@example.com,Ana\n");
  await page.goto(`${j.url}/templates/new`);
  await page.getByLabel("Template name").fill("Cities");
  await page.getByLabel("Subject").fill("News for {{city}}");
  await page.getByRole("button", { name: "Save template" }).click();
  await page.waitForURL(/\/templates\/tpl_/);
  const warning = page.getByTestId("template-warning");
  await expect(warning.textContent()).resolves.toContain("No list has a column for {{city}}");

  await page.getByLabel("Subject").fill("News for {{city|your town}} and {{county}}");
  await page.getByRole("button", { name: "Save template" }).click();
  await page.locator("#composer-errors", { hasText: "Saved." }).waitFor();
  await expect(warning.textContent()).resolves.toContain("No list has a column for {{county}}");
  expect(await warning.textContent()).not.toContain("{{city}}");

  await page.getByLabel("Subject").fill("News for {{name}}");
  await page.getByRole("button", { name: "Save template" }).click();
  await page.locator("#composer-errors", { hasText: "Variables: {{name}}" }).waitFor();
  expect(await warning.count()).toBe(0);
  expect(problems).toEqual([]);
  await page.close();
}, 60_000);

test("at 390 px wide the templates list and the composer do not scroll sideways", async () => {
  const { page, problems } = await userWithList("narrow@example.com", "email,name,company\nana@example.com,Ana,Acme\n", { viewport: { width: 390, height: 844 } });
  const id = await templateFor(page, {
    name: "A rather long template name that goes on and on",
    subject: "A long subject line for {{name}} at {{company}} that would not fit on a phone at all",
    html: "<p>Hello {{name}} from {{company}}, with {{email}} and more words than fit on one line of a narrow screen.</p>",
  });
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth);
  for (const path of ["/templates", "/templates/new", `/templates/${id}`]) {
    await page.goto(`${j.url}${path}`);
    await page.waitForLoadState("load");
    const scrollWidth = await overflow();
    expect({ path, fits: scrollWidth <= 390, scrollWidth }).toEqual({ path, fits: true, scrollWidth });
  }
  // With a contact chosen and either preview width, the composer still fits.
  await page.getByTestId("preview-list").selectOption({ index: 1 });
  await page.frameLocator("#preview-frame").getByText("Hello Ana from Acme").waitFor();
  expect(await overflow()).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Mobile" }).click();
  expect(await overflow()).toBeLessThanOrEqual(390);
  expect(problems).toEqual([]);
  await page.close();
}, 60_000);
