// The Overseer in headless Chromium (Debian's, driven by playwright-core), against the example app in
// development (loopback clients may look without logging in) on an in-memory database:
//   1. the JSON API: /overseer/api/metadata, /components and /metrics have the documented shapes and
//      consistent counts, and the metadata's routes are the ones `<app> routes` prints;
//   2. the dashboard: a card per component (Backend, Database, Users, Products, Orders, Health checks)
//      with a status badge, and the overall status;
//   3. the Backend dialog, opened by keyboard and by click: focus moves in and stays in, Escape and Close
//      close it and focus returns to the Backend card; its tabs switch by click and with the arrow keys,
//      Home and End;
//   4. Overview: Routes and Endpoints match `<app> routes`, Middleware matches the Lifecycle tab, and the
//      host metrics show numbers and refresh;
//   5. Routes: GET /api/orders/{id} under "orders" with its guard's permission and a security badge; the
//      filter narrows the list;
//   6. Lifecycle: the SessionAuth middleware's inspector (description, file, options, security layer);
//   7. a 403 from the API shows a clear message;
//   8. markup in what the API returns (users' code writes it) is shown as text, never parsed;
// and no request leaves the origin, no console errors.
// Screenshots at 1280x900 (dashboard, each tab) and 390x844 (dashboard, dialog) go to the artifacts folder.
//
// usage: node tests/browser/overseer.test.mjs <app binary> <npm folder> <artifacts folder>
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { freePort, waitForPort, launchChromium, isNetworkStatusMessage, watchPage } from "./lib.mjs";

const [binaryArg, npmDir, artifactsArg] = process.argv.slice(2);
if (!binaryArg || !npmDir || !artifactsArg) {
  console.error("usage: node overseer.test.mjs <app binary> <npm folder> <artifacts folder>");
  process.exit(2);
}
// The app runs in a scratch folder (its working directory is the data folder of the disk metrics).
const binary = path.resolve(binaryArg);
const artifacts = path.resolve(artifactsArg);
const require = createRequire(path.join(path.resolve(npmDir), "package.json"));
const { chromium } = require("playwright-core");

let failures = 0;
function fail(message) {
  failures += 1;
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}
function check(ok, message) {
  if (!ok) fail(message);
  return ok;
}
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aegis-overseer-"));
const env = {
  ...process.env,
  AEGIS_DATABASE_URL: "sqlite::memory:",
  AEGIS_ENVIRONMENT: "development",
  AEGIS_WORKERS: "1",
  AEGIS_ACCESS_LOG: "off",
};

