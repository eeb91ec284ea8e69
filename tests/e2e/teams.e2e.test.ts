import { afterAll, beforeAll, expect, test } from "bun:test";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("an owner invites a colleague by link; the colleague signs up through it, joins as a member, makes a workspace of their own and switches back from the sidebar", async () => {
  const owner = await j.browser.newPage();
  const ownerProblems = watchProblems(owner);
  await signUpInBrowser(owner, j.url, "olivia@example.com", "owner passphrase 1");
  await owner.getByRole("link", { name: "Members" }).first().click();
  await owner.waitForURL(/\/settings\/members$/);
  await owner.getByLabel("Role", { exact: true }).selectOption("member");
  await owner.getByRole("button", { name: "Create invite link" }).click();
  const link = await owner.getByTestId("invite-url").inputValue();
  expect(link).toMatch(new RegExp(`^${j.url}/invite/[A-Za-z0-9_-]{43}$`));
  await expect(owner.getByTestId("invites-table").textContent()).resolves.toContain("Link only");
  // The members page fits a phone: nothing scrolls sideways at 390 px.
  await owner.setViewportSize({ width: 390, height: 800 });
  await expect(owner.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
  expect(ownerProblems).toEqual([]);

  const colleagueContext = await j.browser.newContext();
  const colleague = await colleagueContext.newPage();
  const colleagueProblems = watchProblems(colleague);
  await colleague.goto(link);
  await expect(colleague.getByTestId("invite-summary").textContent()).resolves.toContain("as a member");
  await colleague.getByRole("link", { name: "Create an account" }).click();
  await colleague.waitForURL(/\/signup\?invite=/);
  await colleague.getByLabel("Name").fill("Carlos");
  await colleague.getByLabel("Email").fill("carlos@example.com");
  await colleague.getByLabel("Password").fill("colleague passphrase 1");
  await colleague.getByRole("button", { name: "Sign up" }).click();
  await colleague.waitForURL(/\/dashboard$/);
  await expect(colleague.getByTestId("workspace-switcher").textContent()).resolves.toContain("olivia's workspace");

  // The owner sees the colleague as a member, and the link is no longer open.
  await owner.reload();
  await expect(owner.getByTestId("members-table").textContent()).resolves.toContain("carlos@example.com");
  await expect(owner.getByTestId("no-invites").isVisible()).resolves.toBe(true);

  // A used link says so.
  await colleague.goto(link);
  await expect(colleague.getByRole("heading").first().textContent()).resolves.toContain("You already belong to olivia's workspace");

  await colleague.goto(`${j.url}/workspaces`);
  await colleague.getByLabel("Name").fill("Carlos Consulting");
  await colleague.getByRole("button", { name: "Create workspace" }).click();
  await colleague.waitForURL(/\/dashboard$/);
  const switcher = colleague.getByTestId("workspace-switcher");
  await expect(switcher.locator("summary").textContent()).resolves.toContain("Carlos Consulting");

  await switcher.locator("summary").click();
  await colleague.getByTestId("workspace-menu").waitFor();
  await colleague.getByRole("button", { name: "Switch to olivia's workspace" }).click();
  await colleague.waitForURL(/\/dashboard$/);
  await expect(colleague.getByTestId("workspace-switcher").locator("summary").textContent()).resolves.toContain("olivia's workspace");
  // As a member there, the colleague sees who belongs but cannot invite.
  await colleague.goto(`${j.url}/settings/members`);
  await expect(colleague.getByTestId("invite-form").count()).resolves.toBe(0);
  await expect(colleague.getByTestId("members-table").textContent()).resolves.toContain("olivia@example.com");

  expect(colleagueProblems).toEqual([]);
  expect(ownerProblems).toEqual([]);
  await colleagueContext.close();
}, 90_000);
