// Display language, message catalogue and locale-aware formatting.

export type Lang = 'zh-CN' | 'en';

const STORAGE_KEY = 'shopsight.lang';

const en = {
  skip: 'Skip to content',
  language: 'Language',
  navMain: 'Main',
  navOverview: 'Overview',
  navAlerts: 'Alerts',
  navItems: 'Items',
  navTopics: 'Topics',
  loading: 'Loading…',
  updated: 'Data updated',
  error: 'Could not load data: {0}',
  notAvailable: 'This server does not provide {0} yet.',
  notFound: 'Not found: {0}',
  noData: 'No data in this range.',
  noDimensionData: 'No items for {0} in this range.',
  unreachable: 'The server cannot be reached. Check that shopsight serve is running.',
  connectionLost: 'Connection to the server lost. Retrying…',
  rangeFromAfterTo: 'The start date must not be after the end date.',
  rangeDateMissing: 'Enter both a start and an end date.',
  zoneNote: 'Dates and times are in {0}.',
  evidenceVolumeOnly: 'This detector’s measure cannot be computed from the API, so the chart shows the volume without the baseline.',
  overviewTitle: 'Shop overview',
  range: 'Range',
  last7: 'Last 7 days',
  last30: 'Last 30 days',
  last90: 'Last 90 days',
  custom: 'Custom',
  from: 'From',
  to: 'To',
  apply: 'Apply',
  bucket: 'Bucket',
  hour: 'Hour',
  day: 'Day',
  totalItems: 'Items in range',
  storedItems: 'Stored items',
  negativeShare: 'Negative share',
  meanScore: 'Mean score',
  volume: 'Volume',
  volumeChart: 'Volume over time',
  sentimentChart: 'Sentiment over time',
  risingCategories: 'Categories with the largest rise in negative share',
  risingProducts: 'Products with the largest rise in negative share',
  change: 'Change',
  previous: 'Previous period',
  latestAlerts: 'Latest alerts',
  complaints: 'Aspects customers complain about most',
  negativeMentions: 'Negative mentions',
  mentions: 'Mentions',
  aspect: 'Aspect',
  product: 'Product',
  category: 'Category',
  productTitle: 'Product {0}',
  categoryTitle: 'Category {0}',
  forecast: 'Forecast',
  forecastBand: 'Forecast interval',
  forecastMissing: 'Forecast unavailable: {0}',
  negativeShareChart: 'Negative share and forecast',
  meanScoreChart: 'Mean score and forecast',
  volumeForecastChart: 'Volume and forecast',
  aspectBreakdown: 'Aspect breakdown',
  aspectOverTime: 'Negative aspect mentions over time',
  negativeKeywords: 'Top keywords of negative items',
  positiveKeywords: 'Top keywords of positive items',
  keyword: 'Keyword',
  count: 'Count',
  examples: 'Example items',
  showTable: 'Show table',
  showChart: 'Show chart',
  time: 'Time',
  series: 'Series',
  value: 'Value',
  chartSummary: '{0}: {1} series, {2} points from {3} to {4}. {5}',
  summaryMax: 'Highest {0}: {1} ({2}).',
  alertsTitle: 'Alerts',
  severity: 'Severity',
  dimension: 'Dimension',
  detector: 'Detector',
  any: 'Any',
  filter: 'Filter',
  window: 'Window',
  observed: 'Observed',
  baseline: 'Baseline',
  statistic: 'Statistic',
  deliveries: 'Deliveries',
  attempts: 'attempts: {0}',
  subject: 'Subject',
  noAlerts: 'No alerts match.',
  alertTitle: 'Alert evidence',
  alertWindow: 'Alert window',
  backToAlerts: 'All alerts',
  itemsTitle: 'Item explorer',
  search: 'Search text',
  sentiment: 'Sentiment',
  languageFilter: 'Item language',
  results: '{0} items shown',
  more: 'Load more',
  noItems: 'No items match.',
  probability: 'probability {0}',
  keywords: 'Keywords',
  aspects: 'Aspects',
  user: 'User',
  topicsTitle: 'Topics',
  topicsMissing: 'No topic discovery saved yet. Run shopsight topics --db FILE to save one.',
  computedAt: 'Computed {0}',
  size: 'Size',
  snippets: 'Snippets',
  topicsOverTime: 'Topics over time',
  userTitle: 'User {0}',
  profile: 'Profile',
  interests: 'Interests',
  sensitivities: 'Aspect sensitivities',
  recommendations: 'Recommendations',
  noRecommendations: 'No products to recommend.',
  categoryIgnored: 'The category filter is ignored because a product is given.',
  linkParametersIgnored: 'These parameters of the link are invalid or unknown and are ignored: {0}',
  recommendMatches: 'Matches your interest in {0}; {1} positive',
  recommendRated: 'Rated well by other reviewers; {0} positive',
  recommendBoth: '{0} and {1}',
  activeDays: 'Active days',
  firstSeen: 'First item',
  lastSeen: 'Last item',
  tendency: 'Tendency',
  shopValue: 'Shop',
  share: 'Share',
  lift: 'Lift',
  score: 'Score',
  products: 'Products',
  categories: 'Categories',
  tokenTitle: 'Access token required',
  tokenText: 'This server requires a bearer token. It is kept for this browser tab only.',
  tokenLabel: 'Token',
  tokenSubmit: 'Sign in',
  tokenCancel: 'Cancel',
  tokenRejected: 'The token was rejected. Check it and try again.',
  tokenNeeded: 'A valid token is needed to show this page.',
  pageNotFound: 'Page not found.',
  polarity: 'Polarity',
  opinion: 'Opinion',
} as const;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  skip: '跳到正文',
  language: '语言',
  navMain: '主导航',
  navOverview: '总览',
  navAlerts: '告警',
  navItems: '条目',
  navTopics: '话题',
  loading: '加载中…',
  updated: '数据已更新',
  error: '数据加载失败：{0}',
  notAvailable: '此服务器尚未提供 {0}。',
  notFound: '未找到：{0}',
  noData: '此范围内没有数据。',
  noDimensionData: '此范围内没有{0}的数据。',
  unreachable: '无法连接服务器，请确认 shopsight serve 正在运行。',
  connectionLost: '连接已断开，正在重试…',
  rangeFromAfterTo: '开始日期不能晚于结束日期。',
  rangeDateMissing: '请填写开始日期和结束日期。',
  zoneNote: '日期和时间均为 {0}。',
  evidenceVolumeOnly: '无法从 API 计算此检测器的指标，图表仅显示数量，不显示基线。',
  overviewTitle: '店铺总览',
  range: '时间范围',
  last7: '最近 7 天',
  last30: '最近 30 天',
  last90: '最近 90 天',
  custom: '自定义',
  from: '开始',
  to: '结束',
  apply: '应用',
  bucket: '时间粒度',
  hour: '小时',
  day: '天',
  totalItems: '范围内条目',
  storedItems: '已存储条目',
  negativeShare: '负面占比',
  meanScore: '平均得分',
  volume: '数量',
  volumeChart: '数量趋势',
  sentimentChart: '情感趋势',
  risingCategories: '负面占比上升最多的品类',
  risingProducts: '负面占比上升最多的商品',
  change: '变化',
  previous: '上一周期',
  latestAlerts: '最新告警',
  complaints: '顾客抱怨最多的方面',
  negativeMentions: '负面提及',
  mentions: '提及',
  aspect: '方面',
  product: '商品',
  category: '品类',
  productTitle: '商品 {0}',
  categoryTitle: '品类 {0}',
  forecast: '预测',
  forecastBand: '预测区间',
  forecastMissing: '预测不可用：{0}',
  negativeShareChart: '负面占比与预测',
  meanScoreChart: '平均得分与预测',
  volumeForecastChart: '数量与预测',
  aspectBreakdown: '方面分布',
  aspectOverTime: '各方面负面提及趋势',
  negativeKeywords: '负面条目高频关键词',
  positiveKeywords: '正面条目高频关键词',
  keyword: '关键词',
  count: '次数',
  examples: '示例条目',
  showTable: '显示表格',
  showChart: '显示图表',
  time: '时间',
  series: '系列',
  value: '数值',
  chartSummary: '{0}：{1} 个系列，{2} 个数据点，从 {3} 到 {4}。{5}',
  summaryMax: '{0}最高：{1}（{2}）。',
  alertsTitle: '告警',
  severity: '严重程度',
  dimension: '维度',
  detector: '检测器',
  any: '全部',
  filter: '筛选',
  window: '窗口',
  observed: '观测值',
  baseline: '基线',
  statistic: '统计量',
  deliveries: '投递',
  attempts: '尝试次数：{0}',
  subject: '对象',
  noAlerts: '没有符合条件的告警。',
  alertTitle: '告警证据',
  alertWindow: '告警窗口',
  backToAlerts: '全部告警',
  itemsTitle: '条目浏览',
  search: '搜索文本',
  sentiment: '情感',
  languageFilter: '条目语言',
  results: '显示 {0} 条',
  more: '加载更多',
  noItems: '没有符合条件的条目。',
  probability: '概率 {0}',
  keywords: '关键词',
  aspects: '方面',
  user: '用户',
  topicsTitle: '话题',
  topicsMissing: '尚未保存话题发现结果。运行 shopsight topics --db FILE 保存。',
  computedAt: '计算于 {0}',
  size: '规模',
  snippets: '摘录',
  topicsOverTime: '话题趋势',
  userTitle: '用户 {0}',
  profile: '画像',
  interests: '兴趣',
  sensitivities: '方面敏感度',
  recommendations: '推荐',
  noRecommendations: '没有可推荐的商品。',
  categoryIgnored: '已指定商品，因此忽略品类筛选。',
  linkParametersIgnored: '链接中的以下参数无效或无法识别，已忽略：{0}',
  recommendMatches: '符合你对{0}的关注；好评占 {1}',
  recommendRated: '其他评价者评价较好；好评占 {0}',
  recommendBoth: '{0}和{1}',
  activeDays: '活跃天数',
  firstSeen: '首条时间',
  lastSeen: '末条时间',
  tendency: '倾向',
  shopValue: '全店',
  share: '占比',
  lift: '提升度',
  score: '得分',
  products: '商品',
  categories: '品类',
  tokenTitle: '需要访问令牌',
  tokenText: '此服务器需要 Bearer 令牌。令牌仅保存在当前浏览器标签页中。',
  tokenLabel: '令牌',
  tokenSubmit: '登录',
  tokenCancel: '取消',
  tokenRejected: '令牌被拒绝，请检查后重试。',
  tokenNeeded: '需要有效令牌才能显示此页面。',
  pageNotFound: '页面不存在。',
  polarity: '极性',
  opinion: '观点',
};

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, 'zh-CN': zh };

