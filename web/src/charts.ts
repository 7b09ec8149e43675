// Chart figures: an ECharts chart with a text summary and a table view of the same data.

import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import {
  GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

import { h, table, uniqueId } from './dom';
import { chartLocale, formatDateTime, formatNumber, t, zoneLabel, zoneOffset } from './i18n';

echarts.use([
  BarChart, LineChart, GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, TooltipComponent,
  CanvasRenderer,
]);

/** One series of a chart: its name and [x, y] points (x is Unix ms or a category). */
export interface ChartSeries {
  name: string;
  points: [number | string, number | null][];
  kind?: 'line' | 'bar' | 'area';
  /** Forecast interval per point, drawn as a shaded band and shown in the table beside the series. */
  band?: { lower: number[]; upper: number[] };
  color?: string;
  dashed?: boolean;
  yAxis?: number;
  stack?: string;
  /** Formats this series' values in the table, summary and tooltip, in place of the chart's `format`. */
  format?: (value: number) => string;
}

export interface ChartData {
  series: ChartSeries[];
  /** Time axis (Unix ms) or category axis. */
  xType: 'time' | 'category';
  /** Formats a y value for the table and the summary. */
  format?: (value: number) => string;
  /** Value axes. `integer` marks a count axis, which gets whole-number ticks only. */
  yAxes?: { name?: string; min?: number; max?: number; integer?: boolean; format?: (value: number) => string }[];
  markArea?: { from: number; to: number; label: string };
  markLine?: { value: number; label: string };
  withTime?: boolean;
  horizontal?: boolean;
}

const textColor = '#1f2937';
/** Distance from a time axis to its name below the tick labels, which is also the room the grid leaves for the name. */
const TIME_AXIS_NAME_GAP = 28;
const palette = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#b45309', '#0e7490', '#be123c', '#4d7c0f'];

let openFigures = new Set<ChartFigure>();
let resizeObserverInstalled = false;

function installResize(): void {
  if (resizeObserverInstalled) return;
  resizeObserverInstalled = true;
  window.addEventListener('resize', () => {
    for (const figure of openFigures) figure.resize();
  });
}

/** Disposes every chart. The router calls it before it replaces a page. */
export function disposeCharts(): void {
  for (const figure of openFigures) figure.dispose();
  openFigures = new Set();
}

export class ChartFigure {
  readonly element: HTMLElement;
  private readonly chartBox: HTMLDivElement;
  private readonly tableBox: HTMLDivElement;
  private readonly summary: HTMLParagraphElement;
  private readonly emptyNote: HTMLParagraphElement;
  private readonly toggle: HTMLButtonElement;
  private chart: echarts.ECharts | null = null;
  private showingTable = false;
  private data: ChartData | null = null;

  constructor(
    readonly key: string,
    private readonly title: string,
    height = 280,
  ) {
    installResize();
    const titleId = uniqueId('chart-title');
    const summaryId = uniqueId('chart-summary');
    this.summary = h('p', { class: 'chart-summary', id: summaryId });
    this.toggle = h('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false' }, t('showTable'));
    this.toggle.addEventListener('click', () => this.setTableView(!this.showingTable));
    this.chartBox = h('div', {
      class: 'chart-canvas', role: 'img', 'aria-labelledby': titleId, 'aria-describedby': summaryId,
      style: `height:${height}px`,
    });
    this.tableBox = h('div', { class: 'chart-table', hidden: true });
    this.emptyNote = h('p', { class: 'message info chart-empty', hidden: true }, t('noData'));
    this.element = h(
      'figure',
      { class: 'chart', 'data-chart': key },
      h('div', { class: 'chart-head' }, h('h3', { id: titleId }, title), this.toggle),
      this.chartBox,
      this.tableBox,
      this.emptyNote,
      h('figcaption', {}, this.summary),
    );
    openFigures.add(this);
  }

  private setTableView(show: boolean): void {
    this.showingTable = show;
    this.toggle.setAttribute('aria-pressed', String(show));
    this.toggle.textContent = show ? t('showChart') : t('showTable');
    this.tableBox.hidden = !show;
    this.chartBox.hidden = show;
    if (!show) this.resize();
  }

  resize(): void {
    this.chart?.resize();
  }

  dispose(): void {
    this.chart?.dispose();
    this.chart = null;
  }

  /**
   * Shows that the range has no items in place of the chart and its table,
   * the same for every chart, rather than axes of zeros or an empty grid.
   */
  showEmpty(): void {
    this.data = null;
    this.chart?.clear();
    this.chartBox.hidden = true;
    this.tableBox.hidden = true;
    this.toggle.hidden = true;
    this.emptyNote.hidden = false;
    this.summary.textContent = '';
    this.element.dataset.empty = 'true';
    this.element.dataset.seriesCount = '0';
    this.element.dataset.pointCounts = '';
    this.element.dataset.rendered = 'true';
  }

  /**
   * Draws or redraws the chart in place and rebuilds its table and summary.
   * A chart without points shows the empty state.
   */
  update(data: ChartData): void {
    if (data.series.every((series) => series.points.length === 0)) {
      this.showEmpty();
      return;
    }
    this.data = data;
    this.emptyNote.hidden = true;
    this.toggle.hidden = false;
    this.chartBox.hidden = this.showingTable;
    this.tableBox.hidden = !this.showingTable;
    delete this.element.dataset.empty;
    const tabled = data.series;
    this.element.dataset.seriesCount = String(tabled.length);
    this.element.dataset.pointCounts = tabled.map((series) => series.points.length).join(',');
    if (data.markArea) {
      this.element.dataset.markFrom = String(data.markArea.from);
      this.element.dataset.markTo = String(data.markArea.to);
    }
    this.summary.textContent = this.describe(data);
    this.tableBox.textContent = '';
    this.tableBox.appendChild(this.buildTable(data));
    if (!this.chart) {
      this.chart = echarts.init(this.chartBox, undefined, { locale: chartLocale(), renderer: 'canvas' });
    }
    const option = this.buildOption(data);
    this.chart.setOption(option, { notMerge: true });
    // The canvas may have been hidden by an empty state since its last size.
    this.chart.resize();
    // Canvas text is invisible to accessibility checkers, so the colors are
    // exposed for the browser test to check their contrast.
    this.element.dataset.textColors = [...textColors(option)].join(' ');
    // Canvas text cannot be inspected by the browser test either, so texts drawn over each other are listed.
    this.element.dataset.textOverlaps = overlappingTexts(this.chart).join(' | ');
    this.element.dataset.seriesColors = data.series.map((entry, index) => seriesColor(entry, index)).join(' ');
    this.element.dataset.rendered = 'true';
  }

  private formatX(x: number | string): string {
    if (typeof x === 'string') return x;
    return formatDateTime(x, this.data?.withTime ?? false);
  }

  private describe(data: ChartData): string {
    const format = data.format ?? ((value: number) => formatNumber(value, 2));
    const points = data.series.reduce((sum, series) => sum + series.points.length, 0);
    const xs = data.series.flatMap((series) => series.points.map((point) => point[0]));
    if (xs.length === 0) return t('noData');
    const first = data.xType === 'time' ? Math.min(...(xs as number[])) : xs[0];
    const last = data.xType === 'time' ? Math.max(...(xs as number[])) : xs[xs.length - 1];
    let highest = '';
    const main = data.series[0];
    if (main && main.points.length > 0) {
      let best = main.points[0];
      for (const point of main.points) if ((point[1] ?? -Infinity) > (best[1] ?? -Infinity)) best = point;
      if (best[1] !== null) highest = t('summaryMax', main.name, (main.format ?? format)(best[1]), this.formatX(best[0]));
    }
    return t('chartSummary', this.title, data.series.length, points, this.formatX(first), this.formatX(last), highest);
  }

  private buildTable(data: ChartData): HTMLTableElement {
    const format = data.format ?? ((value: number) => formatNumber(value, 2));
    const xs: (number | string)[] = [];
    const seen = new Set<number | string>();
    for (const series of data.series) {
      for (const [x] of series.points) {
        if (!seen.has(x)) {
          seen.add(x);
          xs.push(x);
        }
      }
    }
    if (data.xType === 'time') (xs as number[]).sort((a, b) => a - b);
    const lookups = data.series.map((series) => new Map(series.points.map(([x, y]) => [x, y])));
    const bands = data.series.map((series) => {
      if (!series.band) return null;
      const map = new Map<number | string, [number, number]>();
      series.points.forEach(([x], index) => map.set(x, [series.band!.lower[index], series.band!.upper[index]]));
      return map;
    });
    const headers = [data.xType === 'time' ? t('time') : t('value')];
    data.series.forEach((series) => {
      headers.push(series.name);
      if (series.band) headers.push(t('forecastBand'));
    });
    const rows = xs.map((x) => {
      const row: string[] = [this.formatX(x)];
      data.series.forEach((series, index) => {
        const y = lookups[index].get(x);
        const formatY = series.format ?? format;
        row.push(y === undefined || y === null ? '' : formatY(y));
        if (series.band) {
          const band = bands[index]?.get(x);
          row.push(band ? `${formatY(band[0])} – ${formatY(band[1])}` : '');
        }
      });
      return row;
    });
    return table(headers, rows, this.title);
  }

  private buildOption(data: ChartData): EChartsCoreOption {
    const axisFormat = (index: number) => data.yAxes?.[index]?.format ?? data.format;
    const yAxes = (data.yAxes ?? [{}]).map((axis, index) => ({
      type: 'value',
      name: axis.name,
      min: axis.min,
      max: axis.max,
      minInterval: axis.integer ? 1 : undefined,
      position: index === 0 ? 'left' : 'right',
      nameTextStyle: { color: textColor },
      axisLabel: { color: textColor, formatter: axisFormat(index) },
      splitLine: { show: index === 0 },
    }));
    const category = data.xType === 'category';
    const categoryAxis = {
      type: 'category',
      data: category ? (data.series[0]?.points.map((point) => String(point[0])) ?? []) : undefined,
      axisLabel: { color: textColor, hideOverlap: true, interval: 0, width: 90, overflow: 'truncate' },
    };
    // Buckets are hours or days of the store's zone. ECharts draws a time axis
    // in UTC or the browser's zone only, so times go in shifted to the zone's
    // wall clock (chartX) and the axis is drawn in UTC; it never ticks finer than the bucket.
    // The name sits centred below the tick labels: at the axis end it met the
    // lowest label of a right-hand value axis.
    const timeAxis = {
      type: 'time',
      name: zoneLabel(),
      nameLocation: 'middle',
      nameGap: TIME_AXIS_NAME_GAP,
      nameTextStyle: { color: textColor },
      minInterval: data.withTime ? 3_600_000 : 86_400_000,
      axisLabel: { color: textColor, hideOverlap: true },
    };
    const series: object[] = [];
    data.series.forEach((entry, index) => {
      const color = seriesColor(entry, index);
      if (entry.band) series.push(...bandSeries(entry, index, color));
      series.push(entrySeries(data, entry, index, color));
    });
    let xAxis: object = category ? categoryAxis : timeAxis;
    if (data.horizontal) xAxis = yAxes[0];
    const legend = data.series.length > 1 || data.series.some((entry) => entry.band);
    // containLabel leaves room for the tick labels but not for the axis name below them.
    const bottom = xAxis === timeAxis ? TIME_AXIS_NAME_GAP : 8;
    // Value axis names sit above the grid. On a phone the legend spans the width, so they need a row of their own.
    const named = !data.horizontal && (data.yAxes ?? []).some((axis) => axis.name);
    let top = legend ? 40 : 16;
    if (legend && named) top = 52;
    return {
      animation: false,
      useUTC: true,
      textStyle: { fontFamily: 'inherit' },
      grid: { left: 8, right: data.yAxes && data.yAxes.length > 1 ? 8 : 16, top, bottom, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: data.format },
      legend: legend
        ? { type: 'scroll', top: 0, textStyle: { color: textColor }, data: series.map((s) => (s as { name: string }).name).filter((name) => !name.endsWith('-lower')) }
        : undefined,
      xAxis: xAxis,
      yAxis: data.horizontal ? { ...categoryAxis, inverse: true } : yAxes,
      series,
    };
  }
}