// What the command line says about the routes: a header, then "METHOD  PATH  NAME  TAGS  SOURCE" per endpoint.
const table = execFileSync(binary, ["routes"], { env, cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  .split("\n").filter((line) => line.trim() !== "");
const cliEndpoints = table.slice(1).map((line) => {
  const [method, routePath] = line.trim().split(/\s+/);
  return `${method} ${routePath}`;
});
const cliPaths = new Set(cliEndpoints.map((e) => e.slice(e.indexOf(" ") + 1)));
if (cliEndpoints.length === 0) fail(`\`${binary} routes\` printed no routes`);

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const app = spawn(binary, [], {
  env: { ...env, AEGIS_HOST: "127.0.0.1", AEGIS_PORT: String(port) },
  cwd: dir,
  stdio: ["ignore", "ignore", "inherit"],
});

async function getJson(url) {
  const res = await fetch(origin + url, { headers: { Accept: "application/json" } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

// ---- 1. the JSON API -----------------------------------------------------------------------------------
function checkMetadata(m) {
  check(m && typeof m === "object", "metadata is not an object");
  check(typeof m.app?.title === "string" && typeof m.app?.version === "string" && typeof m.app?.environment === "string",
    `metadata.app: ${JSON.stringify(m.app)}`);
  check(!Number.isNaN(Date.parse(m.captured_at)), `metadata.captured_at is not a time: ${m.captured_at}`);
  const o = m.overview || {};
  for (const key of ["routes", "endpoints", "middleware", "security_layers", "startup_hooks", "shutdown_hooks", "modules", "health_checks"]) {
    check(Number.isInteger(o[key]) && o[key] >= 0, `overview.${key} is not a count: ${o[key]}`);
  }
  for (const key of ["routes", "middleware", "startup_hooks", "shutdown_hooks", "modules", "health_checks"]) {
    check(Array.isArray(m[key]), `metadata.${key} is not an array`);
  }
  const routes = m.routes || [];
  check(o.endpoints === routes.length, `overview.endpoints ${o.endpoints} != routes.length ${routes.length}`);
  check(o.routes === new Set(routes.map((r) => r.path)).size, `overview.routes ${o.routes} != distinct paths`);
  check(o.middleware === (m.middleware || []).length, `overview.middleware ${o.middleware} != middleware.length ${(m.middleware || []).length}`);
  check(o.security_layers === (m.middleware || []).filter((x) => x.security_layer === true).length,
    "overview.security_layers != the middleware marked security_layer");
  check(o.startup_hooks === (m.startup_hooks || []).length, "overview.startup_hooks != startup_hooks.length");
  check(o.shutdown_hooks === (m.shutdown_hooks || []).length, "overview.shutdown_hooks != shutdown_hooks.length");
  check(o.modules === (m.modules || []).length, "overview.modules != modules.length");
  check(o.health_checks === (m.health_checks || []).length, "overview.health_checks != health_checks.length");
  const methods = o.methods || {};
  const sum = Object.values(methods).reduce((a, b) => a + b, 0);
  check(Object.values(methods).every(isNumber) && sum === o.endpoints, `the method counts sum to ${sum}, not ${o.endpoints}`);
  for (const [method, n] of Object.entries(methods)) {
    check(routes.filter((r) => r.method === method).length === n, `overview.methods.${method} = ${n} does not match the routes`);
  }
  for (const r of routes) {
    const where = `route ${r.method} ${r.path}`;
    check(typeof r.method === "string" && typeof r.path === "string" && r.path.startsWith("/"), `${where}: method/path`);
    check(typeof r.name === "string" && typeof r.summary === "string", `${where}: name/summary are not strings`);
    check(Array.isArray(r.tags) && r.tags.every((t) => typeof t === "string"), `${where}: tags`);
    check(Array.isArray(r.path_params) && r.path_params.every((p) => typeof p.name === "string" && typeof p.type === "string"), `${where}: path_params`);
    check(r.response_model === null || typeof r.response_model === "string", `${where}: response_model`);
    // The documented success status, or null for a raw route that documents no response.
    check(r.status === null || (Number.isInteger(r.status) && r.status >= 100 && r.status <= 599), `${where}: status ${r.status}`);
    check(r.status !== null || !r.in_schema || r.response_model === null, `${where}: a typed route without a status`);
    check(Array.isArray(r.dependencies) && r.dependencies.every((d) => typeof d.kind === "string" && typeof d.name === "string" &&
      (d.permission === null || typeof d.permission === "string")), `${where}: dependencies`);
    check(typeof r.secured === "boolean" && typeof r.in_schema === "boolean", `${where}: secured/in_schema are not booleans`);
    check(typeof r.source === "string", `${where}: source`);
  }
  const health = routes.find((r) => r.method === "GET" && r.path === "/api/health/components");
  check(health !== undefined && health.status === 200, `GET /api/health/components documents status ${health && health.status}, not 200`);
  const docs = routes.find((r) => r.method === "GET" && r.path === "/docs");
  check(docs !== undefined && docs.status === null && docs.in_schema === false, "GET /docs is not shown as an undocumented raw route");
  for (let i = 1; i < routes.length; i += 1) {
    const a = routes[i - 1];
    const b = routes[i];
    if (a.path > b.path || (a.path === b.path && a.method >= b.method)) {
      fail(`the routes are not sorted by path then method: ${a.method} ${a.path} before ${b.method} ${b.path}`);
      break;
    }
  }
  (m.middleware || []).forEach((x, i) => {
    check(x.position === i + 1, `middleware ${i}: position ${x.position}`);
    check(typeof x.type === "string" && typeof x.description === "string" && typeof x.file === "string", `middleware ${i}: type/description/file`);
    check(x.options !== null && typeof x.options === "object" && !Array.isArray(x.options), `middleware ${i}: options is not an object`);
    check(typeof x.security_layer === "boolean" && typeof x.builtin === "boolean", `middleware ${i}: security_layer/builtin`);
  });
  for (const key of ["startup_hooks", "shutdown_hooks"]) {
    for (const hk of m[key] || []) {
      check(typeof hk.name === "string" && typeof hk.description === "string" && typeof hk.file === "string", `${key}: ${JSON.stringify(hk)}`);
    }
  }
  for (const mod of m.modules || []) {
    check(typeof mod.name === "string" && typeof mod.version === "string" && Array.isArray(mod.depends_on) &&
      typeof mod.route_prefix === "string" && typeof mod.view_prefix === "string", `module: ${JSON.stringify(mod)}`);
  }
  for (const c of m.health_checks || []) check(typeof c.name === "string" && typeof c.critical === "boolean", `health check: ${JSON.stringify(c)}`);
  // The same routes as the command line.
  const apiEndpoints = routes.map((r) => `${r.method} ${r.path}`).sort();
  const cli = cliEndpoints.slice().sort();
  check(JSON.stringify(apiEndpoints) === JSON.stringify(cli),
    `the metadata's routes differ from \`routes\`: only in the API: ${apiEndpoints.filter((e) => !cli.includes(e)).join(", ") || "-"}; ` +
    `only in the CLI: ${cli.filter((e) => !apiEndpoints.includes(e)).join(", ") || "-"}`);
}

function checkComponents(c) {
  check(["healthy", "unhealthy"].includes(c.status), `components.status: ${c.status}`);
  check(!Number.isNaN(Date.parse(c.checked_at)), `components.checked_at is not a time: ${c.checked_at}`);
  check(Array.isArray(c.components) && Array.isArray(c.checks), "components/checks are not arrays");
  for (const x of c.components || []) {
    check(typeof x.id === "string" && typeof x.name === "string" && typeof x.kind === "string" && typeof x.detail === "string",
      `component: ${JSON.stringify(x)}`);
    check(["healthy", "failing", "unknown"].includes(x.status), `component ${x.id}: status ${x.status}`);
    if (x.kind === "module") check(Array.isArray(x.checks), `module ${x.id}: checks is not an array`);
  }
  const ids = (c.components || []).map((x) => x.id);
  for (const id of ["backend", "database", "module-users", "module-products", "module-orders"]) {
    check(ids.includes(id), `no component ${id} in ${ids.join(", ")}`);
  }
  for (const k of c.checks || []) {
    check(typeof k.name === "string" && ["healthy", "failing"].includes(k.status) && typeof k.critical === "boolean" &&
      typeof k.detail === "string" && isNumber(k.duration_ms) && k.duration_ms >= 0, `check: ${JSON.stringify(k)}`);
  }
  const critical = (c.checks || []).filter((k) => k.critical && k.status !== "healthy");
  check((c.status === "healthy") === (critical.length === 0), `status ${c.status} with ${critical.length} failing critical checks`);
}

function checkMetrics(x) {
  const pct = (v, what) => check(isNumber(v) && v >= 0 && v <= 100, `${what} is not a percentage: ${v}`);
  pct(x.cpu_percent, "cpu_percent");
  pct(x.process_cpu_percent, "process_cpu_percent");
  check(Number.isInteger(x.cpus) && x.cpus >= 1, `cpus: ${x.cpus}`);
  check(Array.isArray(x.load_average) && x.load_average.length === 3 && x.load_average.every((v) => isNumber(v) && v >= 0),
    `load_average: ${JSON.stringify(x.load_average)}`);
  const mem = x.memory || {};
  check(["total_bytes", "available_bytes", "used_bytes"].every((k) => isNumber(mem[k]) && mem[k] >= 0), `memory: ${JSON.stringify(mem)}`);
  check(mem.total_bytes > 0 && mem.used_bytes <= mem.total_bytes && mem.available_bytes <= mem.total_bytes, `memory used/available > total: ${JSON.stringify(mem)}`);
  pct(mem.used_percent, "memory.used_percent");
  const disk = x.disk || {};
  check(typeof disk.path === "string" && disk.path !== "", `disk.path: ${disk.path}`);
  check(["total_bytes", "free_bytes", "used_bytes"].every((k) => isNumber(disk[k]) && disk[k] >= 0), `disk: ${JSON.stringify(disk)}`);
  check(disk.total_bytes > 0 && disk.used_bytes <= disk.total_bytes && disk.free_bytes <= disk.total_bytes, `disk used/free > total: ${JSON.stringify(disk)}`);
  pct(disk.used_percent, "disk.used_percent");
  const proc = x.process || {};
  check(Number.isInteger(proc.pid) && proc.pid > 0 && isNumber(proc.rss_bytes) && proc.rss_bytes > 0 && Number.isInteger(proc.threads) && proc.threads >= 1,
    `process: ${JSON.stringify(proc)}`);
  check(isNumber(x.uptime?.process_seconds) && x.uptime.process_seconds >= 0 && isNumber(x.uptime?.host_seconds) &&
    x.uptime.host_seconds >= x.uptime.process_seconds, `uptime: ${JSON.stringify(x.uptime)}`);
  check(!Number.isNaN(Date.parse(x.sampled_at)), `metrics.sampled_at is not a time: ${x.sampled_at}`);
}

// ---- the page ------------------------------------------------------------------------------------------
const text = async (locator) => ((await locator.textContent()) || "").replace(/\s+/g, " ").trim();
const activeMatches = (page, selector) => page.evaluate((s) => !!document.activeElement && document.activeElement.matches(s), selector);
const activeInside = (page, selector) => page.evaluate((s) => {
  const box = document.querySelector(s);
  return !!box && box.contains(document.activeElement);
}, selector);
const shot = (page, name, fullPage) => page.screenshot({ path: path.join(artifacts, name), fullPage: !!fullPage, animations: "disabled" });

let browser;
try {
  await waitForPort(port, 15000);

  const metadata = await getJson("/overseer/api/metadata");
  const components = await getJson("/overseer/api/components");
  const metrics = await getJson("/overseer/api/metrics");
  checkMetadata(metadata);
  checkComponents(components);
  checkMetrics(metrics);
  check(metadata.overview.endpoints === cliEndpoints.length, `overview.endpoints ${metadata.overview.endpoints} != ${cliEndpoints.length} lines of \`routes\``);
  check(metadata.overview.routes === cliPaths.size, `overview.routes ${metadata.overview.routes} != ${cliPaths.size} distinct paths of \`routes\``);

  fs.mkdirSync(artifacts, { recursive: true });
  browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { elsewhere, consoleErrors } = watchPage(page, origin);
  const metricsRequests = [];
  const componentsRequests = [];
  page.on("request", (r) => {
    if (r.url().startsWith(`${origin}/overseer/api/components`)) componentsRequests.push(Date.now());
    if (r.url().startsWith(`${origin}/overseer/api/metrics`)) metricsRequests.push(Date.now());
  });

  // ---- 2. the dashboard ----
  const response = await page.goto(`${origin}/overseer`);
  check(response.status() === 200, `/overseer answered ${response.status()}`);
  const csp = response.headers()["content-security-policy"] || "";
  check(csp.includes("default-src 'self'"), `/overseer has no Content-Security-Policy: '${csp}'`);
  await page.locator('[data-component="health-checks"]').waitFor({ timeout: 15000 });
  await page.locator('[data-component="backend"] .mini-stats dd').first().filter({ hasText: /\d/ }).waitFor({ timeout: 10000 });
  check((await page.getAttribute("main", "aria-busy")) === "false", "main is still aria-busy after loading");
  const cards = {
    backend: "Backend", database: "Database", "module-users": "Users", "module-products": "Products",
    "module-orders": "Orders", "health-checks": "Health checks",
  };
  for (const [id, name] of Object.entries(cards)) {
    const card = page.locator(`.cards [data-component="${id}"]`);
    if (!check((await card.count()) === 1, `no card ${id}`)) continue;
    const title = await text(card.locator(".card-title"));
    check(title === name, `card ${id} is titled '${title}', not '${name}'`);
    const badge = await text(card.locator(".card-head .badge"));
    check(/^. ?(Healthy|Failing|Unknown)$/.test(badge), `card ${id} has the status badge '${badge}'`);
    const status = await card.getAttribute("data-status");
    const expected = id === "health-checks"
      ? (components.checks.every((k) => k.status === "healthy") ? "healthy" : "failing")
      : components.components.find((c) => c.id === id)?.status;
    check(status === expected, `card ${id} shows ${status}, the API says ${expected}`);
  }
  const checkRows = await page.locator('[data-component="health-checks"] [data-check]').count();
  check(checkRows === components.checks.length, `the Health checks card lists ${checkRows} checks, the API ${components.checks.length}`);
  for (const k of components.checks) {
    const row = page.locator(`[data-component="health-checks"] [data-check="${k.name}"]`);
    check((await row.count()) === 1 && (await row.getAttribute("data-status")) === k.status, `the check ${k.name} is not shown as ${k.status}`);
  }
  const summary = await text(page.locator(".summary"));
  check(/Overall status:\s*. ?(Healthy|Unhealthy)/.test(summary) && /Checked .*ago|Checked just now/.test(summary),
    `the summary line says '${summary}'`);
  await shot(page, "overseer-dashboard.png", true);
  const cardBoxes = () => page.$$eval(".cards > [data-component]", (els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return `${e.getAttribute("data-component")}@${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}x${Math.round(r.height)}`;
  }));
  const boxesBefore = await cardBoxes();

  // ---- 3. the dialog, by keyboard ----
  const opener = page.locator('[data-component="backend"] [data-open="backend"]');
  const dialog = page.locator('[role="dialog"]');
  await opener.focus();
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "visible", timeout: 5000 });
  check((await dialog.getAttribute("aria-modal")) === "true", "the dialog is not aria-modal");
  const labelledBy = await dialog.getAttribute("aria-labelledby");
  check(!!labelledBy && (await text(page.locator(`[id="${labelledBy}"]`))) === "Backend", `the dialog is labelled by '${labelledBy}'`);
  check(await activeInside(page, '[role="dialog"]'), "focus did not move into the dialog");
  check(await activeMatches(page, '[role="tab"][aria-selected="true"]'), "focus is not on the selected tab");
  // Focus stays in: Tab and Shift+Tab cycle inside.
  let escaped = false;
  for (let i = 0; i < 30 && !escaped; i += 1) {
    await page.keyboard.press("Tab");
    escaped = !(await activeInside(page, '[role="dialog"]'));
  }
  for (let i = 0; i < 30 && !escaped; i += 1) {
    await page.keyboard.press("Shift+Tab");
    escaped = !(await activeInside(page, '[role="dialog"]'));
  }
  check(!escaped, "focus left the open dialog on Tab/Shift+Tab");
  check(await page.evaluate(() => document.querySelector("main").inert === true), "the page behind the dialog is not inert");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden", timeout: 5000 });
  check(await activeMatches(page, '[data-component="backend"] [data-open="backend"]'), "after Escape, focus is not back on the Backend card");

  // ---- by click, and the Close button ----
  await page.locator('[data-component="backend"]').click(); // the whole card is the button's hit area
  await dialog.waitFor({ state: "visible", timeout: 5000 });
  await page.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "hidden", timeout: 5000 });
  check(await activeMatches(page, '[data-open="backend"]'), "after Close, focus is not back on the Backend card");
  await opener.click();
  await dialog.waitFor({ state: "visible", timeout: 5000 });

  // ---- the tabs ----
  const tab = (name) => page.locator(`[role="tab"][data-tab="${name}"]`);
  const selectedTab = async () => page.locator('[role="tab"][aria-selected="true"]').getAttribute("data-tab");
  const panelShown = async (name) => {
    const id = await tab(name).getAttribute("aria-controls");
    return page.locator(`[id="${id}"]`).isVisible();
  };
  check((await page.locator('[role="tablist"] [role="tab"]').count()) === 3, "the dialog does not have three tabs");
  await tab("routes").click();
  check((await selectedTab()) === "routes" && (await panelShown("routes")) && !(await panelShown("overview")), "clicking Routes did not show it");
  await tab("lifecycle").click();
  check((await selectedTab()) === "lifecycle" && (await panelShown("lifecycle")), "clicking Lifecycle did not show it");
  await tab("overview").click();
  check((await selectedTab()) === "overview" && (await panelShown("overview")), "clicking Overview did not show it");
  await tab("overview").focus();
  const keySteps = [["ArrowRight", "routes"], ["ArrowRight", "lifecycle"], ["ArrowRight", "overview"], ["ArrowLeft", "lifecycle"],
    ["Home", "overview"], ["End", "lifecycle"], ["ArrowLeft", "routes"]];
  for (const [key, want] of keySteps) {
    await page.keyboard.press(key);
    const now = await selectedTab();
    check(now === want && (await activeMatches(page, `[role="tab"][data-tab="${want}"]`)) && (await panelShown(want)),
      `${key} on the tabs selected ${now}, expected ${want}`);
  }
  const tabIndexes = await page.$$eval('[role="tab"]', (tabs) => tabs.map((t) => t.tabIndex));
  check(tabIndexes.filter((i) => i === 0).length === 1, `roving tabindex: ${tabIndexes.join(",")}`);

  // ---- 6 (first, for the middleware count). Lifecycle ----
  await tab("lifecycle").click();
  const lanes = { startup: metadata.startup_hooks, middleware: metadata.middleware, shutdown: metadata.shutdown_hooks };
  for (const [kind, list] of Object.entries(lanes)) {
    const names = await page.$$eval(`[data-lifecycle-kind="${kind}"]`, (els) => els.map((e) => e.getAttribute("data-name")));
    const want = list.map((x) => (kind === "middleware" ? x.type : x.name));
    check(JSON.stringify(names) === JSON.stringify(want), `the ${kind} lane shows ${JSON.stringify(names)}, expected ${JSON.stringify(want)}`);
  }
  const lifecycleMiddleware = await page.locator('[data-lifecycle-kind="middleware"]').count();
  const securityNodes = await page.locator('[data-lifecycle-kind="middleware"].security').count();
  check(securityNodes === metadata.overview.security_layers, `${securityNodes} middleware are marked as security layers, expected ${metadata.overview.security_layers}`);
  const session = page.locator('[data-lifecycle-kind="middleware"][data-name*="SessionAuth"]');
  if (check((await session.count()) === 1, "no SessionAuth middleware in the Lifecycle tab")) {
    const want = metadata.middleware.find((x) => x.type.includes("SessionAuth"));
    await session.click();
    check((await session.getAttribute("aria-pressed")) === "true", "the selected middleware is not marked pressed");
    const inspector = page.locator("[data-inspector]");
    check((await inspector.locator("[aria-live=polite]").count()) + ((await inspector.getAttribute("aria-live")) === "polite" ? 1 : 0) > 0,
      "the inspector is not a polite live region");
    const field = (name) => text(inspector.locator(`[data-field="${name}"]`));
    check((await field("name")) === want.type, `the inspector's name is '${await field("name")}'`);
    check((await field("file")) === want.file, `the inspector's file is '${await field("file")}', expected '${want.file}'`);
    const description = await field("description");
    check(description === (want.description || "No description"), `the inspector's description is '${description}'`);
    check(/^Yes\b.*security layer/i.test(await field("security")), `the inspector's security field is '${await field("security")}'`);
    const options = await inspector.locator('[data-field="options"]').textContent();
    let parsed = null;
    try { parsed = JSON.parse(options); } catch (e) { fail(`the options are not JSON: ${options}`); }
    if (parsed) check(JSON.stringify(parsed) === JSON.stringify(want.options), `the options differ: ${options}`);
    check((await inspector.locator("pre[data-field=options]").count()) === 1, "the options are not in a <pre>");
  }
  // A startup hook, by keyboard: no security field.
  const firstHook = page.locator('[data-lifecycle-kind="startup"]').first();
  await firstHook.focus();
  await page.keyboard.press("Enter");
  const hookName = await text(page.locator('[data-inspector] [data-field="name"]'));
  check(hookName === metadata.startup_hooks[0].name, `Enter on the first startup hook shows '${hookName}'`);
  check((await page.locator('[data-inspector] [data-field="security"]').count()) === 0, "a startup hook shows a security field");
  check((await text(page.locator('[data-inspector] [data-field="description"]'))) === metadata.startup_hooks[0].description,
    "the startup hook's description is not shown");
  await session.click();
  await shot(page, "overseer-lifecycle.png");

  // ---- 4. Overview ----
  await tab("overview").click();
  const count = async (key) => Number((await text(page.locator(`[data-panel="overview"] .stats [data-count="${key}"]`))).replace(/[^0-9]/g, ""));
  check((await count("routes")) === cliPaths.size, `Overview shows ${await count("routes")} routes, \`routes\` has ${cliPaths.size} paths`);
  check((await count("endpoints")) === cliEndpoints.length, `Overview shows ${await count("endpoints")} endpoints, \`routes\` prints ${cliEndpoints.length}`);
  check((await count("middleware")) === lifecycleMiddleware, `Overview shows ${await count("middleware")} middleware, Lifecycle ${lifecycleMiddleware}`);
  check((await count("security_layers")) === securityNodes, `Overview shows ${await count("security_layers")} security layers, Lifecycle ${securityNodes}`);
  for (const [method, n] of Object.entries(metadata.overview.methods)) {
    const shown = await text(page.locator(`[data-panel="overview"] .method-counts [data-method="${method}"]`));
    check(shown === `${method} ${n}`, `the method badge for ${method} says '${shown}'`);
  }
  const metric = (key) => text(page.locator(`[data-metric="${key}"]`));
  await page.locator('[data-metric="cpu"]').filter({ hasText: /\d/ }).waitFor({ timeout: 10000 });
  for (const [key, pattern] of [["cpu", /^\d+(\.\d)? %$/], ["memory", /^\d[\d.,]* (B|KiB|MiB|GiB|TiB)$/], ["disk", /^\d[\d.,]* (B|KiB|MiB|GiB|TiB)$/],
    ["rss", /^\d[\d.,]* (B|KiB|MiB|GiB|TiB)$/], ["uptime", /^\d+ (s|min \d+ s|h \d+ min|d \d+ h)$/]]) {
    const v = await metric(key);
    check(pattern.test(v), `the ${key} metric shows '${v}'`);
  }
  const meters = await page.$$eval('[data-panel="overview"] [role="meter"]', (els) => els.map((e) => ({
    label: e.getAttribute("aria-label"), now: Number(e.getAttribute("aria-valuenow")),
    min: Number(e.getAttribute("aria-valuemin")), max: Number(e.getAttribute("aria-valuemax")) })));
  check(meters.length >= 3, `only ${meters.length} meters on Overview`);
  for (const m of meters) check(!!m.label && m.min === 0 && m.max === 100 && m.now >= 0 && m.now <= 100, `meter ${JSON.stringify(m)}`);
  const sampledBefore = await page.getAttribute("[data-sampled-at]", "data-sampled-at");
  const uptimeBefore = Number(await page.getAttribute('[data-metric="uptime"]', "data-seconds"));
  await page.waitForFunction((before) => {
    const el = document.querySelector("[data-sampled-at]");
    return el && el.getAttribute("data-sampled-at") !== before;
  }, sampledBefore, { timeout: 15000 });
  const uptimeAfter = Number(await page.getAttribute('[data-metric="uptime"]', "data-seconds"));
  check(uptimeAfter > uptimeBefore, `the uptime did not advance on refresh: ${uptimeBefore} -> ${uptimeAfter}`);
  await shot(page, "overseer-overview.png");

  // ---- 5. Routes ----
  await tab("routes").click();
  const groups = await page.$$eval('[data-panel="routes"] .route-group', (els) => els.map((e) => e.getAttribute("data-group")));
  const tags = [...new Set(metadata.routes.flatMap((r) => r.tags))].sort((a, b) => a.localeCompare(b, "en", { sensitivity: "base" }));
  const wantGroups = metadata.routes.some((r) => r.tags.length === 0) ? [...tags, "Untagged"] : tags;
  check(JSON.stringify(groups) === JSON.stringify(wantGroups), `the route groups are ${JSON.stringify(groups)}, expected ${JSON.stringify(wantGroups)}`);
  const rows = await page.locator('[data-panel="routes"] [data-route]').count();
  const wantRows = metadata.routes.reduce((n, r) => n + Math.max(1, r.tags.length), 0);
  check(rows === wantRows, `${rows} route rows, expected ${wantRows} (one per tag of each route)`);
  const ordersPaths = await page.$$eval('[data-panel="routes"] .route-group[data-tag="orders"] [data-route]',
    (els) => els.map((e) => e.getAttribute("data-route").split(" ")[1]));
  check(ordersPaths.every((p, i) => i === 0 || ordersPaths[i - 1] <= p), `the orders group is not sorted by path: ${ordersPaths.join(", ")}`);
  const row = page.locator('[data-panel="routes"] .route-group[data-tag="orders"] [data-route="GET /api/orders/{id}"]');
  if (check((await row.count()) === 1, 'no "GET /api/orders/{id}" under the orders group')) {
    check((await text(row.locator(".method"))) === "GET", "its method badge is not GET");
    check((await row.locator('.perm[data-permission="orders.view"]').count()) === 1, "its guard's permission orders.view is not shown");
    const guard = await text(row.locator(".dep-guard"));
    check(/require_permission/.test(guard) && /orders\.view/.test(guard), `its guard shows '${guard}'`);
    check((await text(row.locator("[data-secured]").first())).includes("Secured") || (await text(row.locator(".sec-badge"))) === "Secured",
      "it has no security badge");
    check((await row.locator('[data-param="id"]').count()) === 1, "its path parameter id is not listed");
    check((await text(row.locator(".model"))) === "Order", "its response model is not Order");
  }
  const publicRow = page.locator('[data-panel="routes"] [data-route="GET /health"]').first();
  check((await publicRow.locator(".sec-badge").count()) === 0, "GET /health carries a security badge");
  // The filter.
  const filter = page.getByLabel("Filter routes");
  await filter.fill("orders/{id}");
  const visible = await page.$$eval('[data-panel="routes"] [data-route]', (els) => els.filter((e) => !e.closest("[hidden]")).map((e) => e.getAttribute("data-route")));
  check(visible.length > 0 && visible.every((r) => r.toLowerCase().includes("orders/{id}")), `the filter 'orders/{id}' shows ${visible.join(", ")}`);
  check(visible.includes("GET /api/orders/{id}"), "the filter hides GET /api/orders/{id}");
  await filter.fill("settings");
  const bySetting = await page.$$eval('[data-panel="routes"] [data-route]', (els) => els.filter((e) => !e.closest("[hidden]")).length);
  check(bySetting === metadata.routes.filter((r) => (r.path + " " + r.name + " " + r.tags.join(" ")).toLowerCase().includes("settings")).length,
    `the filter 'settings' shows ${bySetting} rows`);
  await filter.fill("no-such-route-anywhere");
  check(await page.locator('[data-panel="routes"] .panel-message:not([hidden])').filter({ hasText: "No route matches" }).isVisible(),
    "no empty state for a filter that matches nothing");
  await filter.fill("");
  await shot(page, "overseer-routes.png");

  // ---- Escape closes; focus returns to the Backend card ----
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden", timeout: 5000 });
  check(await activeInside(page, '[data-component="backend"]'), "after Escape, focus is not in the Backend card");
  const closedAt = Date.now();
  // The cards were refreshed meanwhile (every 10 s) without moving.
  if (componentsRequests.length < 2) await page.waitForTimeout(11000);
  check(componentsRequests.length >= 2, `the components were not polled again (${componentsRequests.length} requests)`);
  const boxesAfter = await cardBoxes();
  check(JSON.stringify(boxesAfter) === JSON.stringify(boxesBefore), `the cards moved on refresh: ${boxesBefore.join(" ")} -> ${boxesAfter.join(" ")}`);

  // ---- phone width ----
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  phone.on("request", (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) elsewhere.push(r.url()); });
  phone.on("console", (m) => { if (m.type() === "error" && !isNetworkStatusMessage(m.text())) consoleErrors.push(m.text()); });
  phone.on("pageerror", (e) => consoleErrors.push(String(e)));
  await phone.goto(`${origin}/overseer`);
  await phone.locator('[data-component="health-checks"]').waitFor({ timeout: 15000 });
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the dashboard scrolls sideways at 390 px (${overflow} px)`);
  await shot(phone, "overseer-phone-dashboard.png", true);
  await phone.locator('[data-open="backend"]').click();
  await phone.locator('[data-metric="cpu"]').filter({ hasText: /\d/ }).waitFor({ timeout: 10000 });
  const box = await phone.locator('[role="dialog"]').boundingBox();
  check(box && box.width <= 390 && box.x >= 0, `the dialog does not fit the phone: ${JSON.stringify(box)}`);
  await shot(phone, "overseer-phone-modal.png");
  for (const name of ["routes", "lifecycle"]) {
    await phone.locator(`[role="tab"][data-tab="${name}"]`).click();
    const wide = await phone.evaluate(() => {
      const body = document.querySelector(".dialog-body");
      return body.scrollWidth - body.clientWidth;
    });
    check(wide <= 0, `the ${name} tab scrolls sideways at 390 px (${wide} px)`);
  }
  // On a phone the inspector opens under the step that was tapped.
  const tapped = phone.locator('[data-lifecycle-kind="middleware"][data-name*="SessionAuth"]');
  await tapped.click();
  const inspectorPhone = phone.locator("[data-inspector]");
  await inspectorPhone.waitFor({ state: "visible", timeout: 5000 });
  const nodeBox = await tapped.boundingBox();
  const inspectorBox = await inspectorPhone.boundingBox();
  check(nodeBox && inspectorBox && inspectorBox.y >= nodeBox.y + nodeBox.height && inspectorBox.y - (nodeBox.y + nodeBox.height) < 40,
    `on a phone the inspector is not under the tapped step: ${JSON.stringify({ nodeBox, inspectorBox })}`);
  check((await text(inspectorPhone.locator('[data-field="name"]'))).includes("SessionAuth"), "the phone's inspector does not show SessionAuth");
  await shot(phone, "overseer-phone-lifecycle.png");
  await phone.close();
  // While the dialog is closed, the metrics are not polled.
  const late = metricsRequests.filter((t) => t > closedAt + 500);
  check(late.length === 0, `the closed dialog still polled /metrics ${late.length} times`);

  // ---- 7. a refusal from the API reads as one ----
  const denied = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  denied.on("pageerror", (e) => consoleErrors.push(String(e)));
  await denied.route(`${origin}/overseer/api/**`, (route) => route.fulfill({
    status: 403, contentType: "application/json", body: JSON.stringify({ detail: "Missing permission: overseer.view" }) }));
  await denied.goto(`${origin}/overseer`);
  const refusal = denied.locator('[data-denied="403"]');
  await refusal.waitFor({ timeout: 10000 });
  const said = await text(refusal);
  check(/overseer\.view/.test(said) && /may not/i.test(said), `a 403 shows '${said}'`);
  check((await denied.locator(".cards").count()) === 0, "a 403 still shows cards");
  await denied.close();

  // ---- 8. what users' code writes stays text ----
  const evil = '<img src=x onerror="window.__xss=1"><b>bold</b>';
  const tainted = JSON.parse(JSON.stringify(metadata));
  tainted.routes[0].path = `/x/${evil}`;
  tainted.routes[0].summary = evil;
  tainted.routes[0].tags = [evil];
  tainted.middleware[0].description = evil;
  tainted.middleware[0].options = { [evil]: evil };
  const taintedComponents = JSON.parse(JSON.stringify(components));
  taintedComponents.components[1].detail = evil;
  taintedComponents.checks[0].detail = evil;
  const xss = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  xss.on("pageerror", (e) => consoleErrors.push(String(e)));
  await xss.route(`${origin}/overseer/api/metadata`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(tainted) }));
  await xss.route(`${origin}/overseer/api/components`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(taintedComponents) }));
  await xss.goto(`${origin}/overseer`);
  await xss.locator('[data-component="health-checks"] [data-check]').first().waitFor({ timeout: 10000 });
  await xss.locator('[data-open="backend"]').click();
  await xss.locator('[role="tab"][data-tab="routes"]').click();
  await xss.locator('[role="tab"][data-tab="lifecycle"]').click();
  await xss.locator('[data-lifecycle-kind="middleware"]').first().click();
  const injected = await xss.evaluate(() => ({
    ran: window.__xss === 1,
    elements: document.querySelectorAll("img, b").length,
    text: document.body.textContent.split('<img src=x onerror="window.__xss=1"><b>bold</b>').length - 1,
  }));
  check(!injected.ran && injected.elements === 0, `markup from the API became elements: ${JSON.stringify(injected)}`);
  check(injected.text >= 6, `markup from the API is not shown as text (${injected.text} times)`);
  await xss.close();

  if (elsewhere.length > 0) fail(`requests left the origin: ${elsewhere.join(", ")}`);
  if (consoleErrors.length > 0) fail(`the page logged errors: ${consoleErrors.join(" | ")}`);
  if (!process.exitCode) {
    console.log(`overseer: ${Object.keys(cards).length} cards; dialog by keyboard and click, focus trapped and returned; ` +
      `${metadata.overview.routes} routes / ${metadata.overview.endpoints} endpoints as \`routes\` prints; ` +
      `${lifecycleMiddleware} middleware (${securityNodes} security layers); metrics refresh; GET /api/orders/{id} guarded by orders.view`);
  }
} catch (e) {
  fail(String(e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  app.kill("SIGTERM");
  await new Promise((resolve) => { if (app.exitCode !== null || app.signalCode !== null) resolve(); else { app.once("exit", resolve); setTimeout(resolve, 5000); } });
  fs.rmSync(dir, { recursive: true, force: true });
  if (failures) console.error(`${failures} check(s) failed`);
}
