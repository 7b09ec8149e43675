// Test fixture: a store filled by the real `shopsight ingest`, a running
// `shopsight serve` and a headless Chromium driven by playwright-core.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const sourceDir = process.env.SHOPSIGHT_SOURCE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binary = process.env.SHOPSIGHT_BIN ?? path.join(sourceDir, 'build/release/src/cli/shopsight');
export const dashboardDir = process.env.SHOPSIGHT_DASHBOARD_DIR ?? path.join(sourceDir, 'build/release/dashboard');
export const screenshotDir = process.env.SHOPSIGHT_SCREENSHOT_DIR ?? path.join(tmpdir(), 'shopsight-screenshots');

/** The product whose negative share and logistics complaints jump in the last two days. */
export const INCIDENT_PRODUCT = '蓝牙音箱';
export const SEARCH_WORD = '保温';

const PRODUCTS = [
  { id: '保温杯', category: '家居', own: ['保温效果很好，一整天都是热的。', 'Keeps coffee hot all day, solid lid.'] },
  { id: INCIDENT_PRODUCT, category: '数码', own: ['音质清晰，低音很足。', 'The speaker sounds clear and loud.'] },
  { id: 'running-shoes', category: '服装', own: ['鞋码很准，穿着舒服。', 'The shoes fit well and feel light.'] },
  { id: '面膜', category: '美妆', own: ['敷完皮肤很水润，味道清淡。', 'The mask leaves my skin soft.'] },
  { id: 'coffee-beans', category: '食品', own: ['咖啡豆很新鲜，香味浓郁。', 'Fresh beans with a rich aroma.'] },
];

const POSITIVE = [
  '质量很好，用着很顺手。', '价格实惠，性价比很高。', '包装很结实，没有任何破损。', '外观漂亮，颜色和图片一样。',
  '客服态度很好，回复很快。', '物流很快，第二天就到了。', '功能齐全，操作简单。',
  'Great quality, works perfectly.', 'Fast delivery and nice packaging.', 'Good value for the price.',
  'The color looks beautiful in person.',
];
const NEGATIVE = [
  '质量太差了，用了两天就坏了。', '价格偏贵，不值这个钱。', '客服态度很差，一直不回复。', '包装破损，盒子都压扁了。',
  'Poor quality, it broke after a week.', 'Too expensive for what you get.', 'Customer service never answered my emails.',
];
const LOGISTICS_NEGATIVE = [
  '物流太慢了，等了一个星期才到。', '快递太慢，包裹还被压坏了。', '发货太慢了，催了好几次也没用。',
  'Shipping was very slow, it took two weeks to arrive.', 'The delivery was late and the box was damaged.',
];
const NEUTRAL = ['还行吧，一般般。', 'It is okay, nothing special.'];

const DAY_MS = 86_400_000;
/** First day of the timeline (UTC midnight). The incident is on the last two of its 45 days. */
export const TIMELINE_START = Date.parse('2026-10-17T00:00:00Z');
export const TIMELINE_DAYS = 45;

