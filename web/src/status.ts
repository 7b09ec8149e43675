// Store status: item and alert counts and the latest item time, polled for live refresh.

import { ApiError, getJson, type RequestOptions } from './api';
import { setTimeZone } from './i18n';
import type { Items, Status } from './types';

let latest: Status | null = null;

/**
 * Fetches /api/v1/status. A server without that route gets an estimate from
 * the newest item, with the counts left at -1 and topics off.
 */
export async function fetchStatus(options: RequestOptions = {}): Promise<Status> {
  try {
    latest = await getJson<Status>('/status', {}, {}, options);
    setTimeZone(latest.timezone, latest.utc_offset);
  } catch (error) {
    if (!(error instanceof ApiError) || !error.routeMissing) throw error;
    const newest = await getJson<Items>('/items', { limit: 1 }, {}, options);
    const item = newest.items[0];
    latest = {
      items: -1, alerts: -1, earliest_ms: null, latest_ms: item ? item.time_ms : null, topics: false,
    };
  }
  return latest;
}

export function cachedStatus(): Status | null {
  return latest;
}

/** Returns the end of the data: just after the latest stored item, or now for an empty store. */
export function dataEnd(): number {
  // A time Date cannot represent (an out-of-range item) falls back to now, so range math stays finite.
  const end = latest?.latest_ms;
  return end != null && Number.isFinite(end) && Math.abs(end) < 8.64e15 ? end + 1 : Date.now();
}

export function statusChanged(before: Status | null, after: Status): boolean {
  if (!before) return false;
  return before.items !== after.items || before.latest_ms !== after.latest_ms || before.alerts !== after.alerts;
}
