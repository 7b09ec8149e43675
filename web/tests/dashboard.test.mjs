// End-to-end tests of the dashboard in headless Chromium against a real
// `shopsight serve` on a store filled by `shopsight ingest`.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  INCIDENT_PRODUCT, SEARCH_WORD, buildStore, fetchJson, gotoReady, launchBrowser, openPage, screenshotDir,
  startServer, waitReady,
} from './fixture.mjs';

const require = createRequire(import.meta.url);
// The dashboard's Content-Security-Policy blocks the inline script that
// page.addScriptTag would add, so the axe source is evaluated through the
// DevTools protocol instead, which the policy does not cover.
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DAY_MS = 86_400_000;

let store;
let server;
let browser;
let origin;
let status;
let negativeAlert;

/** Hash routes of every page, with the file name of its screenshot. */
/** Red, green and blue of a #rrggbb or rgb()/rgba() color, 0-255. */
function rgb(color) {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (hex) return hex.slice(1).map((part) => parseInt(part, 16));
  const functional = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  if (functional) return functional.slice(1).map(Number);
  throw new Error(`unsupported color ${color}`);
}

/** WCAG 2.1 contrast ratio of two opaque colors. */
function contrastRatio(first, second) {
  const luminance = (color) => {
    const [r, g, b] = rgb(color).map((value) => {
      const channel = value / 255;
      return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

function pages() {
  const list = [
    ['overview', '#/'],
    ['product', `#/product/${encodeURIComponent(INCIDENT_PRODUCT)}`],
    ['category', `#/category/${encodeURIComponent('数码')}`],
    ['alerts', '#/alerts'],
    ['alert', `#/alerts/${encodeURIComponent(negativeAlert.fingerprint)}`],
    ['items', '#/items'],
    ['user', '#/user/u1001'],
  ];
  if (status.topics) list.push(['topics', '#/topics']);
  return list;
}

/** Returns the overview's default range: the 30 days up to the UTC midnight after the latest item. */
function defaultRange() {
  const to = Math.ceil((status.latest_ms + 1) / DAY_MS) * DAY_MS;
  return { from: to - 30 * DAY_MS, to };
}

async function chartData(page, key) {
  return page.$eval(`figure[data-chart="${key}"]`, (figure) => ({
    seriesCount: Number(figure.dataset.seriesCount),
    pointCounts: (figure.dataset.pointCounts ?? '').split(',').filter(Boolean).map(Number),
    markFrom: figure.dataset.markFrom ? Number(figure.dataset.markFrom) : null,
    markTo: figure.dataset.markTo ? Number(figure.dataset.markTo) : null,
    tableRows: figure.querySelectorAll('.chart-table tbody tr').length,
    hasCanvas: figure.querySelector('canvas') !== null,
  }));
}

async function setLanguage(page, lang) {
  await page.selectOption('#lang-select', lang);
  await waitReady(page);
}

before(async () => {
  store = buildStore();
  server = await startServer(store.db);
  origin = server.url;
  browser = await launchBrowser();
  mkdirSync(screenshotDir, { recursive: true });
  status = await fetchJson(origin, '/api/v1/status');
  const alerts = await fetchJson(origin, '/api/v1/alerts?detector=negative_share&limit=10');
  negativeAlert = alerts.alerts[0];
  assert.ok(negativeAlert, 'the fixture raised no negative_share alert');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  store?.cleanup();
});

describe('dashboard', () => {
  test('every page loads cleanly in both languages', async () => {
    for (const lang of ['en', 'zh-CN']) {
      const { page, problems, foreign } = await openPage(browser.context, origin);
      await page.goto(`${origin}/`);
      await waitReady(page);
      await setLanguage(page, lang);
      for (const [name, route] of pages()) {
        await gotoReady(page, `${origin}/${route}`);
        assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: html lang`);
        const errors = await page.$$eval('.message.error', (nodes) => nodes.map((node) => node.textContent));
        assert.deepEqual(errors, [], `${name} (${lang}) shows errors`);
        await page.screenshot({ path: path.join(screenshotDir, `${name}-${lang}.png`), fullPage: true });
      }
      assert.deepEqual(problems, [], `console or page errors in ${lang}`);
      assert.deepEqual(foreign(), [], 'requests left the server origin');
      await page.close();
    }
  });

  test('overview charts match the API', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/?range=30&bucket=day`);
    const { from, to } = defaultRange();
    const series = await fetchJson(origin, `/api/v1/series?dimension=shop&granularity=day&from=${from}&to=${to}`);
    const volume = await chartData(page, 'volume');
    assert.equal(volume.seriesCount, 1);
    assert.deepEqual(volume.pointCounts, [series.buckets.length]);
    assert.equal(volume.tableRows, series.buckets.length);
    assert.ok(volume.hasCanvas, 'volume chart has no canvas');
    const total = series.buckets.reduce((sum, bucket) => sum + bucket.volume, 0);
    const shownVolume = await page.textContent('#kpi-volume');
    assert.equal(Number(shownVolume.replace(/[^\d]/g, '')), total);

    const sentiment = await chartData(page, 'sentiment');
    const active = series.buckets.filter((bucket) => bucket.volume > 0).length;
    assert.deepEqual(sentiment.pointCounts, [active, active]);

    const negativeAspects = new Set();
    for (const bucket of series.buckets) {
      for (const [key, counts] of Object.entries(bucket.aspects ?? {})) if (counts.negative > 0) negativeAspects.add(key);
    }
    const complaints = await chartData(page, 'complaints');
    assert.deepEqual(complaints.pointCounts, [negativeAspects.size]);

    const rising = await fetchJson(origin,
      `/api/v1/values?dimension=product&granularity=day&from=${from}&to=${to}&compare=previous&sort=negative_share_change&min_volume=10&limit=10`);
    const rows = await page.$$eval('#rising-products tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(rows, rising.values.map((row) => row.value));
    const alertRows = await page.$$eval('#latest-alerts li', (items) => items.length);
    assert.equal(alertRows, Math.min(10, status.alerts));
    await page.close();
  });

  test('range picker changes the series', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/?range=30&bucket=day`);
    await page.selectOption('#range-preset', '7');
    await waitReady(page);
    assert.deepEqual((await chartData(page, 'volume')).pointCounts, [7]);
    await page.selectOption('#range-bucket', 'hour');
    await waitReady(page);
    assert.deepEqual((await chartData(page, 'volume')).pointCounts, [7 * 24]);
    assert.match(page.url(), /range=7&bucket=hour/);
    await page.close();
  });

  test('product page charts match the API', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/product/${encodeURIComponent(INCIDENT_PRODUCT)}`);
    const { from, to } = defaultRange();
    const value = encodeURIComponent(INCIDENT_PRODUCT);
    const series = await fetchJson(origin, `/api/v1/series?dimension=product&value=${value}&granularity=day&from=${from}&to=${to}`);
    const forecast = await fetchJson(origin,
      `/api/v1/forecast?dimension=product&value=${value}&measure=volume&granularity=day&horizon=7&from=${from}&to=${to}&coverage=0.95`);
    const volume = await chartData(page, 'volume-forecast');
    assert.deepEqual(volume.pointCounts, [series.buckets.length, forecast.forecast.length]);
    const aspects = new Set(series.buckets.flatMap((bucket) => Object.keys(bucket.aspects ?? {})));
    assert.deepEqual((await chartData(page, 'aspects')).pointCounts, [aspects.size, aspects.size]);

    const negative = await fetchJson(origin,
      `/api/v1/keywords?dimension=product&value=${value}&sentiment=negative&from=${from}&to=${to}&limit=15`);
    const words = await page.$$eval('#keywords-negative tbody tr td:first-child', (cells) => cells.map((cell) => cell.textContent));
    assert.deepEqual(words, negative.keywords.map((keyword) => keyword.word));

    const marks = await page.$$eval('#examples mark', (nodes) => nodes.map((node) => node.textContent));
    assert.ok(marks.length > 0, 'example items have no highlighted spans');
    await page.close();
  });

  test('chart table toggle shows the data', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    const toggle = page.locator('figure[data-chart="volume"] button.toggle');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.ok(await page.isVisible('figure[data-chart="volume"] .chart-table table'));
    assert.ok(await page.isHidden('figure[data-chart="volume"] .chart-canvas'));
    await page.close();
  });

  test('item explorer filters and searches', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/items`);
    const all = await page.$$eval('#item-list .item', (items) => items.map((item) => item.dataset.sentiment));
    assert.equal(all.length, 20);
    await page.selectOption('#items-sentiment', 'negative');
    await waitReady(page);
    const negative = await page.$$eval('#item-list .item', (items) => items.map((item) => item.dataset.sentiment));
    assert.ok(negative.length > 0);
    assert.ok(negative.every((label) => label === 'negative'), 'sentiment filter let other labels through');
    assert.notDeepEqual(negative, all);

    await page.click('#items-more');
    await waitReady(page);
    assert.equal(await page.$$eval('#item-list .item', (items) => items.length), 40);

    await page.selectOption('#items-sentiment', '');
    await page.fill('#items-q', SEARCH_WORD);
    await page.press('#items-q', 'Enter');
    await waitReady(page);
    const texts = await page.$$eval('#item-list .item .item-text', (nodes) => nodes.map((node) => node.textContent));
    const expected = await fetchJson(origin, `/api/v1/items?q=${encodeURIComponent(SEARCH_WORD)}&limit=20`);
    assert.ok(texts.length > 0, `search for ${SEARCH_WORD} found nothing`);
    assert.equal(texts.length, expected.items.length);
    assert.ok(texts.every((text) => text.includes(SEARCH_WORD)), 'a search result lacks the word');
    await page.close();
  });

  test('alert filters and evidence window', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/alerts`);
    const count = async () => Number(await page.getAttribute('#alert-list', 'data-count'));
    assert.equal(await count(), Math.min(200, status.alerts));
    await page.selectOption('#alert-severity', 'critical');
    await waitReady(page);
    const critical = await fetchJson(origin, '/api/v1/alerts?severity=critical&limit=200');
    assert.equal(await count(), critical.alerts.length);
    await page.selectOption('#alert-severity', '');
    await page.selectOption('#alert-detector', 'negative_share');
    await waitReady(page);
    const severities = await page.$$eval('#alert-list li', (items) => items.length);
    const expected = await fetchJson(origin, '/api/v1/alerts?detector=negative_share&limit=200');
    assert.equal(severities, expected.alerts.length);
    assert.notEqual(expected.alerts.length, status.alerts);

    await page.click(`#alert-list li[data-fingerprint="${negativeAlert.fingerprint}"] a`);
    await page.waitForURL(/#\/alerts\/.+/);
    await page.waitForSelector('figure[data-chart="alert-series"][data-rendered]');
    await waitReady(page);
    const chart = await chartData(page, 'alert-series');
    assert.equal(chart.markFrom, negativeAlert.window_start);
    assert.equal(chart.markTo, negativeAlert.window_end);
    assert.equal(await page.getAttribute('#alert-facts', 'data-window-start'), String(negativeAlert.window_start));
    const examples = await page.$$eval('#alert-examples .item', (items) => items.length);
    assert.equal(examples, (negativeAlert.example_items ?? []).length);
    // The default rules send every alert to the log, so each alert has a delivery to show.
    assert.ok((negativeAlert.deliveries ?? []).length > 0, 'the alert has no delivery state');
    const deliveries = await page.textContent('#alert-deliveries');
    for (const delivery of negativeAlert.deliveries) assert.ok(deliveries.includes(delivery.sink), deliveries);
    await page.close();
  });

  test('language switch translates labels and persists', async () => {
    const labelled = 'h1, h2, h3, label, button, nav a, dt, thead th';
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    await setLanguage(page, 'en');
    const visibleTexts = () =>
      page.$$eval(labelled, (nodes) =>
        nodes.filter((node) => node.offsetParent !== null && !node.closest('[translate="no"]')).map((node) => node.textContent.trim()));
    for (const [name, route] of pages()) {
      await gotoReady(page, `${origin}/${route}`);
      const english = await visibleTexts();
      await setLanguage(page, 'zh-CN');
      const chinese = await visibleTexts();
      assert.equal(chinese.length, english.length, `${name}: label count differs`);
      english.forEach((text, index) => {
        assert.notEqual(chinese[index], text, `${name}: "${text}" is not translated`);
      });
      await page.reload();
      await waitReady(page);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'language choice lost on reload');
      await setLanguage(page, 'en');
    }
    await page.close();
  });

  test('keyboard reaches and follows nav links', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    let found = false;
    for (let press = 0; press < 10 && !found; press += 1) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement?.getAttribute('href') === '#/alerts');
    }
    assert.ok(found, 'Tab did not reach the Alerts link');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focused link has no visible outline');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/alerts$/);
    await page.waitForSelector('#alert-list[data-count]');
    await waitReady(page);
    await page.close();
  });

  test('axe finds no serious violations', async () => {
    const { page } = await openPage(browser.context, origin);
    for (const lang of ['en', 'zh-CN']) {
      await gotoReady(page, `${origin}/#/`);
      await setLanguage(page, lang);
      for (const [name, route] of pages()) {
        await gotoReady(page, `${origin}/${route}`);
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ['violations'] });
          return result.violations
            .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
            .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
        });
        assert.deepEqual(violations, [], `${name} (${lang})`);
      }
    }
    await page.close();
  });

  // axe cannot read text drawn on a canvas, so each chart lists its colors
  // and this checks them with the WCAG 2.1 contrast ratio against the chart's
  // background: 4.5 for text and 3 for series lines.
  test('chart colors have enough contrast', async () => {
    const { page } = await openPage(browser.context, origin);
    let checked = 0;
    for (const [name, route] of pages()) {
      await gotoReady(page, `${origin}/${route}`);
      const charts = await page.$$eval('figure.chart[data-rendered]', (figures) =>
        figures.map((figure) => ({
          key: figure.dataset.chart,
          background: (() => {
            // The first ancestor with an opaque background is what the canvas shows through.
            let element = figure;
            let color = getComputedStyle(element).backgroundColor;
            while (element.parentElement && /^rgba\(.*,\s*0\)$/.test(color)) {
              element = element.parentElement;
              color = getComputedStyle(element).backgroundColor;
            }
            return color;
          })(),
          text: (figure.dataset.textColors ?? '').split(' ').filter(Boolean),
          series: (figure.dataset.seriesColors ?? '').split(' ').filter(Boolean),
        })),
      );
      for (const chart of charts) {
        assert.ok(chart.text.length > 0, `${name}/${chart.key} lists no text colors`);
        for (const color of chart.text) {
          const ratio = contrastRatio(color, chart.background);
          assert.ok(ratio >= 4.5, `${name}/${chart.key}: text ${color} on ${chart.background} has contrast ${ratio.toFixed(2)}`);
        }
        for (const color of chart.series) {
          const ratio = contrastRatio(color, chart.background);
          assert.ok(ratio >= 3, `${name}/${chart.key}: series ${color} on ${chart.background} has contrast ${ratio.toFixed(2)}`);
        }
        checked += 1;
      }
    }
    assert.ok(checked >= 5, `only ${checked} charts were checked`);
    await page.close();
  });

  test('phone viewport has no horizontal scroll', async () => {
    const { page } = await openPage(browser.context, origin, { width: 390, height: 844 });
    await gotoReady(page, `${origin}/#/`);
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `page is ${widths[0]} px wide in a ${widths[1]} px viewport`);
    const chart = await page.$eval('figure[data-chart="volume"] canvas', (canvas) => canvas.getBoundingClientRect().width);
    assert.ok(chart <= 390, `volume chart is ${chart} px wide, wider than the viewport`);
    assert.ok(chart > 200, `volume chart is only ${chart} px wide`);
    await page.screenshot({ path: path.join(screenshotDir, 'overview-phone.png'), fullPage: true });
    await page.close();
  });

  test('live update without navigation', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/?range=30&bucket=day`);
    await page.evaluate(() => {
      window.liveMarker = 'still here';
    });
    const before = await page.textContent('#kpi-volume');
    const time = new Date(status.latest_ms - 3_600_000).toISOString();
    const items = Array.from({ length: 5 }, (_, index) => ({
      id: `live-${index}`, time, product: INCIDENT_PRODUCT, category: '数码', text: '物流太慢了，等了好久。',
    }));
    const response = await fetch(`${origin}/api/v1/items`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ items }),
    });
    assert.equal(response.status, 200);
    await page.waitForFunction((old) => document.querySelector('#kpi-volume')?.textContent !== old, before, { timeout: 15_000 });
    const after = await page.textContent('#kpi-volume');
    assert.equal(Number(after.replace(/[^\d]/g, '')), Number(before.replace(/[^\d]/g, '')) + 5);
    assert.equal(await page.evaluate(() => window.liveMarker), 'still here', 'the page was reloaded');
    await page.close();
  });

  test('long product names wrap on the items page', async () => {
    // Exported product columns often contain SKUs or URLs with no space to break at.
    const product = `SKU-${'X9'.repeat(600)}`;
    const time = new Date(status.latest_ms - 7_200_000).toISOString();
    const response = await fetch(`${origin}/api/v1/items`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ items: [{ id: 'long-name', time, product, category: '数码', text: '包装很好，物流很快。' }] }),
    });
    assert.equal(response.status, 200);
    for (const viewport of [{ width: 390, height: 844 }, { width: 1366, height: 768 }]) {
      const { page } = await openPage(browser.context, origin, viewport);
      await gotoReady(page, `${origin}/#/items?product=${encodeURIComponent(product)}`);
      await page.waitForSelector('[data-item-id="long-name"]');
      const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(widths[0] <= widths[1], `items page is ${widths[0]} px wide in a ${widths[1]} px viewport`);
      await page.close();
    }
  });
});

