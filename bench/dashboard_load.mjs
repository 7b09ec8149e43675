#!/usr/bin/env node
// Measures dashboard page loads in headless Chromium against a store of real reviews.
//
// Fills a temporary store with --items items (default 100,000) built from the
// reviews-zh and reviews-en training files, spread over 90 days and 100
// products, serves it with `shopsight serve --dashboard`, loads each page
// --runs times (default 5) and prints the median time from navigation start
// to data-state=ready and the median duration of each API call behind it
// (Resource Timing), and the median and maximum time the server took for
// each route, from its debug log.
//
//   node bench/dashboard_load.mjs [--bin build/release/src/cli/shopsight] \
//     [--dashboard build/release/dashboard] [--datasets ../shared/datasets] [--items 100000] [--runs 5] \
//     [--store FILE]
//
// With --store, the store is kept in FILE: a first run fills it and later
// runs reuse it, so that runs before and after a change read the same store.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

const DAY_MS = 86_400_000;
const END_MS = Date.parse('2026-12-01T00:00:00Z');
const DAYS = 90;
const PAGE_BAR_MS = 1000;
const API_BAR_MS = 100;

function options() {
  const values = {
    bin: path.join(root, 'build/release/src/cli/shopsight'),
    dashboard: path.join(root, 'build/release/dashboard'),
    datasets: path.resolve(root, '../shared/datasets'),
    items: 100_000,
    runs: 5,
    store: '',
  };
  const args = process.argv.slice(2);
  for (let index = 0; index < args.length; index += 2) {
    const name = args[index].replace(/^--/, '');
    if (!(name in values)) throw new Error(`unknown option ${args[index]}: use --bin, --dashboard, --datasets, --items, --runs or --store`);
    values[name] = typeof values[name] === 'number' ? Number(args[index + 1]) : path.resolve(args[index + 1]);
  }
  return values;
}

/** Parses RFC 4180 CSV (quoted fields may contain commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, column) => [name, cells[column] ?? ''])));
}

/** Reviews with a product (100 in all: 7 per Chinese category, 5 per English department) and a category. */
function loadReviews(datasets) {
  const zh = parseCsv(readFileSync(path.join(datasets, 'reviews-zh/train.csv'), 'utf8'));
  const en = parseCsv(readFileSync(path.join(datasets, 'reviews-en/train.csv'), 'utf8'));
  const reviews = [];
  zh.forEach((row, index) => reviews.push({
    text: row.review, category: row.category, product: `${row.category}-${index % 7}`,
  }));
  const departments = [...new Set(en.map((row) => row.department || 'Other'))].slice(0, 6);
  en.forEach((row, index) => {
    const department = departments.includes(row.department) ? row.department : departments[0];
    reviews.push({
      text: row.title ? `${row.title}. ${row.review}` : row.review, category: department,
      product: `${department}-${index % 5}`, rating: Number(row.rating) || undefined,
    });
  });
  // Interleave the two languages so that every day gets both.
  return reviews.map((review, index) => ({ review, key: (index * 2654435761) % 4294967296 }))
    .sort((a, b) => a.key - b.key).map((entry) => entry.review);
}

function writeItems(file, reviews, count) {
  const lines = [];
  for (let index = 0; index < count; index += 1) {
    const review = reviews[index % reviews.length];
    const time = END_MS - DAYS * DAY_MS + Math.floor((index / count) * DAYS * DAY_MS);
    lines.push(JSON.stringify({
      id: `B${index}`, time: new Date(time).toISOString(), product: review.product, category: review.category,
      user: `u${(index * 7919) % 5000}`, rating: review.rating, text: review.text, channel: 'review',
    }));
  }
  writeFileSync(file, lines.join('\n') + '\n');
}

function run(bin, args) {
  const started = Date.now();
  const result = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
  return (Date.now() - started) / 1000;
}