function seriesColor(entry: ChartSeries, index: number): string {
  return entry.color ?? palette[index % palette.length];
}

/** Option keys whose objects style text. */
const textKeys = new Set(['axisLabel', 'nameTextStyle', 'textStyle', 'label']);

/** Colors of the text that an ECharts option draws. */
function textColors(option: unknown, inText = false, found = new Set<string>()): Set<string> {
  if (Array.isArray(option)) {
    for (const entry of option) textColors(entry, inText, found);
  } else if (option !== null && typeof option === 'object') {
    for (const [key, value] of Object.entries(option)) {
      if (inText && key === 'color' && typeof value === 'string') {
        found.add(value);
      } else {
        textColors(value, inText || textKeys.has(key), found);
      }
    }
  }
  return found;
}

/** A rectangle in canvas pixels. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Returns the part of `first` inside `second`, with a width or height of 0 or less when they do not overlap. */
function overlap(first: Box, second: Box): Box {
  const x = Math.max(first.x, second.x);
  const y = Math.max(first.y, second.y);
  return {
    x,
    y,
    width: Math.min(first.x + first.width, second.x + second.width) - x,
    height: Math.min(first.y + first.height, second.y + second.height) - y,
  };
}

/** Texts of the drawn chart whose visible boxes overlap, as "first / second" pairs. */
function overlappingTexts(chart: echarts.ECharts): string[] {
  const boxes = chart
    .getZr()
    .storage.getDisplayList(true)
    .filter((element) => element.type === 'tspan' && !element.invisible)
    .map((element) => {
      const rect = element.getBoundingRect().clone();
      if (element.transform) rect.applyTransform(element.transform);
      // A scrolling legend clips the items of its other pages, which are then not visible.
      let visible: Box = rect;
      for (const clip of element.__clipPaths ?? []) {
        const clipRect = clip.getBoundingRect().clone();
        if (clip.transform) clipRect.applyTransform(clip.transform);
        visible = overlap(visible, clipRect);
      }
      return { text: String((element.style as { text?: unknown }).text ?? ''), visible };
    })
    .filter((box) => box.text.trim() !== '' && box.visible.width > 0 && box.visible.height > 0);
  const pairs: string[] = [];
  boxes.forEach((first, index) => {
    for (const second of boxes.slice(index + 1)) {
      // Boxes that only touch are fine, but text drawn over text is not.
      const shared = overlap(first.visible, second.visible);
      if (shared.width > 1 && shared.height > 1) pairs.push(`${first.text} / ${second.text}`);
    }
  });
  return pairs;
}

