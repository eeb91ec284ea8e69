import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client } from "../support/client";
import { signUpInBrowser, startJourney, watchProblems, type Journey } from "../support/browser";

let j: Journey;
beforeAll(async () => {
  j = await startJourney();
});
afterAll(async () => {
  await j?.stop();
});

test("the admin closes sign-up and a visitor is told so; the admin makes a reset link and the user sets a new password with it", async () => {
  const adminPage = await j.browser.newPage();
  const problems = watchProblems(adminPage);
  adminPage.on("dialog", (dialog) => void dialog.accept());
  await signUpInBrowser(adminPage, j.url, "root@example.com", "the admin's passphrase");
  // Someone who signed up before sign-up closed, and will forget their password.
  const user = new Client(j.t.app);
  await user.signup("forgetful@example.com", "the first passphrase");

  await adminPage.getByRole("link", { name: "Admin" }).first().click();
  await adminPage.waitForURL(/\/admin$/);
  await adminPage.getByRole("link", { name: "Sign-up and mail" }).click();
  await adminPage.waitForURL(/\/admin\/settings$/);
  await adminPage.getByLabel(/Closed/).check();
  await adminPage.getByRole("button", { name: "Save sign-up mode" }).click();
  await adminPage.getByText("Saved. Sign-up is now: closed.").waitFor();

  // A visitor on a phone.
  const visitorContext = await j.browser.newContext({ viewport: { width: 390, height: 844 } });
  const visitor = await visitorContext.newPage();
  const visitorProblems = watchProblems(visitor);
  await visitor.goto(`${j.url}/login`);
  expect(await visitor.getByRole("link", { name: "Create an account" }).count()).toBe(0);
  await visitor.goto(`${j.url}/signup`);
  await expect(visitor.getByTestId("signup-refusal").textContent()).resolves.toContain("Sign-up on this Sesame is closed");
  expect(await visitor.getByRole("button", { name: "Sign up" }).count()).toBe(0);

  await adminPage.getByRole("link", { name: "Users" }).click();
  await adminPage.waitForURL(/\/admin$/);
  await adminPage.locator("#user-" + (await user.get("/auth/me")).json.user.id).getByRole("button", { name: "Reset link" }).click();
  const link = await adminPage.getByTestId("reset-link-url").inputValue();
  expect(link).toMatch(new RegExp(`^${j.url.replace(/[.]/g, "\\.")}/reset/[\\w-]{43}$`));

  await visitor.goto(link);
  await visitor.getByLabel("New password").fill("a fresh new passphrase");
  await visitor.getByRole("button", { name: "Set the new password" }).click();
  await visitor.waitForURL(/\/login\?reset=done$/);
  await expect(visitor.getByRole("status").first().textContent()).resolves.toContain("Your password is changed");
  // The user's old session ended with the reset.
  expect((await user.get("/auth/me")).status).toBe(401);
  await visitor.getByLabel("Email").fill("forgetful@example.com");
  await visitor.getByLabel("Password").fill("a fresh new passphrase");
  await visitor.getByRole("button", { name: "Log in" }).click();
  await visitor.waitForURL(/\/dashboard$/);
  await expect(visitor.getByTestId("current-user").textContent()).resolves.toContain("forgetful@example.com");
  expect(await visitor.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // The link was for one use.
  const again = await visitor.goto(link);
  expect(again?.status()).toBe(410);

  expect(problems).toEqual([]);
  // The only thing the visitor's browser may report is the spent link's 410.
  expect(visitorProblems.every((p) => p.includes("410"))).toBe(true);
  await visitorContext.close();
}, 90_000);