/** Deterministic pseudo-random numbers (mulberry32), so every run stores the same items. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Builds the timeline items: 45 days x 5 products, with the incident on the last 2 days. */
export function timelineItems() {
  const next = random(20261205);
  const pick = (list) => list[Math.floor(next() * list.length)];
  const items = [];
  for (let day = 0; day < TIMELINE_DAYS; day += 1) {
    const incident = day >= TIMELINE_DAYS - 2;
    PRODUCTS.forEach((product, productIndex) => {
      const hit = incident && product.id === INCIDENT_PRODUCT;
      const count = hit ? 70 : 6 + Math.floor(next() * 4);
      for (let index = 0; index < count; index += 1) {
        const roll = next();
        let text;
        let rating;
        if (hit && roll < 0.7) {
          text = pick(LOGISTICS_NEGATIVE);
          rating = 1;
        } else if (roll < 0.12) {
          text = pick(NEGATIVE);
          rating = 2;
        } else if (roll < 0.17) {
          text = pick(NEUTRAL);
          rating = 3;
        } else if (roll < 0.45) {
          text = pick(product.own);
          rating = 5;
        } else {
          text = pick(POSITIVE);
          rating = 4 + Math.floor(next() * 2);
        }
        const time = TIMELINE_START + day * DAY_MS + Math.floor(((index + 0.5) / count) * DAY_MS);
        items.push({
          id: `T${day}-${productIndex}-${index}`,
          time: new Date(time).toISOString(),
          product: product.id,
          category: product.category,
          user: `u${1001 + Math.floor(next() * 40)}`,
          rating,
          text,
          channel: 'review',
        });
      }
    });
  }
  // Items just after the last day close its bucket, so the detectors check it.
  const end = TIMELINE_START + TIMELINE_DAYS * DAY_MS;
  for (let index = 0; index < 3; index += 1) {
    items.push({
      id: `T-close-${index}`, time: new Date(end + (index + 1) * 600_000).toISOString(), product: '保温杯',
      category: '家居', user: 'u1001', rating: 5, text: POSITIVE[index], channel: 'review',
    });
  }
  return items;
}

function run(args, options = {}) {
  const result = spawnSync(binary, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`shopsight ${args.join(' ')} failed with status ${result.status}: ${result.stderr}`);
  }
  return result;
}

export function hasSubcommand(name) {
  const result = spawnSync(binary, [name, '--help'], { encoding: 'utf8' });
  return result.status === 0;
}

/** Creates a temporary folder with a store filled by a real ingest of the examples and the timeline. */
export function buildStore({ timeline = true } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopsight-web-'));
  const db = path.join(dir, 'shop.db');
  run(['ingest', path.join(sourceDir, 'examples/reviews.csv'), '--db', db, '--timezone', 'Asia/Shanghai']);
  if (timeline) {
    const file = path.join(dir, 'timeline.jsonl');
    writeFileSync(file, timelineItems().map((item) => JSON.stringify(item)).join('\n') + '\n');
    run(['ingest', file, '--db', db, '--input-format', 'jsonl']);
  }
  let topics = false;
  const topicsHelp = spawnSync(binary, ['topics', '--help'], { encoding: 'utf8' });
  if (topicsHelp.status === 0 && /--db\b/.test(topicsHelp.stdout)) {
    run(['topics', '--db', db]);
    topics = true;
  }
  return { dir, db, topics, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts `shopsight serve` on a free port and resolves when its log names
 * the address. `env` adds environment variables such as SHOPSIGHT_TOKEN.
 */
export function startServer(db, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--db', db, '--port', '0', '--dashboard', dashboardDir], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`shopsight serve timed out: no 'listening on' log line within 30 s. Log:\n${log}`));
    }, 30_000);
    const onData = (chunk) => {
      log += chunk.toString();
      const match = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          log: () => log,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`shopsight serve exited with status ${code}. Log:\n${log}`));
    });
  });
}

/** Launches headless Chromium with a fresh profile, and throws when /usr/bin/chromium is missing. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with apt-get install chromium fonts-noto-cjk`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'shopsight-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run',
    ],
    viewport: { width: 1366, height: 900 },
    locale: 'en-US',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a page that records console errors, page errors and every request URL.
 */
export async function openPage(context, origin, viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const problems = [];
  const requests = [];
  page.on('console', (entry) => {
    if (entry.type() === 'error') problems.push(`console: ${entry.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  const foreign = () => requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
  return { page, problems, requests, foreign };
}

/** Navigates to a hash route and waits until the app marks the page ready. */
export async function gotoReady(page, url) {
  await page.goto(url);
  await waitReady(page);
}

export async function waitReady(page) {
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 20_000 });
}

export async function fetchJson(origin, route, token) {
  const response = await fetch(`${origin}${route}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) throw new Error(`GET ${route} returned ${response.status}`);
  return response.json();
}
