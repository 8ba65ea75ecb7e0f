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
//   {"cmd": "viewport", "width": 360, "height": 740}   the page's size from now on
//   {"cmd": "measure"}                                 → {"width", "scroll_width", "header_height",
//                                                        "wide": [what reaches past the right edge],
//                                                        "small": [tap targets under 44 × 44 px],
//                                                        "error_summary_top": its y on the page, or null}
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
    async viewport(c) {
      await page.setViewportSize({ width: c.width, height: c.height });
      return {};
    },
    async measure() {
      return page.evaluate(() => {
        const name = (e) => {
          const id = e.id ? `#${e.id}` : '';
          const cls = e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
          const text = (e.innerText || e.value || '').trim().slice(0, 30);
          return `${e.tagName.toLowerCase()}${id}${cls} "${text}"`;
        };
        // Drawn for the eye: not inside a closed <details> (its summary aside), not in a
        // box clipped to a pixel for screen readers only (such as a stacked table's head).
        const shown = (e) => {
          const r = e.getBoundingClientRect();
          const s = getComputedStyle(e);
          if (!(r.width > 0 && r.height > 0) || s.visibility === 'hidden' || e.closest('.sr, .skip')) return false;
          const closed = e.closest('details:not([open])');
          if (closed && !e.closest('summary')) return false;
          for (let a = e; a; a = a.parentElement) {
            const b = a.getBoundingClientRect();
            const st = getComputedStyle(a);
            if (st.overflow === 'hidden' && (b.width <= 1 || b.height <= 1)) return false;
          }
          return true;
        };
        const width = window.innerWidth;
        const wide = [];
        for (const e of document.querySelectorAll('body *')) {
          if (!shown(e)) continue;
          const r = e.getBoundingClientRect();
          if (r.right > width + 0.5 || r.left < -0.5) wide.push(`${name(e)} ${Math.round(r.left)}..${Math.round(r.right)}`);
          // Text running out of its own box (a line that does not wrap) counts too.
          else if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.clientWidth > 0)
            wide.push(`${name(e)} text ${e.scrollWidth} px in ${e.clientWidth}`);
        }
        // What a finger taps: buttons, fields, menu entries and links that stand alone
        // (a link inside running text is exempt, as WCAG 2.5.5 allows); a tick box or radio
        // button is tapped through its label.
        const small = [];
        const targets = document.querySelectorAll('button, select, input, summary, a, label');
        for (const e of targets) {
          if (!shown(e) || e.type === 'hidden') continue;
          if (e.tagName === 'A' && e.closest('p, dd, td, li:not(nav li)') && !e.classList.contains('button')) continue;
          if (e.tagName === 'LABEL' && !(e.control && ['checkbox', 'radio'].includes(e.control.type))) continue;
          if (e.tagName === 'INPUT' && ['checkbox', 'radio'].includes(e.type)) continue;
          const r = e.getBoundingClientRect();
          if (r.width < 44 || r.height < 44) small.push(`${name(e)} ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
        const header = document.querySelector('header');
        const summary = document.querySelector('.error-summary');
        return {
          error_summary_top: summary ? Math.round(summary.getBoundingClientRect().top + window.scrollY) : null,
          width,
          scroll_width: document.documentElement.scrollWidth,
          header_height: header ? Math.round(header.getBoundingClientRect().height) : 0,
          wide: wide.slice(0, 20),
          small: small.slice(0, 20),
        };
      });
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
