// What the browser tests share: a free port, waiting for the app to listen, and Debian's Chromium.
import net from "node:net";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => { c.end(); resolve(true); });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app did not listen on ${port}`);
}

// Headless, offline-minded: nothing phones home, so any request to another host is the page's own doing.
export function launchChromium(chromium) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

// Chromium reports every 4xx answer as a console error; the tests provoke some on purpose.
export function isNetworkStatusMessage(text) {
  return text.startsWith("Failed to load resource: the server responded with a status of");
}

// Records what `page` asks of hosts other than `origin` (nothing may leave the machine) and its console
// and script errors (apart from the 4xx answers the tests provoke). The arrays fill as the page runs.
export function watchPage(page, origin) {
  const seen = { elsewhere: [], consoleErrors: [] };
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) seen.elsewhere.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error" && !isNetworkStatusMessage(m.text())) seen.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => seen.consoleErrors.push(String(e)));
  return seen;
}
