// A learner rates an answer in the website's chat widget (headless Chromium): asks a catalog question,
// reads the rating buttons that come with the answer, taps "Not helpful" and waits for the reply.
// Prints one JSON line: {"buttons": [...], "said": [...]}.
const { launchChromium } = require("./browser.cjs");

const [siteUrl] = process.argv.slice(2);

(async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(siteUrl);
    await page.click(".rw-launcher");
    await page.waitForSelector(".rw-new-message");
    await page.locator(".rw-response", { hasText: /welcome/i }).first().waitFor({ timeout: 20000 });
    await page.fill(".rw-new-message", "How much is Introduction to Generative AI?");
    await page.keyboard.press("Enter");
    await page.locator(".rw-response", { hasText: /\$10/ }).first().waitFor({ timeout: 20000 });
    const down = page.locator(".rw-reply", { hasText: "Not helpful" });
    await down.first().waitFor({ timeout: 10000 });
    const buttons = await page.locator(".rw-reply").allInnerTexts();
    await down.first().click();
    await page.locator(".rw-response", { hasText: /didn.t help/ }).first().waitFor({ timeout: 20000 });
    const said = await page.locator(".rw-client").allInnerTexts();
    console.log(JSON.stringify({ buttons: buttons.map((b) => b.trim()), said: said.map((s) => s.trim()) }));
  } catch (error) {
    console.log(JSON.stringify({ error: String(error) }));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
