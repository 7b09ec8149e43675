// Entry point: header, language switch, hash routing and live refresh.

import './style.css';
import { disposeCharts } from './charts';
import { h, replaceChildren, routeHref } from './dom';
import { lang, setLang, t, type Lang } from './i18n';
import { errorMessage, message, setState, trackLoad, type Page } from './pages/common';
import { alertPage, alertsPage } from './pages/alerts';
import { dimensionPage } from './pages/dimension';
import { itemsPage } from './pages/items';
import { overviewPage } from './pages/overview';
import { topicsPage } from './pages/topics';
import { userPage } from './pages/user';
import { cachedStatus, fetchStatus, statusChanged } from './status';
import { ApiError, onTokenEntered, resetTokenCancel } from './api';

const POLL_MS = 5000;

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const live = document.getElementById('live') as HTMLElement;
const langSelect = document.getElementById('lang-select') as HTMLSelectElement;

let currentPage: Page | null = null;
let renderGeneration = 0;

interface Route {
  parts: string[];
  query: URLSearchParams;
  /** Set when a path segment has a malformed percent escape, which routes to "page not found". */
  malformed?: boolean;
}

export function parseRoute(): Route {
  const hash = location.hash.startsWith('#/') ? location.hash.slice(2) : '';
  const [path, search = ''] = hash.split('?');
  const query = new URLSearchParams(search);
  try {
    const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
    return { parts, query };
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
    return { parts: [], query, malformed: true };
  }
}

function renderChrome(): void {
  document.documentElement.lang = lang();
  (document.getElementById('skip-link') as HTMLElement).textContent = t('skip');
  (document.getElementById('lang-label') as HTMLElement).textContent = t('language');
  nav.setAttribute('aria-label', t('navMain'));
  langSelect.value = lang();
  const route = parseRoute();
  const section = route.malformed ? null : (route.parts[0] ?? '');
  const links: [string, string, string][] = [
    ['', routeHref(), t('navOverview')],
    ['alerts', routeHref('alerts'), t('navAlerts')],
    ['items', routeHref('items'), t('navItems')],
  ];
  if (cachedStatus()?.topics) links.push(['topics', routeHref('topics'), t('navTopics')]);
  replaceChildren(
    nav,
    h(
      'ul',
      {},
      links.map(([key, href, label]) =>
        h('li', {}, h('a', { href, 'aria-current': key === section ? 'page' : null }, label)),
      ),
    ),
  );
}

function pageFor(route: Route, container: HTMLElement): Page | null {
  if (route.malformed) return null;
  const [first, second] = route.parts;
  switch (first) {
    case undefined:
      return overviewPage(container, route.query);
    case 'product':
    case 'category':
      return second ? dimensionPage(container, first, second) : null;
    case 'alerts':
      return second ? alertPage(container, second) : alertsPage(container, route.query);
    case 'items':
      return itemsPage(container, route.query);
    case 'topics':
      return topicsPage(container);
    case 'user':
      return second ? userPage(container, second) : null;
    default:
      return null;
  }
}

/** Runs a page's load and shows its error unless a newer render replaced the page. */
async function loadPage(page: Page, generation: number): Promise<void> {
  try {
    await trackLoad(page.load());
  } catch (error) {
    if (generation === renderGeneration) main.prepend(errorMessage(error));
  }
  const heading = main.querySelector('h1')?.textContent;
  if (generation === renderGeneration && heading) document.title = `${heading} · shopsight`;
}

async function render(): Promise<void> {
  if (location.hash && !location.hash.startsWith('#/')) return;
  renderGeneration += 1;
  const generation = renderGeneration;
  currentPage?.dispose?.();
  disposeCharts();
  renderChrome();
  const container = h('div', { class: 'page' });
  replaceChildren(main, container);
  const page = pageFor(parseRoute(), container);
  currentPage = page;
  if (!page) {
    replaceChildren(container, message(t('pageNotFound')));
    setState('ready');
    return;
  }
  await loadPage(page, generation);
}

/** True while the last status request failed, so the next success re-renders the page. */
let statusFailed = false;

/** Shows or removes the "connection lost" banner in the live region. */
function showConnectionLost(lost: boolean): void {
  live.classList.toggle('banner', lost);
  live.classList.toggle('visually-hidden', !lost);
  live.dataset.connection = lost ? 'lost' : 'ok';
  live.textContent = lost ? t('connectionLost') : '';
}

/**
 * Polls the status in the background without ever opening the token
 * dialog. A poll that cannot reach the server shows the banner, and the first
 * poll that succeeds after any failure removes it and renders the current
 * route again.
 */
async function poll(): Promise<void> {
  const before = cachedStatus();
  try {
    const after = await fetchStatus({ interactive: false });
    if (statusFailed) {
      statusFailed = false;
      showConnectionLost(false);
      await render();
    } else {
      if (before && before.topics !== after.topics) renderChrome();
      if (statusChanged(before, after) && currentPage) {
        await loadPage(currentPage, renderGeneration);
        live.textContent = t('updated');
      }
    }
  } catch (error) {
    statusFailed = true;
    // Only a network failure means the connection is lost. A 401 waits until the user signs in on a page load.
    if (error instanceof ApiError && error.status === 0) showConnectionLost(true);
  }
  window.setTimeout(poll, POLL_MS);
}

async function start(): Promise<void> {
  setLang(lang());
  setState('loading');
  langSelect.addEventListener('change', () => {
    setLang(langSelect.value as Lang);
    void render();
  });
  document.getElementById('skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => {
    resetTokenCancel();
    void render().then(() => main.focus({ preventScroll: true }));
  });
  // After a sign-in from the dialog, load the current route again with the new token.
  onTokenEntered(() => {
    statusFailed = false;
    void fetchStatus({ interactive: false }).catch(() => undefined).then(() => render());
  });
  renderChrome();
  try {
    await fetchStatus();
  } catch (error) {
    statusFailed = true;
    renderChrome();
    replaceChildren(main, errorMessage(error));
    if (error instanceof ApiError && error.status === 0) showConnectionLost(true);
    setState('error');
    window.setTimeout(poll, POLL_MS);
    return;
  }
  await render();
  window.setTimeout(poll, POLL_MS);
}

void start();
