// Product and category pages: trends with forecast bands, aspects, keywords and example items.

import { ApiError, getJson } from '../api';
import { ChartFigure, type ChartSeries } from '../charts';
import { h, replaceChildren, table } from '../dom';
import { aspectName, formatNumber, formatPercent, t, term } from '../i18n';
import type { Bucket, Forecast, Items, Keywords, Series } from '../types';
import { errorMessage, itemList, message, section, trackLoad, type Page } from './common';
import { rangeBounds, rangeFromQuery, rangePicker } from './range';

const TOP_ASPECTS_OVER_TIME = 6;

type Measure = 'volume' | 'negative_share' | 'mean_score';

function forecastSeries(name: string, result: PromiseSettledResult<Forecast>): ChartSeries | null {
  if (result.status !== 'fulfilled' || result.value.forecast.length === 0) return null;
  const points = result.value.forecast;
  return {
    name,
    dashed: true,
    color: '#7c3aed',
    points: points.map((point) => [point.start_ms, point.value]),
    band: { lower: points.map((point) => point.lower ?? point.value), upper: points.map((point) => point.upper ?? point.value) },
  };
}

export function dimensionPage(container: HTMLElement, dimension: 'product' | 'category', value: string): Page {
  const query = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const state = rangeFromQuery(query);
  const kpis = h('dl', { class: 'kpis' });
  const volume = new ChartFigure('volume-forecast', t('volumeForecastChart'));
  const share = new ChartFigure('negative-share-forecast', t('negativeShareChart'));
  const score = new ChartFigure('mean-score', t('meanScoreChart'));
  const aspects = new ChartFigure('aspects', t('aspectBreakdown'), 320);
  const aspectsOverTime = new ChartFigure('aspects-over-time', t('aspectOverTime'), 300);
  const charts = [volume, share, score, aspects, aspectsOverTime];
  const forecastNote = h('div', { class: 'forecast-note' });
  const negativeKeywords = h('div', { id: 'keywords-negative' });
  const positiveKeywords = h('div', { id: 'keywords-positive' });
  const examples = h('div', { id: 'examples' });

  let latestRequest = 0;
  const page: Page = {
    async load() {
      latestRequest += 1;
      const request = latestRequest;
      const { from, to } = rangeBounds(state);
      const granularity = state.bucket;
      const withTime = granularity === 'hour';
      const horizon = granularity === 'hour' ? 48 : 7;
      const forecast = (measure: Measure) =>
        getJson<Forecast>('/forecast', { dimension, value, measure, granularity, horizon, from, to, coverage: 0.95 });
      const keywords = (sentiment: string) =>
        getJson<Keywords>('/keywords', { dimension, value, sentiment, from, to, limit: 15 });
      const [series, volumeForecast, shareForecast, scoreForecast, negative, positive, items] = await Promise.allSettled([
        getJson<Series>('/series', { dimension, value, granularity, from, to }),
        forecast('volume'),
        forecast('negative_share'),
        forecast('mean_score'),
        keywords('negative'),
        keywords('positive'),
        getJson<Items>('/items', { [dimension]: value, from, to, limit: 10 }),
      ]);
      // A response to an older range that arrives late must not replace the newer one.
      if (request !== latestRequest) return;

      const noItems = t('noDimensionData', `${term(dimension)} ${value}`);
      const drawCharts = (buckets: Bucket[], active: Bucket[]) => {
        const volumeLines: ChartSeries[] = [
          { name: t('volume'), kind: 'bar', points: buckets.map((bucket) => [bucket.start_ms, bucket.volume]) },
        ];
        const volumeBand = forecastSeries(t('forecast'), volumeForecast);
        if (volumeBand) volumeLines.push(volumeBand);
        volume.update({
          xType: 'time', withTime, series: volumeLines, format: (number) => formatNumber(number, 1),
          yAxes: [{ integer: true, format: (number) => formatNumber(number) }],
        });

        const shareLines: ChartSeries[] = [
          { name: t('negativeShare'), color: '#be123c', points: active.map((bucket) => [bucket.start_ms, bucket.negative_share]) },
        ];
        const shareBand = forecastSeries(t('forecast'), shareForecast);
        if (shareBand) shareLines.push(shareBand);
        share.update({
          xType: 'time', withTime, series: shareLines, format: (number) => formatPercent(number),
          yAxes: [{ min: 0, format: (number) => formatPercent(number, 0) }],
        });
        const scoreLines: ChartSeries[] = [
          { name: t('meanScore'), points: active.map((bucket) => [bucket.start_ms, bucket.mean_score]) },
        ];
        const scoreBand = forecastSeries(t('forecast'), scoreForecast);
        if (scoreBand) scoreLines.push(scoreBand);
        score.update({
          xType: 'time', withTime, format: (number) => formatNumber(number, 3), series: scoreLines,
          yAxes: [{ min: -1, max: 1 }],
        });

        const totals = new Map<string, { mentions: number; negative: number }>();
        for (const bucket of buckets) {
          for (const [key, counts] of Object.entries(bucket.aspects ?? {})) {
            const entry = totals.get(key) ?? { mentions: 0, negative: 0 };
            entry.mentions += counts.mentions;
            entry.negative += counts.negative;
            totals.set(key, entry);
          }
        }
        const ranked = [...totals.entries()].sort((a, b) => b[1].mentions - a[1].mentions);
        aspects.update({
          xType: 'category',
          series: [
            { name: t('mentions'), kind: 'bar', points: ranked.map(([key, entry]) => [aspectName(key), entry.mentions]) },
            {
              name: t('negativeShare'), color: '#be123c', yAxis: 1,
              points: ranked.map(([key, entry]) => [aspectName(key), entry.mentions ? entry.negative / entry.mentions : 0]),
            },
          ],
          format: (number) => formatNumber(number, 2),
          yAxes: [{ name: t('mentions'), integer: true }, { name: t('negativeShare'), min: 0, max: 1, format: (number) => formatPercent(number, 0) }],
        });
        const topNegative = [...totals.entries()]
          .filter(([, entry]) => entry.negative > 0)
          .sort((a, b) => b[1].negative - a[1].negative)
          .slice(0, TOP_ASPECTS_OVER_TIME);
        aspectsOverTime.update({
          xType: 'time', withTime, format: (number) => formatNumber(number), yAxes: [{ integer: true }],
          series: topNegative.map(([key]) => ({
            name: aspectName(key),
            points: buckets.map((bucket): [number, number] => [bucket.start_ms, bucket.aspects?.[key]?.negative ?? 0]),
          })),
        });
      };

      if (series.status === 'fulfilled') {
        const buckets = series.value.buckets;
        const active = buckets.filter((bucket) => bucket.volume > 0);
        const total = buckets.reduce((sum, bucket) => sum + bucket.volume, 0);
        const negativeCount = buckets.reduce((sum, bucket) => sum + bucket.negative, 0);
        const scoreSum = buckets.reduce((sum, bucket) => sum + (bucket.mean_score ?? 0) * bucket.volume, 0);
        replaceChildren(
          kpis,
          h('div', {}, h('dt', {}, t('totalItems')), h('dd', {}, formatNumber(total))),
          h('div', {}, h('dt', {}, t('negativeShare')), h('dd', {}, formatPercent(total ? negativeCount / total : null))),
          h('div', {}, h('dt', {}, t('meanScore')), h('dd', {}, formatNumber(total ? scoreSum / total : null, 2))),
        );
        if (total === 0) {
          // The same empty state as a value without any stored item, rather than charts of zeros.
          for (const chart of charts) chart.showEmpty();
        } else {
          drawCharts(buckets, active);
        }
      } else {
        // A value without any stored item is a 404, shown like the other empty panels.
        replaceChildren(kpis, errorMessage(series.reason, '/api/v1/series', noItems));
        for (const chart of charts) chart.showEmpty();
      }

      const failures = [volumeForecast, shareForecast, scoreForecast].filter((result) => result.status === 'rejected');
      replaceChildren(
        forecastNote,
        failures.length ? forecastFailure((failures[0] as PromiseRejectedResult).reason, noItems) : null,
      );
      fillKeywords(negativeKeywords, negative, noItems);
      fillKeywords(positiveKeywords, positive, noItems);
      replaceChildren(examples, items.status === 'fulfilled' ? itemList(items.value.items) : errorMessage(items.reason));
    },
  };

  const reload = () => {
    void trackLoad(page.load()).catch((error) => container.prepend(errorMessage(error)));
  };
  container.append(
    h('h1', {}, t(dimension === 'product' ? 'productTitle' : 'categoryTitle', value)),
    rangePicker(state, reload),
    kpis,
    forecastNote,
    h('div', { class: 'grid two' }, volume.element, share.element),
    h('div', { class: 'grid two' }, score.element, aspects.element),
    aspectsOverTime.element,
    h('div', { class: 'grid two' },
      section(t('negativeKeywords'), negativeKeywords),
      section(t('positiveKeywords'), positiveKeywords)),
    section(t('examples'), examples),
  );
  return page;
}

function fillKeywords(target: HTMLElement, result: PromiseSettledResult<Keywords>, noItems: string): void {
  if (result.status === 'rejected') {
    replaceChildren(target, errorMessage(result.reason, '/api/v1/keywords', noItems));
    return;
  }
  const rows = result.value.keywords;
  replaceChildren(
    target,
    rows.length === 0
      ? message(t('noData'))
      : table([t('keyword'), t('count')], rows.map((row) => [row.word, formatNumber(row.count)])),
  );
}

/** Builds the note for a failed forecast: a missing route, no items for the product or category, or an error. */
function forecastFailure(reason: unknown, noItems: string): HTMLElement {
  if (reason instanceof ApiError && reason.status === 404) {
    return message(reason.routeMissing ? t('notAvailable', '/api/v1/forecast') : noItems);
  }
  return message(t('forecastMissing', reason instanceof Error ? reason.message : String(reason)), 'error');
}
