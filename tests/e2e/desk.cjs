// Drives the coach desk in headless Chromium: a signed-in coach with notifications allowed is alerted
// to a new handoff, and the desk's pages fit a 390 px phone without scrolling sideways.
// Prints one JSON object per line: {"step": ...}; after "ready" it waits for a line on stdin (the
// Python test has opened a handoff), after "notified" for the handoff's desk path.
const { launchChromium } = require("./browser.cjs");
const readline = require("readline");

const [deskUrl, username, password, shotDir] = process.argv.slice(2);
const report = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// Notifications are recorded as the page makes them (the browser still shows them).
const RECORD_NOTIFICATIONS = () => {
  window.shownNotifications = [];
  const Shown = window.Notification;
  window.Notification = class extends Shown {
    constructor(title, options) {
      window.shownNotifications.push({ title, body: options && options.body });
      super(title, options);
    }
  };
};

async function signIn(context) {
  const page = await context.newPage();
  await page.goto(`${deskUrl}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  return page;
}

async function sideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

(async () => {
  const browser = await launchChromium();
  try {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await desktop.grantPermissions(["notifications"], { origin: new URL(deskUrl).origin });
    await desktop.addInitScript(RECORD_NOTIFICATIONS);
    const queue = await signIn(desktop);
    report("ready", { permission: await queue.evaluate(() => Notification.permission),
                      enableButtonHidden: await queue.locator("#enable-alerts").isHidden() });
    await stdinLines.next(); // a learner has asked for a person
    let shown = [];
    for (let tries = 0; tries < 40 && !shown.length; tries++) {
      await queue.waitForTimeout(500);
      shown = await queue.evaluate(() => window.shownNotifications);
    }
    report("notified", { notifications: shown });
    await queue.screenshot({ path: `${shotDir}/queue.png`, fullPage: true });
    const handoffPath = String((await stdinLines.next()).value).trim();

    const handoff = await queue.context().newPage();
    await handoff.goto(`${deskUrl}${handoffPath}`);
    const replyBox = await handoff.locator("#reply-form").boundingBox();
    const transcript = await handoff.locator("#transcript").boundingBox();
    report("handoff_page", { replyBelowTranscript: replyBox && transcript && replyBox.y >= transcript.y + transcript.height - 1,
                             replyInView: replyBox && replyBox.y + replyBox.height <= 800 });
    await handoff.screenshot({ path: `${shotDir}/handoff.png` });

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const phoneQueue = await signIn(phone);
    const widths = { queue: await sideways(phoneQueue) };
    await phoneQueue.screenshot({ path: `${shotDir}/phone-queue.png`, fullPage: true });
    for (const [name, path] of [["handoff", handoffPath], ["search", "/handoffs?status=active"]]) {
      await phoneQueue.goto(`${deskUrl}${path}`);
      widths[name] = await sideways(phoneQueue);
      await phoneQueue.screenshot({ path: `${shotDir}/phone-${name}.png`, fullPage: true });
    }
    report("phone", { sideways: widths });
  } catch (error) {
    report("error", { message: String(error) });
    process.exitCode = 1;
  } finally {
    await browser.close();
    process.exit();
  }
})();