/** Moves a time to the wall clock of the store's zone for the UTC time axis; categories stay. */
function chartX(x: number | string): number | string {
  return typeof x === 'number' ? x + zoneOffset() : x;
}

/**
 * Builds the two stacked series of a forecast band: the lower edge, drawn
 * invisible, and the interval width on top of it, filled.
 */
function bandSeries(entry: ChartSeries, index: number, color: string): object[] {
  const band = entry.band!;
  const xs = entry.points.map((point) => chartX(point[0]));
  // stackStrategy 'all' stacks negative values too, which a mean score band can have.
  const shared = {
    type: 'line', stack: `band-${index}`, stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 },
    silent: true, tooltip: { show: false }, yAxisIndex: entry.yAxis ?? 0,
  };
  return [
    { ...shared, name: `${entry.name}-lower`, data: xs.map((x, i) => [x, band.lower[i]]) },
    {
      ...shared, name: t('forecastBand'), color, areaStyle: { color, opacity: 0.18 },
      data: xs.map((x, i) => [x, band.upper[i] - band.lower[i]]),
    },
  ];
}

/** Builds the ECharts series of one chart series; the first one carries the mark area and line. */
function entrySeries(data: ChartData, entry: ChartSeries, index: number, color: string): object {
  const category = data.xType === 'category';
  const series: Record<string, unknown> = {
    name: entry.name,
    type: entry.kind === 'bar' ? 'bar' : 'line',
    data: category ? entry.points.map((point) => point[1]) : entry.points.map(([x, y]) => [chartX(x), y]),
    color,
    yAxisIndex: entry.yAxis ?? 0,
    showSymbol: entry.points.length < 40,
    stack: entry.stack,
    connectNulls: false,
    lineStyle: entry.dashed ? { type: 'dashed' } : undefined,
    areaStyle: entry.kind === 'area' ? { opacity: 0.15 } : undefined,
    tooltip: entry.format ? { valueFormatter: entry.format } : undefined,
  };
  if (index === 0 && data.markArea) {
    series.markArea = {
      itemStyle: { color: 'rgba(190, 18, 60, 0.12)' },
      label: { color: '#9f1239' },
      data: [[{ name: data.markArea.label, xAxis: chartX(data.markArea.from) }, { xAxis: chartX(data.markArea.to) }]],
    };
  }
  if (index === 0 && data.markLine) {
    series.markLine = {
      symbol: 'none',
      lineStyle: { color: '#374151', type: 'dashed' },
      label: { formatter: data.markLine.label, color: textColor, position: 'insideEndTop' },
      data: [{ yAxis: data.markLine.value }],
    };
  }
  return series;
}
