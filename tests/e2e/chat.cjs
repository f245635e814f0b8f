// Drives the website's chat widget in headless Chromium and reports what a learner sees.
// Prints one JSON object per line: {"step": ...}. Waits for a line on stdin after the handoff
// step, so the Python test can reply as a coach before the widget is checked for it.
const { chromium } = require("playwright-core");
const readline = require("readline");

const [siteUrl, shotDir] = process.argv.slice(2);
const report = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function ask(page, text, expected) {
  await page.fill(".rw-new-message", text);
  await page.keyboard.press("Enter");
  await page.waitForFunction((pattern) => new RegExp(pattern, "i").test(document.querySelector(".rw-messages-container")?.innerText || ""),
                             expected, { timeout: 20000 });
}

(async () => {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(siteUrl);
    await page.click(".rw-launcher");
    await page.waitForSelector(".rw-new-message");
    await page.waitForFunction(() => /welcome/i.test(document.querySelector(".rw-messages-container")?.innerText || ""), null, { timeout: 20000 });
    report("greeting", { buttons: await page.locator(".rw-reply").allInnerTexts() });

    await ask(page, "How much is Introduction to Generative AI?", "\\$10");
    report("catalog_answer");

    await page.locator(".rw-reply", { hasText: "List micro-credentials" }).first().click();
    await page.waitForFunction(() => /Lockout/i.test(document.querySelector(".rw-messages-container")?.innerText || ""), null, { timeout: 20000 });
    report("button_clicked");
    await page.screenshot({ path: `${shotDir}/desktop.png` });

    const label = await page.getAttribute(".rw-new-message", "aria-label");
    const launcherLabel = await page.getAttribute(".rw-launcher", "aria-label").catch(() => null);
    report("labels", { input: label, launcher: launcherLabel });

    await page.reload();
    await page.waitForSelector(".rw-launcher, .rw-new-message");
    if (!(await page.isVisible(".rw-new-message"))) await page.click(".rw-launcher");
    await page.waitForFunction(() => /\$10/.test(document.querySelector(".rw-messages-container")?.innerText || ""), null, { timeout: 20000 });
    report("history_after_reload");

    await ask(page, "I want to talk to a human", "coach");
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem("chat_session") || "{}").session_id);
    report("handoff", { session });
    await stdinLines.next(); // the coach has replied
    await page.waitForFunction(() => /How can I help/i.test(document.querySelector(".rw-messages-container")?.innerText || ""), null, { timeout: 20000 });
    report("coach_reply_live");
    await page.screenshot({ path: `${shotDir}/handoff.png` });

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(siteUrl);
    await phone.click(".rw-launcher");
    await phone.waitForSelector(".rw-new-message");
    const box = await phone.locator(".rw-conversation-container").boundingBox();
    report("phone", { width: box ? box.width : null });
    await phone.screenshot({ path: `${shotDir}/phone.png` });
  } catch (error) {
    report("error", { message: String(error) });
    process.exitCode = 1;
  } finally {
    await browser.close();
    process.exit();
  }
})();
