// Opens the desk's analytics overview in headless Chromium as an admin and reports, per chart, whether
// its image rendered, how many bars and points its SVG holds, and the rows of its table. Prints one
// JSON line: {"charts": {...}}; saves screenshots of the overview and of the review.
const { launchChromium } = require("./browser.cjs");

const [deskUrl, username, password, period, shotDir] = process.argv.slice(2);

(async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${deskUrl}login`);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    await page.goto(`${deskUrl}analytics?${period}`);
    const images = page.locator("section.chart img");
    for (let n = 0; n < (await images.count()); n++) {
      await images.nth(n).evaluate((img) => img.decode());  // rejects when the SVG cannot be drawn
    }
    const charts = {};
    for (const section of await page.locator("section.chart").all()) {
      const name = (await section.getAttribute("id")).replace("chart-", "");
      const img = section.locator("img");
      const drawn = await img.evaluate(async (image) => {
        const svg = new DOMParser().parseFromString(await (await fetch(image.src)).text(), "image/svg+xml");
        const points = {};
        for (const line of svg.querySelectorAll('[id^="points-"]')) {
          points[line.id.replace("points-", "")] = line.querySelectorAll("use").length;
        }
        const bars = svg.querySelectorAll('[id^="bar-"]').length + svg.querySelectorAll('[id^="bars-"] > path').length;
        return { loaded: image.complete, width: image.naturalWidth, bars, points };
      });
      const header = await section.locator("thead th").allTextContents();
      const cells = [];
      for (const row of await section.locator("tbody tr").all()) cells.push(await row.locator("td").allTextContents());
      const rows = cells.filter((row) => row.length === header.length).length;
      charts[name] = { ...drawn, header, rows, cells };
    }
    await page.screenshot({ path: `${shotDir}/analytics.png`, fullPage: true });
    await page.goto(`${deskUrl}analytics/review?${period}`);
    await page.screenshot({ path: `${shotDir}/review.png`, fullPage: true });
    console.log(JSON.stringify({ charts }));
  } catch (error) {
    console.log(JSON.stringify({ error: String(error) }));
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
})();
