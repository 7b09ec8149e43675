// Token flow: a server started with SHOPSIGHT_TOKEN makes the dashboard ask for the token once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { buildStore, launchBrowser, openPage, startServer, waitReady } from './fixture.mjs';

const TOKEN = 'e2e-secret-7f3a9c';

let store;
let server;
let browser;

before(async () => {
  store = buildStore({ timeline: false });
  server = await startServer(store.db, { SHOPSIGHT_TOKEN: TOKEN });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  store?.cleanup();
});

test('token dialog unlocks the data', async () => {
  const { page, problems, requests } = await openPage(browser.context, server.url);
  const consoleText = [];
  page.on('console', (entry) => consoleText.push(entry.text()));
  const unauthorized = await fetch(`${server.url}/api/v1/status`);
  assert.equal(unauthorized.status, 401);

  await page.goto(`${server.url}/#/items`);
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ state: 'visible' });
  assert.equal(await page.$$eval('dialog[open]', (dialogs) => dialogs.length), 1, 'more than one token dialog');
  await page.fill('#token-input', TOKEN);
  await page.press('#token-input', 'Enter');
  await waitReady(page);
  const items = await page.$$eval('#item-list .item', (nodes) => nodes.length);
  assert.ok(items > 0, 'no items shown after entering the token');

  await page.reload();
  await waitReady(page);
  assert.equal(await page.$$eval('dialog[open]', (dialogs) => dialogs.length), 0, 'token asked again after reload');

  assert.ok(requests.every((url) => !url.includes(TOKEN)), 'the token appeared in a URL');
  assert.ok(!page.url().includes(TOKEN));
  assert.ok(consoleText.every((text) => !text.includes(TOKEN)), 'the token appeared in the console');
  // The first requests before the token was entered get 401, which Chromium logs as failed loads.
  assert.ok(problems.every((problem) => problem.includes('401')), problems.join('\n'));
  await page.close();
});

test('wrong token reopens the dialog', async () => {
  const { page } = await openPage(browser.context, server.url);
  await page.goto(`${server.url}/healthz`);
  await page.evaluate(() => sessionStorage.setItem('shopsight.token', 'wrong'));
  await page.goto(`${server.url}/#/`);
  await page.getByRole('dialog').waitFor({ state: 'visible' });
  assert.ok(await page.isVisible('dialog [role="alert"]'), 'no message that the token was rejected');
  await page.close();
});
