// Opens Swagger UI at /docs of the example app in headless Chromium (Debian's, driven by playwright-core),
// finds the example's operations, opens Authorize, runs "Try it out" on a GET and sees the 200, then signs
// in (the session cookie) and runs "Try it out" on a POST that needs the CSRF token and sees the 201, and
// checks that no request left the machine. Saves a screenshot as a test artifact.
//
// usage: node tests/browser/docs.test.mjs <app binary> <npm folder> <artifacts folder>
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { freePort, waitForPort, launchChromium } from "./lib.mjs";

const [binary, npmDir, artifacts] = process.argv.slice(2);
if (!binary || !npmDir || !artifacts) {
  console.error("usage: node docs.test.mjs <app binary> <npm folder> <artifacts folder>");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(npmDir), "package.json"));
const { chromium } = require("playwright-core");

function fail(message) {
  console.error(message);
  process.exitCode = 1;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aegis-docs-"));
const env = { ...process.env, AEGIS_DATABASE_URL: `sqlite:///${dir}/app.db`, AEGIS_WORKERS: "1", AEGIS_ACCESS_LOG: "off" };
const password = "docs-password-1";
execFileSync(binary, ["users", "create-admin", "--username", "docs", "--password-stdin"], { env, input: password + "\n" });
const port = await freePort();
const app = spawn(binary, [], {
  env: { ...env, AEGIS_HOST: "127.0.0.1", AEGIS_PORT: String(port) },
  stdio: ["ignore", "ignore", "inherit"],
});
let browser;
try {
  await waitForPort(port, 10000);
  browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const origin = `http://127.0.0.1:${port}`;
  const elsewhere = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) elsewhere.push(r.url());
  });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });

  await page.goto(`${origin}/docs`, { waitUntil: "load" });
  await page.waitForSelector(".opblock", { timeout: 20000 });
  const title = await page.textContent(".info .title");
  if (!title.includes("Aegis example")) fail(`the page shows the title '${title}'`);
  const summaries = await page.$$eval(".opblock-summary-path", (els) => els.map((e) => e.textContent.trim()));
  for (const expected of ["/api/products", "/api/orders/{id}", "/api/data/stats", "/health"]) {
    if (!summaries.some((s) => s.replace(/\u200b/g, "") === expected)) fail(`operation ${expected} not listed (${summaries.join(", ")})`);
  }

  // The document declares how to sign in, so Swagger UI offers Authorize, with the bearer token among its
  // schemes.
  if ((await page.locator(".auth-wrapper button.authorize").count()) === 0) fail("Swagger UI shows no Authorize button");
  await page.locator(".auth-wrapper button.authorize").click();
  const schemes = await page.locator(".modal-ux .auth-container h4").allTextContents();
  if (!schemes.some((s) => s.includes("HTTPBearer"))) fail(`Authorize offers ${JSON.stringify(schemes)}, not HTTPBearer`);
  await page.locator(".modal-ux button.close-modal").click();

  // Try it out: GET /api/products.
  const op = page.locator("#operations-products-get_api_products");
  await op.locator(".opblock-summary").click();
  await op.locator("button.try-out__btn").click();
  await op.locator("button.execute").click();
  const status = op.locator(".live-responses-table .response .response-col_status").first();
  await status.waitFor({ timeout: 15000 });
  const code = (await status.textContent()).trim();
  if (!code.startsWith("200")) fail(`Try it out answered '${code}', not 200`);
  const body = await op.locator(".live-responses-table .response-col_description .microlight").first().textContent();
  if (!body.includes("Fountain pen")) fail(`the response body shown is not the catalogue: ${body.slice(0, 200)}`);

  // Signed in with the session cookie (as after the login page), Try it out on an unsafe request sends the
  // CSRF token the login left in its cookie: POST /api/auth/tokens answers 201, not 403.
  const login = await page.request.post(`${origin}/api/auth/login`, { data: { username: "docs", password } });
  if (login.status() !== 200) fail(`the login answered ${login.status()}`);
  const tokens = page.locator("#operations-auth-post_api_auth_tokens");
  await tokens.locator(".opblock-summary").click();
  await tokens.locator("button.try-out__btn").click();
  await tokens.locator("textarea.body-param__text").fill('{"name":"from-docs"}');
  await tokens.locator("button.execute").click();
  const created = tokens.locator(".live-responses-table .response .response-col_status").first();
  await created.waitFor({ timeout: 15000 });
  const createdCode = (await created.textContent()).trim();
  if (!createdCode.startsWith("201")) {
    const shown = await tokens.locator(".live-responses-table .response-col_description").first().textContent();
    fail(`Try it out on POST /api/auth/tokens answered '${createdCode}', not 201: ${shown.slice(0, 200)}`);
  }

  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, "docs-try-it-out.png"), fullPage: false });
  if (elsewhere.length > 0) fail(`requests left the machine: ${elsewhere.join(", ")}`);
  if (consoleErrors.length > 0) fail(`the page logged errors: ${consoleErrors.join(" | ")}`);
  if (!process.exitCode) {
    console.log(`Swagger UI lists ${summaries.length} operations; Try it out answered 200 on GET /api/products ` +
                "and 201 on POST /api/auth/tokens");
  }
} catch (e) {
  fail(String(e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  app.kill("SIGTERM");
  fs.rmSync(dir, { recursive: true, force: true });
}
