#!/usr/bin/env node
// A headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the
// citizen pages' browser tests. The test sends one JSON command per line on stdin and
// reads one JSON answer per line on stdout:
//
//   {"cmd": "goto", "url": "…"}                       → {"url", "status", "title"}
//   {"cmd": "click", "selector": "…"}                 clicks and waits for the next page
//   {"cmd": "fill", "selector": "…", "value": "…"}
//   {"cmd": "check", "selector": "…"} / {"cmd": "uncheck", "selector": "…"}
//   {"cmd": "select", "selector": "…", "value": "…"}
//   {"cmd": "page"}                                    → {"url", "title", "html", "lang"}
//   {"cmd": "axe"}                                     → {"violations": [{id, impact, help, nodes}]}
//   {"cmd": "images", "selector": "…"}                 → {"widths"} the images' natural widths
//                                                        (0: the image was not drawn)
//   {"cmd": "screenshot", "name": "…"}                 → {"path"} (full page, PNG in --out)
//   {"cmd": "download", "selector": "…"}               → {"path"} of the file the click saved
//   {"cmd": "quit"}
//
// An answer with "error" means the command failed. Usage:
//   browser.js --out DIR [--chromium /usr/bin/chromium]
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

function load(name) {
  try {
    return require(path.join(__dirname, '../../.peers/node/node_modules', name));
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    return require(name);
  }
}

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const { chromium } = load('playwright-core');
  const axePath = path.join(path.dirname(require.resolve(path.join(__dirname, '../../.peers/node/node_modules/axe-core'))), 'axe.min.js');
  const out = arg('--out', '.');
  fs.mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: arg('--chromium', '/usr/bin/chromium'),
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  // The pages forbid scripts (CSP); axe is injected past it, as a browser extension would.
  const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  let last = null;

  const handlers = {
    async goto(c) {
      const r = await page.goto(c.url, { waitUntil: 'load' });
      await page.waitForLoadState('load');
      return { url: page.url(), status: r ? r.status() : 0, title: await page.title() };
    },
    async click(c) {
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }).catch(() => null),
        page.click(c.selector),
      ]);
      // The IdP's page posts its form by script: wait until it lands back here.
      if (c.until) await page.waitForURL((u) => u.toString().includes(c.until), { timeout: 15000 });
      await page.waitForLoadState('load');
      return { url: page.url(), title: await page.title() };
    },
    async fill(c) {
      await page.fill(c.selector, c.value);
      return {};
    },
    async check(c) {
      await page.check(c.selector);
      return {};
    },
    async uncheck(c) {
      await page.uncheck(c.selector);
      return {};
    },
    async select(c) {
      await page.selectOption(c.selector, c.value);
      return {};
    },
    async page() {
      return {
        url: page.url(),
        title: await page.title(),
        html: await page.content(),
        lang: await page.evaluate(() => document.documentElement.lang),
      };
    },
    async images(c) {
      const widths = await page.$$eval(c.selector, (imgs) => imgs.map((i) => i.naturalWidth));
      return { widths };
    },
    async axe() {
      await page.addScriptTag({ path: axePath });
      const result = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
      return {
        violations: result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
        })),
        passes: result.passes.length,
      };
    },
    async screenshot(c) {
      const file = path.join(out, `${c.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return { path: file };
    },
    async download(c) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(c.selector)]);
      const file = path.join(out, download.suggestedFilename());
      await download.saveAs(file);
      return { path: file };
    },
  };

  const rl = readline.createInterface({ input: process.stdin });
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  for await (const line of rl) {
    let c;
    try {
      c = JSON.parse(line);
    } catch (e) {
      process.stdout.write(JSON.stringify({ error: `not JSON: ${e.message}` }) + '\n');
      continue;
    }
    if (c.cmd === 'quit') break;
    const h = handlers[c.cmd];
    let answer;
    try {
      answer = h ? await h(c) : { error: `no command ${c.cmd}` };
    } catch (e) {
      answer = { error: String(e && e.message ? e.message : e).slice(0, 2000), url: page.url() };
    }
    last = answer;
    process.stdout.write(JSON.stringify(answer) + '\n');
  }
  void last;
  await browser.close();
}

main().catch((e) => {
  process.stderr.write(`browser: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
