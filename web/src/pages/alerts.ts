// Alert list with filters, and the evidence page of one alert.

import { ApiError, getJson } from '../api';
import { ChartFigure } from '../charts';
import { h, replaceChildren, routeHref } from '../dom';
import { formatDateTime, formatNumber, formatPercent, formatStatistic, t, term } from '../i18n';
import type { Alert, AlertExample, Bucket, Series } from '../types';
import { alertRows, alertSubject, errorMessage, message, section, sentimentBadge, trackLoad, type Page } from './common';

const DETECTORS = ['negative_share', 'sentiment_score', 'volume', 'aspect_negative', 'emerging_keyword'];
const DIMENSIONS = ['shop', 'category', 'product', 'channel', 'aspect'];
const SEVERITIES = ['info', 'warning', 'critical'];
const BUCKET_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const BUCKETS_BEFORE = 21;
const BUCKETS_AFTER = 3;

function selectField(id: string, label: string, options: string[], selected: string): [HTMLLabelElement, HTMLSelectElement] {
  return [
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id.replace('alert-', '') },
      h('option', { value: '' }, t('any')),
      options.map((option) => h('option', { value: option, selected: option === selected }, term(option))),
    ),
  ];
}

export function alertsPage(container: HTMLElement, query: URLSearchParams): Page {
  const list = h('div', { id: 'alert-list' });
  const [severityLabel, severity] = selectField('alert-severity', t('severity'), SEVERITIES, query.get('severity') ?? '');
  const [dimensionLabel, dimension] = selectField('alert-dimension', t('dimension'), DIMENSIONS, query.get('dimension') ?? '');
  const [detectorLabel, detector] = selectField('alert-detector', t('detector'), DETECTORS, query.get('detector') ?? '');
  const from = h('input', { id: 'alert-from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { id: 'alert-to', type: 'date', value: query.get('to') ?? '' });

  const filters = () => ({
    severity: severity.value,
    dimension: dimension.value,
    detector: detector.value,
    from: from.value,
    to: to.value ? new Date(Date.parse(`${to.value}T00:00:00Z`) + 86_400_000).toISOString() : '',
  });

  let latestRequest = 0;
  const page: Page = {
    async load() {
      latestRequest += 1;
      const request = latestRequest;
      const result = await getJson<{ alerts: Alert[] }>('/alerts', { ...filters(), limit: 200 });
      // A response to an older filter that arrives late must not replace the newer one.
      if (request !== latestRequest) return;
      list.dataset.count = String(result.alerts.length);
      replaceChildren(list, alertRows(result.alerts));
    },
  };

  const form = h(
    'form',
    { class: 'controls', 'aria-label': t('filter') },
    severityLabel, severity, dimensionLabel, dimension, detectorLabel, detector,
    h('label', { for: 'alert-from' }, t('from')), from,
    h('label', { for: 'alert-to' }, t('to')), to,
    h('button', { type: 'submit' }, t('filter')),
  );
  const apply = () => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ severity: severity.value, dimension: dimension.value, detector: detector.value, from: from.value, to: to.value })) {
      if (value) params.set(name, value);
    }
    history.replaceState(null, '', `#/alerts${params.toString() ? `?${params}` : ''}`);
    void trackLoad(page.load()).catch((error) => replaceChildren(list, errorMessage(error)));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  for (const select of [severity, dimension, detector]) select.addEventListener('change', apply);
  container.append(h('h1', {}, t('alertsTitle')), form, list);
  return page;
}

/** Value of the alert's measure in one bucket, matching what the detector compared. */
function measureOf(alert: Alert, bucket: Bucket & { keywords?: Record<string, number> }): number | null {
  switch (alert.detector) {
    case 'negative_share':
      return bucket.volume ? bucket.negative_share : null;
    case 'sentiment_score':
      return bucket.volume ? bucket.mean_score : null;
    case 'aspect_negative': {
      const counts = alert.subject ? bucket.aspects?.[alert.subject] : undefined;
      return counts && counts.mentions ? counts.negative_share : null;
    }
    case 'emerging_keyword':
      return alert.subject ? (bucket.keywords?.[alert.subject] ?? 0) : null;
    default:
      return bucket.volume;
  }
}

