// Range and bucket picker shared by the overview and the dimension pages.

import { h } from '../dom';
import { dayStart, isoDate, t, zoneLabel, zoneOffset } from '../i18n';
import { dataEnd } from '../status';

const DAY_MS = 86_400_000;

export interface RangeState {
  preset: '7' | '30' | '90' | 'custom';
  from: string;
  to: string;
  bucket: 'hour' | 'day';
}

export function rangeFromQuery(query: URLSearchParams, defaultPreset: RangeState['preset'] = '30'): RangeState {
  const preset = query.get('range');
  const bucket = query.get('bucket');
  return {
    preset: preset === '7' || preset === '30' || preset === '90' || preset === 'custom' ? preset : defaultPreset,
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    bucket: bucket === 'hour' ? 'hour' : 'day',
  };
}

/** A custom range that cannot be applied. Its message is localized and shown as is. */
export class RangeInputError extends Error {}

/** Returns the localized reason why a custom range is invalid, or null for a valid range or a preset. */
export function rangeProblem(state: RangeState): string | null {
  if (state.preset !== 'custom') return null;
  const from = Date.parse(`${state.from}T00:00:00Z`);
  const to = Date.parse(`${state.to}T00:00:00Z`);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return t('rangeDateMissing');
  if (from > to) return t('rangeFromAfterTo');
  return null;
}

/**
 * Converts the picker state to [from, to) in Unix ms. Presets end at the
 * midnight after the latest stored item. Custom dates are whole days, `to`
 * included. Days are those of the store's zone, as its day buckets are.
 * Throws RangeInputError for an invalid custom range.
 */
export function rangeBounds(state: RangeState): { from: number; to: number } {
  const problem = rangeProblem(state);
  if (problem) throw new RangeInputError(problem);
  const offset = zoneOffset();
  if (state.preset === 'custom') {
    return { from: dayStart(state.from), to: dayStart(state.to) + DAY_MS };
  }
  const days = Number(state.preset);
  const to = Math.ceil((dataEnd() + offset) / DAY_MS) * DAY_MS - offset;
  return { from: to - days * DAY_MS, to };
}

/** Writes the state into the hash query without triggering a route change. */
export function saveRange(state: RangeState): void {
  const [path] = location.hash.split('?');
  const params = new URLSearchParams({ range: state.preset, bucket: state.bucket });
  if (state.preset === 'custom') {
    params.set('from', state.from);
    params.set('to', state.to);
  }
  history.replaceState(null, '', `${path || '#/'}?${params.toString()}`);
}

/** Builds the picker form, which calls `onChange` after each change of the state. */
export function rangePicker(state: RangeState, onChange: () => void): HTMLElement {
  const presetSelect = h(
    'select',
    { id: 'range-preset', name: 'range' },
    (['7', '30', '90', 'custom'] as const).map((value) =>
      h(
        'option',
        { value, selected: state.preset === value },
        value === 'custom' ? t('custom') : t(`last${value}` as 'last7' | 'last30' | 'last90'),
      ),
    ),
  );
  // An invalid custom range keeps the entered dates, and the defaults come from the last 30 days.
  const bounds = rangeBounds(rangeProblem(state) ? { ...state, preset: '30' } : state);
  const fromInput = h('input', { id: 'range-from', type: 'date', value: state.from || isoDate(bounds.from) });
  const toInput = h('input', { id: 'range-to', type: 'date', value: state.to || isoDate(bounds.to - DAY_MS) });
  const problemText = h('p', { id: 'range-problem', role: 'alert', hidden: true });
  const bucketSelect = h(
    'select',
    { id: 'range-bucket', name: 'bucket' },
    (['day', 'hour'] as const).map((value) => h('option', { value, selected: state.bucket === value }, t(value))),
  );
  const customFields = h(
    'span',
    { class: 'custom-range', hidden: state.preset !== 'custom' },
    h('label', { for: 'range-from' }, t('from')),
    fromInput,
    h('label', { for: 'range-to' }, t('to')),
    toInput,
    h('button', { type: 'submit' }, t('apply')),
  );
  const form = h(
    'form',
    { class: 'controls', 'aria-label': t('range') },
    h('label', { for: 'range-preset' }, t('range')),
    presetSelect,
    customFields,
    h('label', { for: 'range-bucket' }, t('bucket')),
    bucketSelect,
    h('span', { class: 'muted', id: 'zone-note' }, t('zoneNote', zoneLabel())),
    problemText,
  );
  const commit = () => {
    const next: RangeState = {
      preset: presetSelect.value as RangeState['preset'],
      bucket: bucketSelect.value as RangeState['bucket'],
      from: presetSelect.value === 'custom' ? fromInput.value : '',
      to: presetSelect.value === 'custom' ? toInput.value : '',
    };
    const problem = rangeProblem(next);
    problemText.textContent = problem ?? '';
    problemText.hidden = !problem;
    problemText.className = problem ? 'message error' : '';
    if (problem) return;
    Object.assign(state, next);
    customFields.hidden = state.preset !== 'custom';
    saveRange(state);
    onChange();
  };
  presetSelect.addEventListener('change', () => {
    customFields.hidden = presetSelect.value !== 'custom';
    if (presetSelect.value !== 'custom') commit();
  });
  bucketSelect.addEventListener('change', commit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    commit();
  });
  return form;
}