describe('dashboard link parameters and empty ranges', () => {
  test('ignored link parameters are named', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    for (const [lang, word] of [['en', /ignored/], ['zh-CN', /已忽略/]]) {
      await setLanguage(page, lang);
      await gotoReady(page, `${origin}/#/items?from=2026-13-45&to=2026-01-01`);
      assert.ok(await page.isVisible('#ignored-parameters'), `${lang}: no note on the items page`);
      const itemsNote = await page.textContent('#ignored-parameters');
      assert.match(itemsNote, /from=2026-13-45/);
      assert.doesNotMatch(itemsNote, /to=/, 'the valid date is taken');
      assert.match(itemsNote, word);

      await gotoReady(page, `${origin}/#/alerts?severity=bogus&from=2026-12-99&dimension=product`);
      assert.ok(await page.isVisible('#ignored-parameters'), `${lang}: no note on the alerts page`);
      const alertsNote = await page.textContent('#ignored-parameters');
      assert.match(alertsNote, /severity=bogus/);
      assert.match(alertsNote, /from=2026-12-99/);
      assert.doesNotMatch(alertsNote, /dimension/);
      assert.match(alertsNote, word);
    }
    // Applying the form writes a link without them, so the note goes.
    await page.click('form[aria-label] button[type="submit"]');
    await waitReady(page);
    assert.equal(await page.$('#ignored-parameters'), null);
    await gotoReady(page, `${origin}/#/alerts?severity=warning&from=2026-11-01`);
    assert.equal(await page.$('#ignored-parameters'), null, 'valid parameters get no note');
    await page.close();
  });

  test('charts without items show empty', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'shopsight-web-empty-'));
    const empty = await startServer(path.join(dir, 'empty.db'));
    const overviewCharts = ['volume', 'sentiment', 'complaints'];
    const productCharts = ['volume-forecast', 'negative-share-forecast', 'mean-score', 'aspects', 'aspects-over-time'];
    const pastRange = 'range=custom&from=2020-01-01&to=2020-01-31&bucket=day';
    try {
      const { page } = await openPage(browser.context, empty.url);
      // The language is kept per origin.
      for (const server of [empty.url, origin]) {
        await gotoReady(page, `${server}/#/`);
        await setLanguage(page, 'en');
      }
      const checks = [
        [empty.url, '#/', overviewCharts],
        [empty.url, '#/product/P1', productCharts],
        [origin, `#/?${pastRange}`, overviewCharts],
        [origin, `#/product/${encodeURIComponent(INCIDENT_PRODUCT)}?${pastRange}`, productCharts],
      ];
      for (const [server, route, keys] of checks) {
        await gotoReady(page, `${server}/${route}`);
        for (const key of keys) {
          const figure = `figure[data-chart="${key}"]`;
          const where = `${server} ${route} ${key}`;
          assert.equal(await page.getAttribute(figure, 'data-empty'), 'true', where);
          assert.ok(await page.isVisible(`${figure} .chart-empty`), `${where}: no visible empty state`);
          assert.equal(await page.isVisible(`${figure} .chart-canvas`), false, `${where}: the chart is drawn`);
          assert.match(await page.textContent(`${figure} .chart-empty`), /No data in this range/, where);
          assert.doesNotMatch(await page.textContent(figure), /Highest/, where);
        }
      }
      // Items in the range draw the charts again.
      await gotoReady(page, `${origin}/#/?range=30&bucket=day`);
      for (const key of overviewCharts) {
        assert.equal(await page.getAttribute(`figure[data-chart="${key}"]`, 'data-empty'), null, key);
        assert.ok(await page.isVisible(`figure[data-chart="${key}"] .chart-canvas`), key);
      }
      await page.close();
    } finally {
      await empty.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('chart texts do not overlap', async () => {
    for (const lang of ['en', 'zh-CN']) {
      for (const viewport of [{ width: 1366, height: 900 }, { width: 390, height: 844 }]) {
        const { page } = await openPage(browser.context, origin, viewport);
        await gotoReady(page, `${origin}/#/`);
        await setLanguage(page, lang);
        for (const [name, route] of [['overview', '#/?range=30&bucket=day'], ['product', `#/product/${encodeURIComponent(INCIDENT_PRODUCT)}`]]) {
          await gotoReady(page, `${origin}/${route}`);
          const drawn = 'figure[data-chart][data-rendered]:not([data-empty])';
          const unchecked = await page.$$eval(drawn, (figures) =>
            figures.filter((figure) => figure.dataset.textOverlaps === undefined).map((figure) => figure.dataset.chart));
          assert.deepEqual(unchecked, [], `${name}: charts without the list of overlapping texts`);
          const overlaps = await page.$$eval(drawn, (figures) =>
            figures.filter((figure) => figure.dataset.textOverlaps).map((figure) => `${figure.dataset.chart}: ${figure.dataset.textOverlaps}`));
          assert.deepEqual(overlaps, [], `${name} (${lang}, ${viewport.width} px)`);
        }
        await gotoReady(page, `${origin}/#/?range=30&bucket=day`);
        await page.locator('figure[data-chart="sentiment"]').screenshot({
          path: path.join(screenshotDir, `sentiment-chart-${lang}-${viewport.width}.png`),
        });
        await page.close();
      }
    }
  });
});

