// User page: profile, aspect sensitivities and recommendations with their explanations.

import { getOptional } from '../api';
import { ChartFigure } from '../charts';
import { h, replaceChildren, routeHref, table } from '../dom';
import { aspectName, formatDateTime, formatNumber, formatPercent, t, term } from '../i18n';
import type { NamedCount, Profile, Recommendation } from '../types';
import { message, section, type Page } from './common';

function counts(items: NamedCount[], link?: 'product' | 'category'): HTMLElement {
  if (items.length === 0) return message(t('noData'));
  return h(
    'ul',
    { class: 'chips' },
    items.map((item) =>
      h('li', { class: 'chip' }, link ? h('a', { href: routeHref(link, item.name) }, item.name) : item.name, ` (${formatNumber(item.count)})`),
    ),
  );
}

// A feature of the similarity as the user reads it: the aspect category's
// display name, or the keyword in quotes.
function featureName(feature: string): string {
  if (feature.startsWith('aspect:')) return aspectName(feature.slice('aspect:'.length));
  if (feature.startsWith('keyword:')) return `“${feature.slice('keyword:'.length)}”`;
  return feature;
}

// The server's explanation follows the server's --lang, so the page builds
// the same sentence from the structured fields in the page's language.
function explanation(entry: Recommendation): string {
  const positive = formatPercent(entry.positive_share);
  const matched = entry.matched ?? [];
  if (matched.length === 0) return t('recommendRated', positive);
  const interests = matched.length === 1
    ? featureName(matched[0])
    : t('recommendBoth', featureName(matched[0]), featureName(matched[1]));
  return t('recommendMatches', interests, positive);
}

export function userPage(container: HTMLElement, user: string): Page {
  const body = h('div');
  const sensitivities = new ChartFigure('aspect-sensitivity', t('sensitivities'), 300);

  const page: Page = {
    async load() {
      const [profile, recommendations] = await Promise.all([
        getOptional<Profile>(`/users/${encodeURIComponent(user)}/profile`),
        getOptional<{ recommendations: Recommendation[] }>(`/users/${encodeURIComponent(user)}/recommendations`, { top: 10 }),
      ]);
      if (!profile) {
        replaceChildren(body, message(t('notFound', user), 'error'));
        return;
      }
      const activity = profile.activity;
      const facts = h(
        'dl',
        { class: 'kpis' },
        h('div', {}, h('dt', {}, t('navItems')), h('dd', {}, formatNumber(activity.items))),
        h('div', {}, h('dt', {}, t('activeDays')), h('dd', {}, formatNumber(activity.active_days))),
        h('div', {}, h('dt', {}, t('firstSeen')), h('dd', {}, formatDateTime(Date.parse(activity.first_time)))),
        h('div', {}, h('dt', {}, t('lastSeen')), h('dd', {}, formatDateTime(Date.parse(activity.last_time)))),
        h('div', {}, h('dt', {}, t('negativeShare')),
          h('dd', {}, `${formatPercent(profile.sentiment.negative_share)} (${t('shopValue')} ${formatPercent(profile.sentiment.shop_negative_share)})`)),
        h('div', {}, h('dt', {}, t('tendency')), h('dd', {}, term(`tendency_${profile.sentiment.tendency}`))),
      );
      const interests = h(
        'div',
        {},
        h('h3', {}, t('categories')), counts(profile.categories, 'category'),
        h('h3', {}, t('products')), counts(profile.products, 'product'),
        h('h3', {}, t('keywords')), counts(profile.keywords),
      );
      const recommended = recommendations?.recommendations ?? [];
      const recommendationList = recommended.length
        ? h(
            'ol',
            { class: 'recommendations', id: 'recommendations' },
            recommended.map((entry) =>
              h(
                'li',
                {},
                h('a', { href: routeHref('product', entry.product) }, entry.product),
                entry.category ? h('span', { class: 'muted' }, ` · ${entry.category}`) : null,
                h('p', { class: 'explanation' }, explanation(entry)),
              ),
            ),
          )
        : message(t('noRecommendations'));
      const aspectTable = table(
        [t('aspect'), t('mentions'), t('share'), t('shopValue'), t('lift')],
        profile.aspects.map((aspect) => [
          aspectName(aspect.category), formatNumber(aspect.mentions), formatPercent(aspect.share),
          formatPercent(aspect.shop_share), formatNumber(aspect.lift, 2),
        ]),
      );
      replaceChildren(
        body,
        section(t('profile'), facts),
        h('div', { class: 'grid two' },
          section(t('interests'), interests),
          h('section', { class: 'panel' }, sensitivities.element, aspectTable)),
        section(t('recommendations'), recommendationList),
      );
      sensitivities.update({
        xType: 'category', format: (value) => formatNumber(value, 2),
        series: [{ name: t('lift'), kind: 'bar', points: profile.aspects.map((aspect): [string, number] => [aspectName(aspect.category), aspect.lift]) }],
      });
    },
  };
  container.append(h('h1', {}, t('userTitle', user)), body);
  return page;
}
