// Item explorer: full-text search and filters over stored items, with paging.

import { getJson } from '../api';
import { h, replaceChildren } from '../dom';
import { aspectName, dayStartIso, formatNumber, t, term } from '../i18n';
import type { Items } from '../types';
import { errorMessage, ignoredParametersNote, itemCard, message, trackLoad, type Page } from './common';
import { RangeInputError } from './range';

const PAGE_SIZE = 20;
const ASPECTS = [
  'overall', 'quality', 'price', 'logistics', 'service', 'packaging', 'appearance', 'size_fit', 'function',
  'authenticity', 'freshness_taste', 'smell', 'ingredients', 'user_experience', 'other',
];
const FIELDS = ['q', 'product', 'category', 'sentiment', 'aspect', 'language', 'from', 'to'] as const;

export function itemsPage(container: HTMLElement, query: URLSearchParams): Page {
  const input = (name: string, label: string, type = 'text') => {
    const field = h('input', { id: `items-${name}`, name, type, value: query.get(name) ?? '' });
    return [h('label', { for: `items-${name}` }, label), field] as const;
  };
  const choice = (name: string, label: string, options: [string, string][]) => {
    const field = h(
      'select',
      { id: `items-${name}`, name },
      h('option', { value: '' }, t('any')),
      options.map(([value, text]) => h('option', { value, selected: query.get(name) === value }, text)),
    );
    return [h('label', { for: `items-${name}` }, label), field] as const;
  };
  const [qLabel, q] = input('q', t('search'), 'search');
  const [productLabel, product] = input('product', t('product'));
  const [categoryLabel, category] = input('category', t('category'));
  const [sentimentLabel, sentiment] = choice('sentiment', t('sentiment'),
    ['positive', 'neutral', 'negative'].map((key) => [key, term(key)]));
  const [aspectLabel, aspect] = choice('aspect', t('aspect'), ASPECTS.map((key) => [key, aspectName(key)]));
  const [languageLabel, language] = choice('language', t('languageFilter'), ['zh', 'en'].map((key) => [key, term(key)]));
  const [fromLabel, from] = input('from', t('from'), 'date');
  const [toLabel, to] = input('to', t('to'), 'date');
  const fields: Record<(typeof FIELDS)[number], HTMLInputElement | HTMLSelectElement> = {
    q, product, category, sentiment, aspect, language, from, to,
  };

  const list = h('div', { class: 'items', id: 'item-list' });
  const count = h('p', { class: 'muted', id: 'item-count', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'items-more', hidden: true }, t('more'));
  let shownCount = 0;
  let nextOffset: number | undefined;

  const params = () => {
    const values: Record<string, string> = {};
    for (const name of FIELDS) if (fields[name].value) values[name] = fields[name].value;
    if (values.from && values.to && values.from > values.to) throw new RangeInputError(t('rangeFromAfterTo'));
    // Days of the store's zone, as the dashboard shows them.
    if (values.from) values.from = dayStartIso(values.from);
    if (values.to) values.to = dayStartIso(values.to, 1);
    // The API takes one of product, category, channel or user; product wins when both are given.
    if (values.product) delete values.category;
    return values;
  };

  let latestRequest = 0;
  const fetchPage = async (offset: number) => {
    latestRequest += 1;
    const request = latestRequest;
    const result = await getJson<Items>('/items', { ...params(), limit: PAGE_SIZE, offset });
    // A response to an older filter that arrives late must not replace the newer one.
    if (request !== latestRequest) return;
    if (offset === 0) {
      list.textContent = '';
      shownCount = 0;
    }
    for (const item of result.items) list.append(itemCard(item));
    shownCount += result.items.length;
    nextOffset = result.next_offset;
    more.hidden = nextOffset === undefined;
    list.dataset.count = String(shownCount);
    const categoryIgnored = Boolean(fields.product.value && fields.category.value);
    replaceChildren(
      count,
      shownCount === 0 ? message(t('noItems')) : t('results', formatNumber(shownCount)),
      categoryIgnored ? message(t('categoryIgnored')) : null,
    );
  };

  const page: Page = { load: () => fetchPage(0) };

  const form = h(
    'form',
    { class: 'controls filters', role: 'search', 'aria-label': t('filter') },
    [
      [qLabel, q], [productLabel, product], [categoryLabel, category], [sentimentLabel, sentiment],
      [aspectLabel, aspect], [languageLabel, language], [fromLabel, from], [toLabel, to],
    ].map(([label, field]) => h('div', { class: 'field' }, label, field)),
    h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, t('filter'))),
  );
  const run = (offset: number) => {
    void trackLoad(fetchPage(offset)).catch((error: unknown) => replaceChildren(count, errorMessage(error)));
  };
  const ignoredNote = ignoredParametersNote(query, fields);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    // The new link holds only what the form took, so the note no longer applies.
    ignoredNote?.remove();
    const state = new URLSearchParams();
    for (const name of FIELDS) if (fields[name].value) state.set(name, fields[name].value);
    history.replaceState(null, '', `#/items${state.toString() ? `?${state}` : ''}`);
    run(0);
  });
  for (const select of [sentiment, aspect, language]) {
    select.addEventListener('change', () => form.requestSubmit());
  }
  more.addEventListener('click', () => {
    if (nextOffset !== undefined) run(nextOffset);
  });
  container.append(h('h1', {}, t('itemsTitle')), form, ...(ignoredNote ? [ignoredNote] : []), count, list, more);
  return page;
}