describe('dashboard error paths', () => {
  test('malformed escape shows page not found', async () => {
    const { page, problems } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    await setLanguage(page, 'en');
    await gotoReady(page, `${origin}/#/product/%E0%A4%A`);
    const links = await page.$$eval('#nav a', (nodes) => nodes.length);
    assert.ok(links >= 3, `nav has ${links} links`);
    assert.match(await page.textContent('#main'), /Page not found/);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test('unknown product reads as no items', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    await setLanguage(page, 'en');
    await gotoReady(page, `${origin}/#/product/NO-SUCH-PRODUCT`);
    const text = await page.textContent('#main');
    assert.doesNotMatch(text, /does not provide/);
    assert.match(await page.textContent('.forecast-note'), /No items for Product NO-SUCH-PRODUCT/);
    assert.deepEqual(await page.$$eval('.message.error', (nodes) => nodes.map((node) => node.textContent)), []);
    await page.close();
  });

  test('custom range with from after to is rejected', async () => {
    const { page } = await openPage(browser.context, origin);
    await gotoReady(page, `${origin}/#/`);
    await setLanguage(page, 'en');
    await gotoReady(page, `${origin}/#/?range=custom&from=2026-12-05&to=2026-11-01`);
    assert.match(await page.textContent('#main'), /start date must not be after the end date/);
    await page.close();
  });

  test('evidence chart plots the observed value', async () => {
    const all = await fetchJson(origin, '/api/v1/alerts?limit=1000');
    const byDetector = new Map();
    for (const alert of all.alerts) if (!byDetector.has(alert.detector)) byDetector.set(alert.detector, alert);
    assert.ok(byDetector.size > 0, 'the fixture raised no alerts');
    const { page } = await openPage(browser.context, origin);
    for (const [detector, alert] of byDetector) {
      await gotoReady(page, `${origin}/#/alerts/${encodeURIComponent(alert.fingerprint)}`);
      await page.waitForSelector('figure[data-chart="alert-series"][data-rendered]');
      const value = await page.getAttribute('figure[data-chart="alert-series"]', 'data-window-value');
      assert.ok(value, `${detector}: no chart point at the window start`);
      assert.ok(Math.abs(Number(value) - alert.observed) < 1e-6, `${detector}: chart ${value}, observed ${alert.observed}`);
    }
    await page.close();
  });

  test('stopped server shows connection lost banner', async () => {
    const own = await startServer(store.db);
    const { page } = await openPage(browser.context, own.url);
    await gotoReady(page, `${own.url}/#/`);
    await setLanguage(page, 'en');
    assert.equal(await page.isVisible('#live.banner'), false);
    await own.stop();
    await page.waitForSelector('#live[data-connection="lost"]', { timeout: 15_000 });
    assert.equal(await page.isVisible('#live'), true);
    assert.match(await page.textContent('#live'), /Connection to the server lost/);
    await page.click('#nav a[href="#/alerts"]');
    await waitReady(page);
    assert.match(await page.textContent('#main'), /server cannot be reached/);
    assert.doesNotMatch(await page.textContent('#main'), /Failed to fetch/);
    await page.close();
  });
});