async function fetchAlert(fingerprint: string): Promise<Alert | null> {
  try {
    return await getJson<Alert>(`/alerts/${encodeURIComponent(fingerprint)}`);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  // A server without the single-alert route still lists alerts, so look the fingerprint up there.
  const all = await getJson<{ alerts: Alert[] }>('/alerts', { limit: 1000 });
  return all.alerts.find((alert) => alert.fingerprint === fingerprint) ?? null;
}

export function alertPage(container: HTMLElement, fingerprint: string): Page {
  const facts = h('dl', { class: 'facts', id: 'alert-facts' });
  const chart = new ChartFigure('alert-series', t('alertWindow'), 300);
  const examples = h('div', { id: 'alert-examples' });
  const heading = h('h1', {}, t('alertTitle'));
  const body = h('div', {}, facts, chart.element, section(t('examples'), examples));

  const page: Page = {
    async load() {
      const alert = await fetchAlert(fingerprint);
      if (!alert) {
        replaceChildren(body, message(t('notFound', fingerprint), 'error'));
        return;
      }
      const share = alert.detector === 'negative_share' || alert.detector === 'aspect_negative';
      const format = (value: number) => (share ? formatPercent(value) : formatNumber(value, 3));
      const withTime = alert.granularity !== 'day';
      heading.textContent = `${t('alertTitle')} · ${term(alert.detector)} · ${alertSubject(alert)}`;
      const row = (label: string, value: string, id?: string) =>
        h('div', {}, h('dt', {}, label), h('dd', { id: id ?? null }, value));
      replaceChildren(
        facts,
        row(t('severity'), term(alert.severity)),
        row(t('detector'), term(alert.detector)),
        row(t('dimension'), `${term(alert.dimension)} ${alert.value}`),
        row(t('window'), `${formatDateTime(alert.window_start, true)} – ${formatDateTime(alert.window_end, true)}`, 'alert-window'),
        row(t('observed'), format(alert.observed)),
        row(t('baseline'), format(alert.baseline)),
        row(t('statistic'), `${term(alert.statistic_name)} = ${formatStatistic(alert.statistic)}`),
        row(t('count'), formatNumber(alert.count)),
      );
      facts.dataset.windowStart = String(alert.window_start);
      facts.dataset.windowEnd = String(alert.window_end);

      const step = BUCKET_MS[alert.granularity] ?? BUCKET_MS.day;
      const series = await getJson<Series>('/series', {
        dimension: alert.dimension,
        value: alert.dimension === 'shop' ? '' : alert.value,
        granularity: alert.granularity,
        from: alert.window_start - BUCKETS_BEFORE * step,
        to: alert.window_end + BUCKETS_AFTER * step,
        measure: alert.detector === 'emerging_keyword' ? 'keywords' : 'all',
      });
      const points = series.buckets
        .map((bucket): [number, number | null] => [bucket.start_ms, measureOf(alert, bucket)])
        .filter((point) => point[1] !== null);
      chart.update({
        xType: 'time', withTime, format,
        series: [{ name: term(alert.detector), points, color: '#1f5fbf' }],
        markArea: { from: alert.window_start, to: alert.window_end, label: t('window') },
        markLine: { value: alert.baseline, label: `${t('baseline')} ${format(alert.baseline)}` },
      });
      replaceChildren(examples, exampleList(alert.example_items ?? []));
    },
  };

  container.append(h('p', {}, h('a', { href: routeHref('alerts') }, `← ${t('backToAlerts')}`)), heading, body);
  return page;
}

function exampleList(examples: AlertExample[]): HTMLElement {
  if (examples.length === 0) return message(t('noItems'));
  return h(
    'div',
    { class: 'items' },
    examples.map((example) =>
      h(
        'article',
        { class: 'item', 'data-item-id': example.id, 'data-sentiment': example.sentiment },
        h(
          'div',
          { class: 'item-meta' },
          sentimentBadge(example.sentiment),
          h('time', { datetime: new Date(example.time).toISOString() }, formatDateTime(example.time)),
          example.product ? h('a', { href: routeHref('product', example.product) }, `${t('product')}: ${example.product}`) : null,
        ),
        h('p', { class: 'item-text' }, example.text),
      ),
    ),
  );
}