// Display names of the standard aspect categories (src/analyze/categories.cpp).
const aspectNames: Record<Lang, Record<string, string>> = {
  en: {
    overall: 'Overall', quality: 'Quality', price: 'Price', logistics: 'Logistics', service: 'Service',
    packaging: 'Packaging', appearance: 'Appearance', size_fit: 'Size and fit', function: 'Function and performance',
    authenticity: 'Authenticity', freshness_taste: 'Freshness and taste', smell: 'Smell', ingredients: 'Ingredients',
    user_experience: 'User experience', other: 'Other',
  },
  'zh-CN': {
    overall: '整体', quality: '质量', price: '价格', logistics: '物流', service: '服务', packaging: '包装',
    appearance: '外观', size_fit: '尺码合身', function: '功能性能', authenticity: '真伪', freshness_taste: '新鲜度口味',
    smell: '气味', ingredients: '成分', user_experience: '使用体验', other: '其他',
  },
};

const termNames: Record<Lang, Record<string, string>> = {
  en: {
    positive: 'Positive', negative: 'Negative', neutral: 'Neutral',
    negative_share: 'Negative share', sentiment_score: 'Sentiment score', volume: 'Volume',
    aspect_negative: 'Negative aspect mentions', emerging_keyword: 'Emerging keyword',
    info: 'Info', warning: 'Warning', critical: 'Critical',
    shop: 'Shop', product: 'Product', category: 'Category', channel: 'Channel', aspect: 'Aspect', user: 'User',
    zh: 'Chinese', other: 'Other', p_value: 'p-value', z: 'z-score', robust_z: 'robust z-score',
    review: 'Review', query: 'Query', chat: 'Chat', mean_score: 'Mean score',
    spike: 'spike', drop: 'drop', collapse: 'collapse',
    pending: 'Pending', delivered: 'Delivered', failed: 'Failed',
    tendency_critical: 'More critical than the shop average', tendency_positive: 'More positive than the shop average',
    tendency_typical: 'Like the shop average', tendency_undetermined: 'Too few items to compare with the shop',
  },
  'zh-CN': {
    positive: '正面', negative: '负面', neutral: '中性',
    negative_share: '负面占比', sentiment_score: '情感得分', volume: '数量',
    aspect_negative: '方面负面提及', emerging_keyword: '新兴关键词',
    info: '提示', warning: '警告', critical: '严重',
    shop: '全店', product: '商品', category: '品类', channel: '渠道', aspect: '方面', user: '用户',
    zh: '中文', en: '英文', other: '其他', p_value: 'p 值', z: 'z 分数', robust_z: '稳健 z 分数',
    review: '评价', query: '咨询', chat: '聊天', mean_score: '平均得分',
    spike: '激增', drop: '骤降', collapse: '骤降',
    pending: '待发送', delivered: '已送达', failed: '失败',
    tendency_critical: '比全店平均更挑剔', tendency_positive: '比全店平均更积极',
    tendency_typical: '与全店平均相当', tendency_undetermined: '条目太少，无法与全店比较',
  },
};
termNames.en.en = 'English';

