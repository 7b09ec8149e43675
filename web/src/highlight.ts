// Marks aspect and opinion spans in an item's text.

import type { AspectMention } from './types';
import { aspectName, t, term } from './i18n';
import { h } from './dom';

interface Span {
  begin: number;
  end: number;
  kind: 'aspect' | 'opinion';
  mention: AspectMention;
}

/**
 * Builds the item text with <mark> elements around aspect and opinion terms.
 * The API's offsets count Unicode code points, so the text is split with
 * Array.from, not indexed as UTF-16. Overlapping spans keep the first.
 */
export function highlightText(text: string, mentions: AspectMention[]): HTMLElement {
  const codePoints = Array.from(text);
  const spans: Span[] = [];
  for (const mention of mentions) {
    if (mention.aspect_begin !== null && mention.aspect_end !== null) {
      spans.push({ begin: mention.aspect_begin, end: mention.aspect_end, kind: 'aspect', mention });
    }
    if (mention.opinion_begin !== null && mention.opinion_end !== null) {
      spans.push({ begin: mention.opinion_begin, end: mention.opinion_end, kind: 'opinion', mention });
    }
  }
  spans.sort((a, b) => a.begin - b.begin || b.end - a.end);
  const out = h('p', { class: 'item-text' });
  let position = 0;
  for (const span of spans) {
    if (span.begin < position || span.end > codePoints.length || span.end <= span.begin) continue;
    if (span.begin > position) out.append(codePoints.slice(position, span.begin).join(''));
    const label = span.kind === 'aspect' ? t('aspect') : t('opinion');
    out.append(
      h(
        'mark',
        {
          class: `span-${span.kind} polarity-${span.mention.polarity}`,
          title: `${label}: ${aspectName(span.mention.category)}, ${term(span.mention.polarity)}`,
          'data-kind': span.kind,
        },
        codePoints.slice(span.begin, span.end).join(''),
      ),
    );
    position = span.end;
  }
  if (position < codePoints.length) out.append(codePoints.slice(position).join(''));
  return out;
}
