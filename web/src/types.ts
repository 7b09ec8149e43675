// Shapes of the API responses that the dashboard reads (see docs/api.md).

export interface Status {
  items: number;
  alerts: number;
  earliest_ms: number | null;
  latest_ms: number | null;
  topics: boolean;
  version?: string;
  /** IANA zone of the day buckets; absent from servers before it was added, which use UTC */
  timezone?: string;
  /** standard offset of that zone, "+08:00" */
  utc_offset?: string;
}

export interface AspectCounts {
  mentions: number;
  negative: number;
  positive: number;
  /** null without mentions */
  negative_share: number | null;
}

export interface Bucket {
  start: string;
  start_ms: number;
  volume: number;
  positive: number;
  negative: number;
  neutral: number;
  /** null in a bucket without items, as mean_score */
  negative_share: number | null;
  mean_score: number | null;
  aspects?: Record<string, AspectCounts>;
}

export interface Series {
  dimension: string;
  value: string;
  granularity: string;
  buckets: Bucket[];
}

export interface ValueRow {
  value: string;
  volume: number;
  negative: number;
  negative_share: number;
  mean_score: number;
  previous_volume?: number;
  previous_negative_share?: number;
  negative_share_change?: number;
}

export interface Values {
  values: ValueRow[];
}

export interface AspectMention {
  category: string;
  polarity: string;
  aspect: string | null;
  aspect_begin: number | null;
  aspect_end: number | null;
  opinion: string | null;
  opinion_begin: number | null;
  opinion_end: number | null;
}

export interface Item {
  id: string;
  time: string;
  time_ms: number;
  product?: string;
  category?: string;
  user?: string;
  channel?: string;
  language?: string;
  rating?: number | null;
  text: string;
  sentiment: { label: string; probability: number; score: number };
  aspects: AspectMention[];
  keywords: { word: string; score: number }[];
}

export interface Items {
  items: Item[];
  next_offset?: number;
}

export interface Alert {
  fingerprint: string;
  detector: string;
  dimension: string;
  value: string;
  subject?: string;
  granularity: string;
  severity: string;
  window_start: number;
  window_end: number;
  observed: number;
  baseline: number;
  statistic: number;
  statistic_name: string;
  count: number;
  /** Row numbers of the example items. */
  examples?: number[];
  example_items?: AlertExample[];
  /** Delivery state at each sink of the rules; empty when no sink was to receive the alert. */
  deliveries?: AlertDelivery[];
}

export interface AlertDelivery {
  /** log, jsonl PATH, or a webhook URL with its secrets masked. */
  sink: string;
  /** pending, delivered or failed. */
  status: string;
  /** Requests sent to the sink over all runs. */
  attempts: number;
  /** Reason the last attempt failed or was not made. */
  error?: string;
}

export interface AlertExample {
  id: string;
  product?: string;
  sentiment: string;
  text: string;
  /** Unix ms. */
  time: number;
}

export interface ForecastPoint {
  start_ms: number;
  value: number;
  lower?: number;
  upper?: number;
}

export interface Forecast {
  method: string;
  history: ForecastPoint[];
  forecast: ForecastPoint[];
  backtest?: { holdout: number; mase: number | null; mape: number | null };
}

export interface Keywords {
  keywords: { word: string; count: number }[];
  items: number;
}

export interface NamedCount {
  name: string;
  count: number;
}

export interface Profile {
  user: string;
  activity: { active_days: number; first_time: string; last_time: string; items: number; channels: NamedCount[] };
  aspects: { category: string; mentions: number; negative: number; positive: number; share: number; shop_share: number; lift: number }[];
  categories: NamedCount[];
  products: NamedCount[];
  keywords: NamedCount[];
  labels: NamedCount[] | string[];
  sentiment: {
    mean_score: number;
    negative_share: number;
    positive_share: number;
    shop_mean_score: number;
    shop_negative_share: number;
    tendency: string;
  };
}

export interface Recommendation {
  product: string;
  category?: string;
  explanation: string;
  /** Features that add most to the similarity: "aspect:CATEGORY" or "keyword:WORD". */
  matched: string[];
  score: number;
  volume: number;
  positive_share: number;
}

export interface Topic {
  id: number;
  size: number;
  keywords: { word: string; weight: number }[];
  snippets: string[];
  /** Items of this topic per period of `Topics.timeline.periods`. */
  timeline?: number[];
}

export interface Topics {
  computed_at?: string;
  items?: number;
  topics: Topic[];
  timeline?: { period: string; periods: string[]; noise?: number[] };
}
