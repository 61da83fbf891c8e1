// The Overseer of a small app (tests/package/app, built by tests/package/run.cmake against the installed
// package) in headless Chromium: opens /overseer, the Backend dialog and its Lifecycle tab, then reads every
// middleware of the diagram through the inspector and prints
//   middleware: N
//   item: <type> | <file>        (one line per middleware, outermost first)
// and saves overseer-fixture-<label>.png. run.cmake runs it before and after dropping a middleware file into
// the app and compares the two outputs. Exits non-zero when the page does not work.
//
// usage: node tests/browser/overseer_fixture.test.mjs <app binary> <npm folder> <artifacts folder> <label>
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { freePort, waitForPort, launchChromium, watchPage } from "./lib.mjs";

const [binaryArg, npmDir, artifactsArg, label] = process.argv.slice(2);
if (!binaryArg || !npmDir || !artifactsArg || !label) {
  console.error("usage: node overseer_fixture.test.mjs <app binary> <npm folder> <artifacts folder> <label>");
  process.exit(2);
}
const binary = path.resolve(binaryArg);
const artifacts = path.resolve(artifactsArg);
const require = createRequire(path.join(path.resolve(npmDir), "package.json"));
const { chromium } = require("playwright-core");

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aegis-overseer-fixture-"));
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const app = spawn(binary, [], {
  env: {
    ...process.env,
    AEGIS_DATABASE_URL: "sqlite::memory:",
    AEGIS_ENVIRONMENT: "development",
    AEGIS_WORKERS: "1",
    AEGIS_ACCESS_LOG: "off",
    AEGIS_HOST: "127.0.0.1",
    AEGIS_PORT: String(port),
  },
  cwd: dir,
  stdio: ["ignore", "ignore", "inherit"],
});
let exited = null;
app.on("exit", (code, signal) => { exited = signal || code; });

const squash = (s) => (s || "").replace(/\s+/g, " ").trim();

let browser;
try {
  await waitForPort(port, 15000);
  browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { elsewhere, consoleErrors } = watchPage(page, origin);

  const response = await page.goto(`${origin}/overseer`);
  if (response.status() !== 200) throw new Error(`/overseer answered ${response.status()}`);
  const opener = page.locator('[data-component="backend"] [data-open="backend"]');
  await opener.waitFor({ timeout: 15000 });
  await opener.click();
  await page.locator('[role="dialog"]').waitFor({ state: "visible", timeout: 5000 });
  await page.locator('[role="tab"][data-tab="lifecycle"]').click();
  // The diagram is drawn from the boot metadata; wait until it is there (or says why not).
  await page.locator('[data-lifecycle-kind], [data-panel="lifecycle"] .panel-message.error').first().waitFor({ timeout: 15000 });
  const problem = page.locator('[data-panel="lifecycle"] .panel-message.error');
  if (await problem.count()) throw new Error(`the Lifecycle tab says: ${squash(await problem.first().textContent())}`);

  const nodes = page.locator('[data-lifecycle-kind="middleware"]');
  const n = await nodes.count();
  const shown = Number(squash(await page.locator('[data-panel="overview"] [data-count="middleware"]').textContent()));
  if (shown !== n) fail(`Overview counts ${shown} middleware, the Lifecycle tab shows ${n}`);
  const inspector = page.locator("[data-inspector]");
  const lines = [];
  for (let i = 0; i < n; i += 1) {
    const node = nodes.nth(i);
    const type = await node.getAttribute("data-name");
    await node.click();
    const name = squash(await inspector.locator('[data-field="name"]').textContent());
    const file = squash(await inspector.locator('[data-field="file"]').textContent());
    if (name !== type) fail(`middleware ${i + 1}: the diagram says '${type}', the inspector '${name}'`);
    if (file !== squash(await node.getAttribute("data-file"))) fail(`middleware ${i + 1}: the inspector's file '${file}' is not the diagram's`);
    lines.push(`item: ${name} | ${file}`);
  }
  console.log(`middleware: ${n}`);
  for (const line of lines) console.log(line);

  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `overseer-fixture-${label}.png`), animations: "disabled" });
  if (elsewhere.length > 0) fail(`requests left the origin: ${elsewhere.join(", ")}`);
  if (consoleErrors.length > 0) fail(`the page logged errors: ${consoleErrors.join(" | ")}`);
} catch (e) {
  fail(String(e && e.stack ? e.stack : e) + (exited !== null ? ` (the app exited: ${exited})` : ""));
} finally {
  if (browser) await browser.close();
  app.kill("SIGTERM");
  await new Promise((resolve) => { if (app.exitCode !== null || app.signalCode !== null) resolve(); else { app.once("exit", resolve); setTimeout(resolve, 5000); } });
  fs.rmSync(dir, { recursive: true, force: true });
}
