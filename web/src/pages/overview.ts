// Overview page: shop volume and sentiment, rising negative share, latest alerts, top complaints.

import { ApiError, getJson } from '../api';
import { ChartFigure } from '../charts';
import { h, replaceChildren, routeHref, table } from '../dom';
import { aspectName, formatNumber, formatPercent, formatPointChange, t } from '../i18n';
import { cachedStatus } from '../status';
import type { Alert, Series, Values } from '../types';
import { alertRows, errorMessage, message, section, trackLoad, type Page } from './common';
import { rangeBounds, rangeFromQuery, rangePicker } from './range';

const MIN_VOLUME = 10;

export function overviewPage(container: HTMLElement, query: URLSearchParams): Page {
  const state = rangeFromQuery(query);
  const kpis = h('dl', { class: 'kpis', id: 'kpis' });
  const volume = new ChartFigure('volume', t('volumeChart'));
  const sentiment = new ChartFigure('sentiment', t('sentimentChart'));
  const complaints = new ChartFigure('complaints', t('complaints'), 320);
  const categories = h('div', { id: 'rising-categories' });
  const products = h('div', { id: 'rising-products' });
  const alerts = h('div', { id: 'latest-alerts' });

  let latestRequest = 0;
  const page: Page = {
    async load() {
      latestRequest += 1;
      const request = latestRequest;
      const { from, to } = rangeBounds(state);
      const withTime = state.bucket === 'hour';
      const seriesRequest = getJson<Series>('/series', { dimension: 'shop', granularity: state.bucket, from, to });
      const risingRequest = (dimension: string) =>
        getJson<Values>('/values', {
          dimension, granularity: 'day', from, to, compare: 'previous', sort: 'negative_share_change',
          min_volume: MIN_VOLUME, limit: 10,
        });
      const [series, risingCategories, risingProducts, latestAlerts] = await Promise.allSettled([
        seriesRequest, risingRequest('category'), risingRequest('product'), getJson<{ alerts: Alert[] }>('/alerts', { limit: 10 }),
      ]);
      // A response to an older range that arrives late must not replace the newer one.
      if (request !== latestRequest) return;

      if (series.status === 'fulfilled') {
        const buckets = series.value.buckets;
        const total = buckets.reduce((sum, bucket) => sum + bucket.volume, 0);
        const negative = buckets.reduce((sum, bucket) => sum + bucket.negative, 0);
        const scoreSum = buckets.reduce((sum, bucket) => sum + (bucket.mean_score ?? 0) * bucket.volume, 0);
        const stored = cachedStatus()?.items ?? -1;
        replaceChildren(
          kpis,
          h('div', {}, h('dt', {}, t('totalItems')), h('dd', { id: 'kpi-volume' }, formatNumber(total))),
          h('div', {}, h('dt', {}, t('negativeShare')), h('dd', {}, formatPercent(total ? negative / total : null))),
          h('div', {}, h('dt', {}, t('meanScore')), h('dd', {}, formatNumber(total ? scoreSum / total : null, 2))),
          stored >= 0 ? h('div', {}, h('dt', {}, t('storedItems')), h('dd', { id: 'kpi-stored' }, formatNumber(stored))) : null,
        );
        // A range without items shows empty like the other charts, not as bars of 0.
        if (total === 0) {
          volume.showEmpty();
        } else {
          volume.update({
            xType: 'time', withTime,
            series: [{ name: t('volume'), kind: 'bar', points: buckets.map((bucket) => [bucket.start_ms, bucket.volume]) }],
            format: (value) => formatNumber(value),
            yAxes: [{ integer: true }],
          });
        }
        const active = buckets.filter((bucket) => bucket.volume > 0);
        sentiment.update({
          xType: 'time', withTime,
          series: [
            {
              name: t('negativeShare'), color: '#be123c', format: (value) => formatPercent(value),
              points: active.map((bucket) => [bucket.start_ms, bucket.negative_share]),
            },
            { name: t('meanScore'), points: active.map((bucket) => [bucket.start_ms, bucket.mean_score]), color: '#1f5fbf', yAxis: 1 },
          ],
          format: (value) => formatNumber(value, 3),
          yAxes: [
            { name: t('negativeShare'), min: 0, max: 1, format: (value) => formatPercent(value, 0) },
            { name: t('meanScore'), min: -1, max: 1, format: (value) => formatNumber(value, 1) },
          ],
        });
        const negativeByAspect = new Map<string, number>();
        for (const bucket of buckets) {
          for (const [key, counts] of Object.entries(bucket.aspects ?? {})) {
            negativeByAspect.set(key, (negativeByAspect.get(key) ?? 0) + counts.negative);
          }
        }
        const ranked = [...negativeByAspect.entries()].filter(([, count]) => count > 0).sort((a, b) => b[1] - a[1]);
        complaints.update({
          xType: 'category', horizontal: true,
          series: [{ name: t('negativeMentions'), kind: 'bar', color: '#be123c', points: ranked.map(([key, count]) => [aspectName(key), count]) }],
          format: (value) => formatNumber(value),
          yAxes: [{ integer: true }],
        });
      } else {
        replaceChildren(kpis, errorMessage(series.reason));
        for (const chart of [volume, sentiment, complaints]) chart.showEmpty();
      }

      fillRising(categories, risingCategories, 'category');
      fillRising(products, risingProducts, 'product');
      replaceChildren(alerts, latestAlerts.status === 'fulfilled' ? alertRows(latestAlerts.value.alerts) : errorMessage(latestAlerts.reason));
    },
  };

  const reload = () => {
    void trackLoad(page.load()).catch((error) => container.prepend(errorMessage(error)));
  };
  container.append(
    h('h1', {}, t('overviewTitle')),
    rangePicker(state, reload),
    kpis,
    h('div', { class: 'grid two' }, volume.element, sentiment.element),
    h('div', { class: 'grid two' },
      section(t('risingCategories'), categories),
      section(t('risingProducts'), products)),
    h('div', { class: 'grid two' },
      section(t('latestAlerts'), alerts),
      h('section', { class: 'panel' }, complaints.element)),
  );
  return page;
}

function fillRising(target: HTMLElement, result: PromiseSettledResult<Values>, dimension: 'product' | 'category'): void {
  if (result.status === 'rejected') {
    const missing = result.reason instanceof ApiError && result.reason.status === 400;
    replaceChildren(target, missing ? message(t('notAvailable', 'compare=previous')) : errorMessage(result.reason));
    return;
  }
  const rows = result.value.values;
  if (rows.length === 0) {
    replaceChildren(target, message(t('noData')));
    return;
  }
  replaceChildren(
    target,
    table(
      [t(dimension), t('volume'), t('negativeShare'), t('previous'), t('change')],
      rows.map((row) => [
        h('a', { href: routeHref(dimension, row.value) }, row.value),
        formatNumber(row.volume),
        formatPercent(row.negative_share),
        formatPercent(row.previous_negative_share),
        formatPointChange(row.negative_share_change),
      ]),
    ),
  );
}
