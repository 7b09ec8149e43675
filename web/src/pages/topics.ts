// Topics page: the latest saved topic discovery and its timeline.

import { getOptional } from '../api';
import { ChartFigure } from '../charts';
import { h, replaceChildren } from '../dom';
import { dayStart, formatDateTime, formatNumber, t } from '../i18n';
import type { Topics } from '../types';
import { message, type Page } from './common';

const TOPICS_IN_CHART = 8;

export function topicsPage(container: HTMLElement): Page {
  const meta = h('p', { class: 'muted' });
  const chart = new ChartFigure('topics-over-time', t('topicsOverTime'), 300);
  const list = h('div', { id: 'topic-list' });
  const body = h('div', {}, meta, chart.element, list);

  const page: Page = {
    async load() {
      const topics = await getOptional<Topics>('/topics');
      if (!topics) {
        replaceChildren(body, message(t('topicsMissing')));
        return;
      }
      const computed = topics.computed_at ? Date.parse(topics.computed_at) : NaN;
      meta.textContent = Number.isFinite(computed) ? t('computedAt', formatDateTime(computed)) : '';
      const periods = topics.timeline?.periods ?? [];
      const charted = topics.topics.filter((topic) => topic.timeline && topic.timeline.length).slice(0, TOPICS_IN_CHART);
      if (periods.length && charted.length) {
        chart.update({
          xType: 'category', format: (value) => formatNumber(value), yAxes: [{ integer: true }],
          series: charted.map((topic) => ({
            name: `#${topic.id} ${topic.keywords.slice(0, 2).map((keyword) => keyword.word).join(' ')}`,
            points: periods.map((period, index): [string, number] => [periodLabel(period), topic.timeline?.[index] ?? 0]),
          })),
        });
      } else {
        chart.element.hidden = true;
      }
      replaceChildren(
        list,
        h(
          'ol',
          { class: 'topics' },
          topics.topics.map((topic) =>
            h(
              'li',
              { class: 'panel topic', 'data-topic': topic.id },
              h('h2', { translate: 'no' }, `#${topic.id} · ${topic.keywords.slice(0, 3).map((keyword) => keyword.word).join(' / ')}`),
              h('p', {}, `${t('size')}: ${formatNumber(topic.size)} · ${t('keywords')}: `,
                topic.keywords.map((keyword) => keyword.word).join(', ')),
              topic.snippets.length
                ? h('ul', { class: 'snippets', 'aria-label': t('snippets') }, topic.snippets.map((snippet) => h('li', {}, snippet)))
                : null,
            ),
          ),
        ),
      );
    },
  };
  container.append(h('h1', {}, t('topicsTitle')), body);
  return page;
}

/** Formats a timeline period: a YYYY-MM-DD day goes through the date formatter, and any other label stays as sent. */
function periodLabel(period: string): string {
  // The label is a calendar date already, so it is formatted as that date whatever the store's zone.
  const day = /^\d{4}-\d{2}-\d{2}$/.test(period) ? dayStart(period) : NaN;
  return Number.isFinite(day) ? formatDateTime(day, false) : period;
}
