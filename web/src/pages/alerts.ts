// Alert list with filters, and the evidence page of one alert.

import { ApiError, getJson } from '../api';
import { ChartFigure } from '../charts';
import { h, replaceChildren, routeHref } from '../dom';
import { dayStartIso, formatDateTime, formatNumber, formatStatistic, isValidTime, t, term } from '../i18n';
import { dataEnd } from '../status';
import type { Alert, AlertDelivery, AlertExample, Bucket, Series } from '../types';
import {
  alertRows, alertSubject, errorMessage, formatAlertValue, ignoredParametersNote, message, section, sentimentBadge,
  trackLoad, type Page,
} from './common';

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
    // Days of the store's zone, as the dashboard shows them.
    from: dayStartIso(from.value),
    to: dayStartIso(to.value, 1),
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
  const ignoredNote = ignoredParametersNote(query, { severity, dimension, detector, from, to });
  const apply = () => {
    // The new link holds only what the form took, so the note no longer applies.
    ignoredNote?.remove();
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
  container.append(h('h1', {}, t('alertsTitle')), form, ...(ignoredNote ? [ignoredNote] : []), list);
  return page;
}

type EvidenceBucket = Bucket & { keywords?: Record<string, number> };

/** Detectors whose observed value and baseline measureOf reproduces from /series. */
const REPRODUCIBLE = new Set(DETECTORS);

/**
 * Value of the alert's measure in one bucket, in the unit of the alert's
 * observed value and baseline (src/detect/detectors.cpp). Returns null for a
 * bucket without items, where the detector has no value either.
 */
function measureOf(alert: Alert, bucket: EvidenceBucket): number | null {
  if (alert.detector === 'volume' || !REPRODUCIBLE.has(alert.detector)) return bucket.volume;
  if (!bucket.volume) return null;
  switch (alert.detector) {
    case 'negative_share':
      return bucket.negative_share;
    case 'sentiment_score':
      return bucket.mean_score;
    case 'aspect_negative': {
      // The detector counts negative mentions of the aspect per item of the bucket, capped at the item count.
      const negative = alert.subject ? (bucket.aspects?.[alert.subject]?.negative ?? 0) : 0;
      return Math.min(negative, bucket.volume) / bucket.volume;
    }
    case 'emerging_keyword':
      // The detector's observed value is the keyword's count divided by the bucket's items.
      return alert.subject ? (bucket.keywords?.[alert.subject] ?? 0) / bucket.volume : null;
    default:
      return null;
  }
}

/** Fetches the buckets around the alert window, with keyword counts merged in for emerging_keyword. */
async function evidenceBuckets(alert: Alert, step: number): Promise<EvidenceBucket[]> {
  const query = {
    dimension: alert.dimension,
    value: alert.dimension === 'shop' ? '' : alert.value,
    granularity: alert.granularity,
    from: alert.window_start - BUCKETS_BEFORE * step,
    to: alert.window_end + BUCKETS_AFTER * step,
  };
  if (alert.detector !== 'emerging_keyword') {
    return (await getJson<Series>('/series', { ...query, measure: 'all' })).buckets;
  }
  const [all, keywords] = await Promise.all([
    getJson<Series>('/series', { ...query, measure: 'all' }),
    getJson<{ buckets: { start_ms: number; keywords?: Record<string, number> }[] }>('/series', { ...query, measure: 'keywords' }),
  ]);
  const byStart = new Map(keywords.buckets.map((bucket) => [bucket.start_ms, bucket.keywords ?? {}]));
  return all.buckets.map((bucket) => ({ ...bucket, keywords: byStart.get(bucket.start_ms) ?? {} }));
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
  const evidenceNote = h('div', { id: 'alert-evidence-note' });
  const body = h('div', {}, facts, evidenceNote, chart.element, section(t('examples'), examples));

  const page: Page = {
    async load() {
      const alert = await fetchAlert(fingerprint);
      if (!alert) {
        replaceChildren(body, message(t('notFound', fingerprint), 'error'));
        return;
      }
      const format = (value: number) => formatAlertValue(alert, value);
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
        alert.deliveries?.length ? row(t('deliveries'), deliveryText(alert.deliveries), 'alert-deliveries') : null,
      );
      facts.dataset.windowStart = String(alert.window_start);
      facts.dataset.windowEnd = String(alert.window_end);

      const step = BUCKET_MS[alert.granularity] ?? BUCKET_MS.day;
      const buckets = await evidenceBuckets(alert, step);
      // Buckets after the latest stored item have no data yet, so they are left out rather than drawn as 0.
      const end = dataEnd();
      const points = buckets
        .filter((bucket) => bucket.start_ms < end)
        .map((bucket): [number, number | null] => [bucket.start_ms, measureOf(alert, bucket)])
        .filter((point) => point[1] !== null);
      const reproducible = REPRODUCIBLE.has(alert.detector);
      const windowPoint = points.find((point) => point[0] === alert.window_start);
      chart.element.dataset.windowValue = windowPoint ? String(windowPoint[1]) : '';
      chart.update({
        xType: 'time', withTime,
        format: reproducible ? format : (value: number) => formatNumber(value),
        series: [{ name: reproducible ? term(alert.detector) : t('volume'), points, color: '#1f5fbf' }],
        markArea: { from: alert.window_start, to: alert.window_end, label: t('window') },
        markLine: reproducible ? { value: alert.baseline, label: `${t('baseline')} ${format(alert.baseline)}` } : undefined,
      });
      replaceChildren(evidenceNote, reproducible ? null : message(t('evidenceVolumeOnly')));
      replaceChildren(examples, exampleList(alert.example_items ?? []));
    },
  };

  container.append(h('p', {}, h('a', { href: routeHref('alerts') }, `← ${t('backToAlerts')}`)), heading, body);
  return page;
}

/** Lists each sink with its state, the requests sent and the last error, so that an undelivered alert shows why. */
function deliveryText(deliveries: AlertDelivery[]): string {
  return deliveries
    .map((delivery) => {
      const parts = [`${delivery.sink}: ${term(delivery.status)}`];
      if (delivery.attempts > 0) parts.push(t('attempts', delivery.attempts));
      if (delivery.error) parts.push(delivery.error);
      return parts.join(' · ');
    })
    .join('; ');
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
          h('time', { datetime: isValidTime(example.time) ? new Date(example.time).toISOString() : null }, formatDateTime(example.time)),
          example.product ? h('a', { href: routeHref('product', example.product) }, `${t('product')}: ${example.product}`) : null,
        ),
        h('p', { class: 'item-text' }, example.text),
      ),
    ),
  );
}