function serve(bin, db, dashboard) {
  return new Promise((resolve, reject) => {
    // At debug level the server logs each request's route and its time
    // from the request's arrival to the response, without the browser's
    // queueing and rendering.
    const args = ['--lang', 'en', '--log-level', 'debug', 'serve', '--db', db, '--port', '0', '--dashboard', dashboard];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let url = '';
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const match = url ? null : log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (!match) return;
      url = match[1];
      resolve({
        url,
        takeLog: () => {
          const taken = log;
          log = '';
          return taken;
        },
        stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
      });
    });
    child.once('exit', (code) => reject(new Error(`shopsight serve exited with status ${code} before it listened: ${log}`)));
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Reduces an API URL to its route and the parameters that tell calls apart. */
function callName(url) {
  const parsed = new URL(url);
  const route = parsed.pathname.replace(/^\/api\/v1/, '').replace(/\/(alerts|users)\/[^/]+/, '/$1/{id}');
  const keep = ['dimension', 'measure', 'sentiment', 'compare', 'q', 'granularity'];
  const parts = keep.filter((name) => parsed.searchParams.has(name)).map((name) => `${name}=${parsed.searchParams.get(name)}`);
  return parts.length ? `${route}?${parts.join('&')}` : route;
}

/** Median server time per API route in a slice of the server's debug log. */
function serverTimes(log) {
  const times = new Map();
  for (const match of log.matchAll(/(?:GET|POST) (\/api\/v1\/\S+) \d{3} ([\d.]+) ms/g)) {
    const route = match[1].replace(/^\/api\/v1/, '');
    if (route === '/status') continue;
    if (!times.has(route)) times.set(route, []);
    times.get(route).push(Number(match[2]));
  }
  return [...times].map(([route, values]) => [route, median(values), Math.max(...values)]);
}

async function measure(context, server, url, runs) {
  server.takeLog();
  const page = await context.newPage();
  const loads = [];
  const calls = new Map();
  for (let index = 0; index < runs; index += 1) {
    await page.goto('about:blank');
    await page.goto(url);
    await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
    const timing = await page.evaluate(() => ({
      ready: performance.getEntriesByName('shopsight-ready').at(-1)?.startTime ?? performance.now(),
      api: performance.getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/api/v1/') && !entry.name.includes('/api/v1/status'))
        .map((entry) => [entry.name, entry.duration]),
    }));
    loads.push(timing.ready);
    for (const [name, duration] of timing.api) {
      const key = callName(name);
      if (!calls.has(key)) calls.set(key, []);
      calls.get(key).push(duration);
    }
  }
  await page.close();
  // The server logs a request after sending its response, so the last lines may lag a moment.
  await new Promise((done) => setTimeout(done, 200));
  return {
    load: median(loads),
    calls: [...calls].map(([name, durations]) => [name, median(durations)]),
    server: serverTimes(server.takeLog()),
  };
}

async function main() {
  const settings = options();
  const dir = mkdtempSync(path.join(tmpdir(), 'shopsight-bench-'));
  const db = settings.store || path.join(dir, 'shop.db');
  const input = path.join(dir, 'items.jsonl');
  try {
    if (settings.store && existsSync(settings.store)) {
      console.log(`reusing the store ${settings.store}`);
    } else {
      writeItems(input, loadReviews(settings.datasets), settings.items);
      const ingestSeconds = run(settings.bin, ['ingest', input, '--db', db, '--input-format', 'jsonl']);
      const topicsSeconds = run(settings.bin, ['topics', '--db', db]);
      console.log(`ingest of ${settings.items} items: ${ingestSeconds.toFixed(1)} s; topics: ${topicsSeconds.toFixed(1)} s`);
    }

    const server = await serve(settings.bin, db, settings.dashboard);
    const browserProfile = mkdtempSync(path.join(tmpdir(), 'shopsight-bench-chromium-'));
    const context = await chromium.launchPersistentContext(browserProfile, {
      executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1366, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const api = async (route) => (await fetch(`${server.url}/api/v1${route}`)).json();
      const products = await api('/values?dimension=product&limit=1');
      const categories = await api('/values?dimension=category&limit=1');
      const alerts = await api('/alerts?limit=1');
      const items = await api('/items?limit=1');
      const product = products.values[0].value;
      const pages = [
        ['overview', '#/'],
        ['product', `#/product/${encodeURIComponent(product)}`],
        ['category', `#/category/${encodeURIComponent(categories.values[0].value)}`],
        ['alerts', '#/alerts'],
        ['items', '#/items'],
        ['items search', `#/items?q=${encodeURIComponent('质量')}`],
        ['user', `#/user/${encodeURIComponent(items.items[0].user)}`],
        ['topics', '#/topics'],
      ];
      if (alerts.alerts.length) pages.splice(4, 0, ['alert evidence', `#/alerts/${encodeURIComponent(alerts.alerts[0].fingerprint)}`]);

      const rows = [];
      for (const [name, route] of pages) {
        const result = await measure(context, server, `${server.url}/${route}`, settings.runs);
        rows.push({ name, ...result });
      }
      console.log(`\n| page | ready (median of ${settings.runs}) | API calls (median ms each) |`);
      console.log('| --- | --- | --- |');
      for (const row of rows) {
        const calls = row.calls.map(([name, ms]) => `\`${name}\` ${ms.toFixed(0)}${ms > API_BAR_MS ? ' (over bar)' : ''}`).join('; ');
        console.log(`| ${row.name} | ${row.load.toFixed(0)} ms${row.load > PAGE_BAR_MS ? ' (over bar)' : ''} | ${calls} |`);
      }
      console.log(`\n| page | server time per route (median and max ms) |`);
      console.log('| --- | --- |');
      for (const row of rows) {
        const times = row.server.map(([route, middle, max]) => `\`${route}\` ${middle.toFixed(1)} / ${max.toFixed(1)}${max > API_BAR_MS ? ' (over bar)' : ''}`).join('; ');
        console.log(`| ${row.name} | ${times} |`);
      }
      console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}`);
    } finally {
      await context.close();
      rmSync(browserProfile, { recursive: true, force: true });
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
