// Building blocks shared by the pages: sections, messages, item cards and alert rows.

import { ApiError } from '../api';
import { RangeInputError } from './range';
import { h, routeHref } from '../dom';
import { highlightText } from '../highlight';
import { aspectName, formatDateTime, formatNumber, formatPercent, t, term } from '../i18n';
import type { Alert, Item } from '../types';

export interface Page {
  /** Fetches the page's data and updates it in place. Live refresh calls it again. */
  load(): Promise<void>;
  dispose?(): void;
}

export function section(title: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...children);
}

export function message(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('p', { class: `message ${kind}`, role: kind === 'error' ? 'alert' : null }, text);
}

/**
 * Builds a localized message for a failed request. With `feature` given, a
 * 404 for a missing route reads as "not provided yet", and any other 404
 * (no items for the product or category) reads as `notFoundText`, or as
 * "no data in this range" without it.
 */
export function errorMessage(error: unknown, feature?: string, notFoundText?: string): HTMLElement {
  if (error instanceof ApiError && error.status === 404 && feature) {
    return message(error.routeMissing ? t('notAvailable', feature) : (notFoundText ?? t('noData')));
  }
  if (error instanceof RangeInputError) return message(error.message, 'error');
  const text = error instanceof Error ? error.message : String(error);
  return message(t('error', text), 'error');
}

/**
 * Builds the note for the parameters of a shared link that a filter form
 * could not take: unknown names, and values that its fields dropped. A date
 * input empties an invalid date, and a select falls back to "any" for an
 * unknown choice. Returns null when the form took every parameter.
 */
export function ignoredParametersNote(
  query: URLSearchParams,
  fields: Record<string, HTMLInputElement | HTMLSelectElement>,
): HTMLElement | null {
  const ignored = [...query.entries()]
    .filter(([name, value]) => value !== '' && fields[name]?.value !== value)
    .map(([name, value]) => `${name}=${value}`);
  if (ignored.length === 0) return null;
  const note = message(t('linkParametersIgnored', ignored.join(', ')));
  note.id = 'ignored-parameters';
  return note;
}

export function sentimentBadge(label: string, probability?: number): HTMLElement {
  return h(
    'span',
    { class: `badge sentiment-${label}` },
    term(label),
    probability !== undefined ? ` · ${t('probability', formatPercent(probability, 0))}` : null,
  );
}

export function itemCard(item: Item): HTMLElement {
  const aspects = item.aspects.map((mention) =>
    h(
      'li',
      { class: `chip polarity-${mention.polarity}` },
      `${aspectName(mention.category)}: ${[mention.aspect, mention.opinion].filter(Boolean).join(' ')} (${term(mention.polarity)})`,
    ),
  );
  return h(
    'article',
    { class: 'item', 'data-item-id': item.id, 'data-sentiment': item.sentiment.label },
    h(
      'div',
      { class: 'item-meta' },
      sentimentBadge(item.sentiment.label, item.sentiment.probability),
      h('time', { datetime: item.time }, formatDateTime(item.time_ms)),
      item.product ? h('a', { href: routeHref('product', item.product) }, `${t('product')}: ${item.product}`) : null,
      item.category ? h('a', { href: routeHref('category', item.category) }, `${t('category')}: ${item.category}`) : null,
      item.user ? h('a', { href: routeHref('user', item.user) }, `${t('user')}: ${item.user}`) : null,
      item.language ? h('span', {}, term(item.language)) : null,
    ),
    highlightText(item.text, item.aspects),
    aspects.length ? h('ul', { class: 'chips', 'aria-label': t('aspects') }, aspects) : null,
    item.keywords.length
      ? h('p', { class: 'keywords' }, `${t('keywords')}: `, item.keywords.map((keyword) => keyword.word).join(' · '))
      : null,
  );
}

export function itemList(items: Item[]): HTMLElement {
  if (items.length === 0) return message(t('noItems'));
  return h('div', { class: 'items' }, items.map(itemCard));
}

export function alertSubject(alert: Alert): string {
  let subject = '';
  if (alert.subject) {
    let subjectName = alert.subject;
    if (alert.detector === 'aspect_negative') subjectName = aspectName(alert.subject);
    else if (alert.detector === 'volume') subjectName = term(alert.subject);
    subject = ` · ${subjectName}`;
  }
  return `${term(alert.dimension)} ${alert.value || ''}${subject}`.trim();
}

/** Formats an alert's observed or baseline value: shares as percentages, counts and scores as numbers. */
export function formatAlertValue(alert: Alert, value: number): string {
  const share = alert.detector === 'negative_share' || alert.detector === 'aspect_negative' || alert.detector === 'emerging_keyword';
  return share ? formatPercent(value) : formatNumber(value, 3);
}

export function alertRows(alerts: Alert[]): HTMLElement {
  if (alerts.length === 0) return message(t('noAlerts'));
  return h(
    'ul',
    { class: 'alerts' },
    alerts.map((alert) =>
      h(
        'li',
        { class: `alert severity-${alert.severity}`, 'data-fingerprint': alert.fingerprint, 'data-severity': alert.severity },
        h('span', { class: `badge severity-${alert.severity}` }, term(alert.severity)),
        h('a', { href: routeHref('alerts', alert.fingerprint) }, `${term(alert.detector)}: ${alertSubject(alert)}`),
        h(
          'span',
          { class: 'muted' },
          `${formatDateTime(alert.window_start, alert.granularity !== 'day')} · ${t('observed')} ${formatAlertValue(alert, alert.observed)} · ${t('baseline')} ${formatAlertValue(alert, alert.baseline)}`,
        ),
      ),
    ),
  );
}

/**
 * Sets `data-state` on the root element, which the tests wait on. The ready
 * state also adds the performance mark `shopsight-ready` for the load benchmark.
 */
export function setState(state: 'loading' | 'ready' | 'error'): void {
  document.documentElement.dataset.state = state;
  if (state === 'ready') performance.mark('shopsight-ready');
}

let pendingLoads = 0;

/**
 * Sets the loading state while `work` runs, and the ready state when no other
 * tracked load is still running, so an older request that finishes first
 * does not mark the page ready.
 */
export async function trackLoad<T>(work: Promise<T>): Promise<T> {
  pendingLoads += 1;
  setState('loading');
  try {
    return await work;
  } finally {
    pendingLoads -= 1;
    if (pendingLoads === 0) setState('ready');
  }
}
