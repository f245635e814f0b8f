// Drives the website's chat widget in headless Chromium and reports what a learner sees.
// Prints one JSON object per line: {"step": ...}. Waits for a line on stdin after the handoff
// step, so the Python test can reply as a coach before the widget is checked for it.
const { launchChromium } = require("./browser.cjs");
const readline = require("readline");

const [siteUrl, shotDir] = process.argv.slice(2);
const report = (step, data = {}) => console.log(JSON.stringify({ step, ...data }));
const stdinLines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// Locators wait from Playwright's own world: a waitForFunction predicate would be evaluated as a
// string inside the page, which the site's Content-Security-Policy (rightly) forbids.
const botSaying = (page, pattern) => page.locator(".rw-response", { hasText: new RegExp(pattern, "i") });

async function waitForText(page, pattern) {
  await botSaying(page, pattern).first().waitFor({ timeout: 20000 });
}

// Waits for a new bot message matching `expected`, not one already on screen.
async function ask(page, text, expected) {
  const before = await botSaying(page, expected).count();
  await page.fill(".rw-new-message", text);
  await page.keyboard.press("Enter");
  await botSaying(page, expected).nth(before).waitFor({ timeout: 20000 });
}

(async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(siteUrl);
    await page.click(".rw-launcher");
    await page.waitForSelector(".rw-new-message");
    await waitForText(page, "welcome");
    report("greeting", { buttons: await page.locator(".rw-reply").allInnerTexts() });

    // Quick replies belong to the newest message only: click the greeting's before typing anything.
    await page.locator(".rw-reply", { hasText: "List micro-credentials" }).first().click();
    await waitForText(page, "Lockout");
    const list = botSaying(page, "Lockout").last();
    report("button_clicked", { items: await list.locator("li").count(), lines: (await list.innerText()).split("\n") });
    await list.screenshot({ path: `${shotDir}/list.png` });

    await ask(page, "How much is Introduction to Generative AI?", "\\$10");
    report("catalog_answer");
    await page.screenshot({ path: `${shotDir}/desktop.png` });

    const label = await page.getAttribute(".rw-new-message", "aria-label");
    const launcherLabel = await page.getAttribute(".rw-launcher", "aria-label").catch(() => null);
    report("labels", { input: label, launcher: launcherLabel });

    await page.reload();
    await page.waitForSelector(".rw-launcher, .rw-new-message");
    if (!(await page.isVisible(".rw-new-message"))) await page.click(".rw-launcher");
    await waitForText(page, "\\$10");
    report("history_after_reload");

    await ask(page, "I want to talk to a human", "coach");
    const session = await page.evaluate(() => JSON.parse(localStorage.getItem("chat_session") || "{}").session_id);
    report("handoff", { session });
    await stdinLines.next(); // the coach has replied
    await waitForText(page, "How can I help");
    const coachBubble = botSaying(page, "How can I help").last();
    report("coach_reply_live", { coach: await coachBubble.getAttribute("data-coach"),
                                 text: await coachBubble.innerText() });
    await page.screenshot({ path: `${shotDir}/handoff.png` });

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await phone.goto(siteUrl);
    await phone.click(".rw-launcher");
    await phone.waitForSelector(".rw-new-message");
    await waitForText(phone, "welcome"); // a fresh visitor on a phone is greeted too
    const box = await phone.locator(".rw-conversation-container").boundingBox();
    report("phone", { width: box ? box.width : null });
    await phone.screenshot({ path: `${shotDir}/phone.png` });

    // "Talk to a person" is always in the chat's header, and takes the same path as asking.
    await phone.locator(".advisor-talk-to-person").click();
    await waitForText(phone, "admissions coach");
    const phoneSession = await phone.evaluate(() => JSON.parse(localStorage.getItem("chat_session") || "{}").session_id);
    report("talk_to_a_person", { session: phoneSession, said: await phone.locator(".rw-client").allInnerTexts() });
    await phone.screenshot({ path: `${shotDir}/talk-to-a-person.png` });
  } catch (error) {
    report("error", { message: String(error) });
    process.exitCode = 1;
  } finally {
    await browser.close();
    process.exit();
  }
})();