let current: Lang = initialLang();

function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  if (stored === 'zh-CN' || stored === 'en') return stored;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode can forbid storage. The choice then lasts until the page is reloaded.
  }
  document.documentElement.lang = next;
}

/** Translates a message key and fills `{0}`, `{1}`, ... with the arguments. */
export function t(key: MessageKey, ...args: (string | number)[]): string {
  const template = catalogues[current][key];
  return template.replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index)] ?? ''));
}

/** Returns the display name of an aspect category key, or the key itself for a shop's own category. */
export function aspectName(key: string): string {
  return aspectNames[current][key] ?? key;
}

/** Returns the display name of a sentiment label, detector, severity, dimension or other API term. */
export function term(key: string): string {
  return termNames[current][key] ?? key;
}

export function formatNumber(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  // Rounds first, so that -0.004 shows as 0 and not as -0.
  const rounded = Math.round(value * 10 ** digits) / 10 ** digits || 0;
  return new Intl.NumberFormat(current, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(rounded);
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return new Intl.NumberFormat(current, { style: 'percent', maximumFractionDigits: digits }).format(value);
}

/** Formats a test statistic; p-values below 0.001 get scientific notation so they do not show as 0. */
export function formatStatistic(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value !== 0 && Math.abs(value) < 0.001) {
    return new Intl.NumberFormat(current, { notation: 'scientific', maximumFractionDigits: 2 }).format(value);
  }
  return formatNumber(value, 3);
}

