// The admin pages in headless Chromium (Debian's, driven by playwright-core), against the example app
// running in production mode on its own database:
//   1. an administrator created with `app users create-admin` logs in through /settings/login;
//   2. on /settings/feature-flags they turn orders.new_checkout on, and the flag-gated route
//      /api/orders/checkout changes its answer from 404 to 200;
//   3. on /settings/permissions they grant the role "customer" the permission users.view, and bob, a
//      customer, goes from 403 to 200 on GET /api/users.
// Screenshots of both pages are saved as test artifacts.
//
// usage: node tests/browser/settings.test.mjs <app binary> <npm folder> <artifacts folder>
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { freePort, waitForPort, launchChromium, watchPage } from "./lib.mjs";

const [binary, npmDir, artifacts] = process.argv.slice(2);
if (!binary || !npmDir || !artifacts) {
  console.error("usage: node settings.test.mjs <app binary> <npm folder> <artifacts folder>");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(npmDir), "package.json"));
const { chromium } = require("playwright-core");

function fail(message) {
  console.error(message);
  process.exitCode = 1;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aegis-settings-"));
const env = {
  ...process.env,
  AEGIS_DATABASE_URL: `sqlite:///${dir}/app.db`,
  AEGIS_ENVIRONMENT: "production",
  AEGIS_SECRET_KEY: crypto.randomBytes(32).toString("hex"),
  AEGIS_WORKERS: "1",
  AEGIS_ACCESS_LOG: "off",
};
const adminPassword = "admin-password-1";
const bobPassword = "bob-password-1";
execFileSync(binary, ["users", "create-admin", "--password-stdin"], { env, input: adminPassword + "\n" });
execFileSync(binary, ["users", "create", "--username", "bob", "--role", "customer", "--password-stdin"],
  { env, input: bobPassword + "\n" });

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const app = spawn(binary, [], {
  env: { ...env, AEGIS_HOST: "127.0.0.1", AEGIS_PORT: String(port) },
  stdio: ["ignore", "ignore", "inherit"],
});

// Bob, from outside the browser: his own session, then GET /api/users.
async function bobListsUsers() {
  const login = await fetch(`${origin}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: "bob", password: bobPassword }),
  });
  if (login.status !== 200) throw new Error(`bob cannot log in: ${login.status} ${await login.text()}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${origin}/api/users`, { headers: { Cookie: cookie } });
  return res.status;
}

let browser;
try {
  await waitForPort(port, 10000);
  browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { elsewhere, consoleErrors } = watchPage(page, origin);
  const fromPage = (url) => page.evaluate(async (u) => {
    const r = await fetch(u, { credentials: "same-origin" });
    return { status: r.status, body: await r.text() };
  }, url);

  // 1. Not logged in: the page sends the visitor to the login form, which brings them back.
  await page.goto(`${origin}/settings/feature-flags`);
  if (!page.url().startsWith(`${origin}/settings/login`)) fail(`an anonymous visitor was not sent to log in: ${page.url()}`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("#status.error").waitFor({ timeout: 10000 });
  const refused = await page.textContent("#status");
  if (!refused.includes("Invalid username or password")) fail(`a wrong password showed '${refused}'`);
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${origin}/settings/feature-flags`, { timeout: 10000 });
  const who = await page.textContent(".who");
  if (!who.includes("admin")) fail(`the header does not show who is signed in: '${who}'`);

  // 2. The flag-gated route changes its answer when the flag is turned on.
  const before = await fromPage("/api/orders/checkout");
  if (before.status !== 404) fail(`with the flag off, /api/orders/checkout answered ${before.status}`);
  await page.getByLabel("System-wide").first().waitFor();
  const system = page.locator('select[data-flag-system="orders.new_checkout"]');
  await system.selectOption("on");
  await page.locator("#status.ok").waitFor({ timeout: 10000 });
  const pill = (await page.locator('section[data-flag="orders.new_checkout"] [data-effective]').textContent()).trim();
  if (pill !== "On") fail(`the flag's badge shows '${pill}' after turning it on`);
  const after = await fromPage("/api/orders/checkout");
  if (after.status !== 200 || !after.body.includes("new checkout for admin")) {
    fail(`with the flag on, /api/orders/checkout answered ${after.status} ${after.body}`);
  }
  await page.reload();
  if ((await system.inputValue()) !== "on") fail("the flag's setting did not survive a reload");
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "settings-feature-flags.png"), fullPage: true });

  // 3. Granting a role a permission gives its users access.
  const bobBefore = await bobListsUsers();
  if (bobBefore !== 403) fail(`before the grant, bob got ${bobBefore} on GET /api/users`);
  await page.getByRole("link", { name: "Permissions" }).click();
  await page.waitForURL(`${origin}/settings/permissions`);
  const grant = page.getByLabel("customer: users.view", { exact: true });
  if (await grant.isChecked()) fail("customer already holds users.view");
  await grant.check();
  await page.locator("#status.ok").waitFor({ timeout: 10000 });
  const bobAfter = await bobListsUsers();
  if (bobAfter !== 200) fail(`after the grant, bob got ${bobAfter} on GET /api/users`);
  const bobRow = page.getByLabel("bob: role customer", { exact: true });
  if (!(await bobRow.isChecked())) fail("the users table does not show bob as a customer");
  await page.screenshot({ path: path.join(artifacts, "settings-permissions.png"), fullPage: true });

  // Logging out ends the session: the pages want a login again.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/settings\/login/, { timeout: 10000 });
  await page.goto(`${origin}/settings/permissions`);
  if (!page.url().startsWith(`${origin}/settings/login`)) fail(`after logging out the page still opened: ${page.url()}`);

  if (elsewhere.length > 0) fail(`requests left the machine: ${elsewhere.join(", ")}`);
  if (consoleErrors.length > 0) fail(`the pages logged errors: ${consoleErrors.join(" | ")}`);
  if (!process.exitCode) {
    console.log("logged in; orders.new_checkout 404 -> 200 after the toggle; bob 403 -> 200 after the grant; logged out");
  }
} catch (e) {
  fail(String(e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  app.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
