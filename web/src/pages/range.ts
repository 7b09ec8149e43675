// Range and bucket picker shared by the overview and the dimension pages.

import { h } from '../dom';
import { t } from '../i18n';
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

/**
 * Converts the picker state to [from, to) in Unix ms. Presets end at the
 * UTC midnight after the latest stored item. Custom dates are whole UTC days,
 * `to` included.
 */
export function rangeBounds(state: RangeState): { from: number; to: number } {
  if (state.preset === 'custom' && state.from && state.to) {
    const from = Date.parse(`${state.from}T00:00:00Z`);
    const to = Date.parse(`${state.to}T00:00:00Z`) + DAY_MS;
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { from, to };
  }
  const days = state.preset === 'custom' ? 30 : Number(state.preset);
  const to = Math.ceil(dataEnd() / DAY_MS) * DAY_MS;
  return { from: to - days * DAY_MS, to };
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
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
  const bounds = rangeBounds(state);
  const fromInput = h('input', { id: 'range-from', type: 'date', value: state.from || isoDate(bounds.from) });
  const toInput = h('input', { id: 'range-to', type: 'date', value: state.to || isoDate(bounds.to - DAY_MS) });
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
  );
  const commit = () => {
    state.preset = presetSelect.value as RangeState['preset'];
    state.bucket = bucketSelect.value as RangeState['bucket'];
    state.from = state.preset === 'custom' ? fromInput.value : '';
    state.to = state.preset === 'custom' ? toInput.value : '';
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