/** Formats a change of a share as signed percentage points. */
export function formatPointChange(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const points = new Intl.NumberFormat(current, { maximumFractionDigits: 1, signDisplay: 'always' }).format(value * 100);
  return current === 'zh-CN' ? `${points} 个百分点` : `${points} pp`;
}

/** Returns whether `ms` is a time that Date can represent (about ±275,000 years around 1970). */
export function isValidTime(ms: number | null | undefined): ms is number {
  return ms !== null && ms !== undefined && Number.isFinite(ms) && !Number.isNaN(new Date(ms).getTime());
}

/** The store's bucket time zone, from /api/v1/status: its name and its standard offset east of UTC. */
let zone = { name: 'UTC', offsetMs: 0 };

/**
 * Sets the zone that dates and times are shown in. The server's day buckets
 * start at midnight of the zone's standard time, so the dashboard uses that
 * fixed offset too, and a day on screen is a day bucket.
 */
export function setTimeZone(name: string | undefined, utcOffset: string | undefined): void {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(utcOffset ?? '');
  let offsetMs = 0;
  if (match) {
    const sign = match[1] === '-' ? -1 : 1;
    offsetMs = sign * (Number(match[2]) * 60 + Number(match[3])) * 60_000;
  }
  zone = { name: name || 'UTC', offsetMs };
}

/** Milliseconds to add to a Unix time to read its wall clock in the store's zone with UTC methods. */
export function zoneOffset(): number {
  return zone.offsetMs;
}

/** Names the store's zone for the page: "UTC", or "Asia/Shanghai (UTC+08:00)". */
export function zoneLabel(): string {
  if (zone.name === 'UTC' && zone.offsetMs === 0) return 'UTC';
  const minutes = Math.abs(zone.offsetMs) / 60_000;
  const hours = String(Math.floor(minutes / 60)).padStart(2, '0');
  return `${zone.name} (UTC${zone.offsetMs < 0 ? '-' : '+'}${hours}:${String(minutes % 60).padStart(2, '0')})`;
}

/**
 * Formats a time in the store's zone, because the server's buckets and date
 * filters are days of that zone. Returns "–" for a missing or unrepresentable time.
 */
export function formatDateTime(ms: number | null | undefined, withTime = true): string {
  if (!isValidTime(ms) || !isValidTime(ms + zone.offsetMs)) return '–';
  const options: Intl.DateTimeFormatOptions = withTime
    ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }
    : { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(current, options).format(new Date(ms + zone.offsetMs));
}

/** Returns the start of a YYYY-MM-DD day in the store's zone, Unix ms, or NaN for an invalid date. */
export function dayStart(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - zone.offsetMs;
}

/** Returns the start of the day `days` after a YYYY-MM-DD date, in the store's zone, as ISO 8601 for the API; "" for an invalid date. */
export function dayStartIso(date: string, days = 0): string {
  const ms = dayStart(date) + days * 86_400_000;
  return isValidTime(ms) ? new Date(ms).toISOString() : '';
}

/** Formats a time as YYYY-MM-DD in the store's zone, or returns "" for an unrepresentable time. */
export function isoDate(ms: number | null | undefined): string {
  return isValidTime(ms) && isValidTime(ms + zone.offsetMs) ? new Date(ms + zone.offsetMs).toISOString().slice(0, 10) : '';
}

/** Returns the ECharts built-in locale name for the current language. */
export function chartLocale(): 'ZH' | 'EN' {
  return current === 'zh-CN' ? 'ZH' : 'EN';
}
