// Debian's Chromium, headless, for every browser test: its path and flags in one place.
const { chromium } = require("playwright-core");

function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

module.exports = { launchChromium };
