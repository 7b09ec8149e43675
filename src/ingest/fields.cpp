#include "ingest/fields.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "ingest/decoder.h"

namespace shopsight::ingest {
namespace {

// Column names tried, in order, for each field that was not named. Names
// compare after normalize_name, so "Review Text" matches "review_text".
// The Chinese names include headers of shop order and review exports (评价时间, 买家昵称).
const std::vector<std::string_view> kTextNames = {
    "review", "review_text", "review_body", "text", "content", "comment", "comment_text", "body", "message",
    "query", "评论", "评论内容", "内容", "文本", "评价", "评价内容", "商品评价", "买家评论", "买家评价",
    "用户评论", "用户评价", "评论正文", "初评内容", "留言"};
const std::vector<std::string_view> kIdNames = {"id", "review_id", "comment_id", "编号", "评论id", "评价id"};
const std::vector<std::string_view> kTimeNames = {
    "time", "timestamp", "created_at", "creation_time", "date", "datetime", "review_date",
    "时间", "评论时间", "评价时间", "创建时间", "发表时间", "发布时间", "提交时间", "下单时间", "购买时间",
    "付款时间", "日期", "评论日期", "评价日期", "时间戳"};
const std::vector<std::string_view> kProductNames = {"product", "product_id", "item_id", "sku", "asin",
                                                     "商品", "商品id", "商品编号", "宝贝id", "产品", "产品id",
                                                     "商品名称", "宝贝名称", "产品名称"};
// "category" wins over "department", which wins over the finer "class".
const std::vector<std::string_view> kCategoryNames = {
    "category", "product_category", "类目", "品类", "分类", "商品类目", "商品分类", "商品品类", "类别",
    "department", "department_name", "class", "class_name"};
const std::vector<std::string_view> kUserNames = {"user", "user_id", "customer_id", "nickname",
                                                  "用户", "用户id", "用户名", "昵称", "用户昵称", "买家",
                                                  "买家昵称", "买家id", "会员名", "会员id", "客户id"};
const std::vector<std::string_view> kRatingNames = {"rating", "score", "stars", "star", "star_rating",
                                                    "评分", "星级", "评价星级", "商品评分", "打分"};
const std::vector<std::string_view> kLabelNames = {"label", "sentiment", "polarity", "标签", "情感"};
const std::vector<std::string_view> kChannelNames = {"channel", "渠道"};

// Lowercases ASCII letters and drops spaces, '_', '-' and '.', so that
// "Review_ID", "review id" and "reviewId" compare equal.
std::string normalize_name(std::string_view name) {
  std::string out;
  for (char c : trim(name)) {
    if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string join_names(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& name : header) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

// `message` about a missing column, with a hint when `header` looks like a
// TSV header read as CSV: a single name that contains tabs.
std::string with_format_hint(std::string message, const std::vector<std::string>& header) {
  if (header.size() != 1 || header[0].find('\t') == std::string::npos) return message;
  return tr("{}. The header has tabs but no commas: if the file is TSV, pass --input-format tsv.", message);
}

std::optional<std::size_t> find_column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  const std::string normalized = normalize_name(name);
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (normalize_name(header[i]) == normalized) return i;
  }
  return std::nullopt;
}

std::size_t require_column(const std::vector<std::string>& header, const std::string& name,
                           std::string_view field, const std::string& source) {
  const auto index = find_column(header, name);
  if (!index) {
    throw Error(with_format_hint(tr("{}: column '{}' (requested for the {} field) not found; the columns are: {}",
                                    source, name, field, join_names(header)),
                                 header));
  }
  return *index;
}

// Resolves one optional field: the requested name, or the first candidate
// name present that the text does not already use.
std::optional<std::size_t> resolve_field(const std::vector<std::string>& header, const std::string& requested,
                                         const std::vector<std::string_view>& candidates, std::string_view field,
                                         const std::vector<std::size_t>& text_columns, const std::string& source) {
  if (!requested.empty()) return require_column(header, requested, field, source);

  for (const auto candidate : candidates) {
    const auto index = find_column(header, candidate);
    if (index && std::find(text_columns.begin(), text_columns.end(), *index) == text_columns.end()) return index;
  }
  return std::nullopt;
}

std::vector<std::size_t> resolve_text(const std::vector<std::string>& header, const std::string& requested,
                                      const std::string& source) {
  if (requested.empty()) {
    for (const auto candidate : kTextNames) {
      if (const auto index = find_column(header, candidate)) return {*index};
    }
    throw Error(with_format_hint(
        tr("{}: no text column found; name it with --text. The columns are: {}", source, join_names(header)),
        header));
  }

  // A column whose own name contains '+' wins over splitting the request.
  if (const auto index = find_column(header, requested)) return {*index};

  std::vector<std::size_t> indexes;
  std::string_view rest = requested;
  while (!rest.empty()) {
    const auto plus = rest.find('+');
    const std::string part(trim(rest.substr(0, plus)));
    rest = plus == std::string_view::npos ? std::string_view() : rest.substr(plus + 1);
    if (part.empty()) continue;
    indexes.push_back(require_column(header, part, "text", source));
  }
  if (indexes.empty()) throw Error(tr("{}: the text column name '{}' is empty", source, requested));
  return indexes;
}

std::string name_of(const std::vector<std::string>& header, const std::optional<std::size_t>& index) {
  return index ? header[*index] : std::string();
}

std::string short_value(std::string_view value) {
  constexpr std::size_t kMaxBytes = 40;
  std::string excerpt = raw_excerpt(value.substr(0, kMaxBytes + 4));
  if (excerpt.size() <= kMaxBytes) return excerpt;
  std::size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(excerpt[cut]) & 0xC0) == 0x80) --cut;
  excerpt.resize(cut);
  return excerpt + "...";
}

std::optional<std::string> parse_channel(std::string_view value) {
  std::string lower;
  for (char c : value) lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  if (lower == "review" || lower == "评论" || lower == "评价") return "review";
  if (lower == "query" || lower == "search" || lower == "查询" || lower == "搜索") return "query";
  if (lower == "chat" || lower == "聊天" || lower == "客服" || lower == "对话") return "chat";
  return std::nullopt;
}

std::optional<double> parse_number(std::string_view value) {
  double number = 0;
  const auto* end = value.data() + value.size();
  const auto [next, error] = std::from_chars(value.data(), end, number);
  if (error != std::errc() || next != end || !std::isfinite(number)) return std::nullopt;
  return number;
}

}  // namespace

std::string_view trim(std::string_view text) {
  auto starts_with_space = [](std::string_view s) -> std::size_t {
    if (s.empty()) return 0;
    const char c = s.front();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
    if (s.starts_with("\xC2\xA0")) return 2;
    if (s.starts_with("\xE3\x80\x80") || s.starts_with("\xEF\xBB\xBF")) return 3;
    return 0;
  };
  auto ends_with_space = [](std::string_view s) -> std::size_t {
    if (s.empty()) return 0;
    const char c = s.back();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') return 1;
    if (s.ends_with("\xC2\xA0")) return 2;
    if (s.ends_with("\xE3\x80\x80") || s.ends_with("\xEF\xBB\xBF")) return 3;
    return 0;
  };

  while (const std::size_t n = starts_with_space(text)) text.remove_prefix(n);
  while (const std::size_t n = ends_with_space(text)) text.remove_suffix(n);
  return text;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  utf8::all_sequences(text, [&out](UChar32 c, std::string_view sequence) {
    if (c < 0) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(sequence);
    }
    return true;
  });
  return out;
}

std::string raw_excerpt(std::string_view raw) {
  // A few extra bytes let the last character before the limit be decoded whole.
  std::string excerpt = sanitize_utf8(raw.substr(0, kRawExcerptBytes + 4));
  while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r')) excerpt.pop_back();
  if (excerpt.size() <= kRawExcerptBytes) return excerpt;

  std::size_t cut = kRawExcerptBytes;
  while (cut > 0 && (static_cast<unsigned char>(excerpt[cut]) & 0xC0) == 0x80) --cut;
  excerpt.resize(cut);
  return excerpt;
}

RowMapper::RowMapper(const ReaderOptions& options, std::string source, const std::vector<std::string>& header)
    : options_(options), source_(std::move(source)) {
  const ColumnMap& requested = options.columns;
  indexes_.text = resolve_text(header, requested.text, source_);

  resolve_optional_fields(header);
  for (const auto index : indexes_.text) {
    if (!resolved_.text.empty()) resolved_.text += '+';
    resolved_.text += header[index];
  }

  // Fail now rather than on the first row that has a time.
  check_time_zone(options.timezone);
}

void RowMapper::resolve_optional_fields(const std::vector<std::string>& header) {
  const ColumnMap& requested = options_.columns;
  auto resolve = [&](std::optional<std::size_t>& index, std::string& name, const std::string& requested_name,
                     const std::vector<std::string_view>& candidates, std::string_view field) {
    if (index) return;
    index = resolve_field(header, requested_name, candidates, field, indexes_.text, source_);
    name = name_of(header, index);
  };

  resolve(indexes_.id, resolved_.id, requested.id, kIdNames, "id");
  resolve(indexes_.time, resolved_.time, requested.time, kTimeNames, "time");
  resolve(indexes_.product, resolved_.product, requested.product, kProductNames, "product");
  resolve(indexes_.category, resolved_.category, requested.category, kCategoryNames, "category");
  resolve(indexes_.user, resolved_.user, requested.user, kUserNames, "user");
  resolve(indexes_.rating, resolved_.rating, requested.rating, kRatingNames, "rating");
  resolve(indexes_.label, resolved_.label, requested.label, kLabelNames, "label");
  resolve(indexes_.channel, resolved_.channel, requested.channel, kChannelNames, "channel");
}

void RowMapper::add_columns(const std::vector<std::string>& header) { resolve_optional_fields(header); }

ReadStatus make_reject(Reject& reject, const std::string& source, std::int64_t line, std::string field,
                       std::string reason, std::string_view raw) {
  reject.source = source;
  reject.line = line;
  reject.field = std::move(field);
  reject.reason = std::move(reason);
  reject.raw = raw_excerpt(raw);
  return ReadStatus::rejected;
}

ReadStatus RowMapper::reject(Reject& reject, std::int64_t line, std::string field, std::string reason,
                             std::string_view raw) const {
  return make_reject(reject, source_, line, std::move(field), std::move(reason), raw);
}

void RowMapper::finish() {
  if (out_of_range_ratings_ == 0) return;
  spdlog::warn("{}", tr("{}: {} ratings are outside 1 to 5, the first on line {}; their items are kept, but the "
                        "store's rating counts include only ratings 1 to 5",
                        source_, out_of_range_ratings_, first_out_of_range_rating_line_));
  out_of_range_ratings_ = 0;
}

ReadStatus RowMapper::build(const std::vector<std::string>& header, std::vector<std::string>& values,
                            std::int64_t line, std::string_view raw, bool check_utf8, Item& item,
                            Reject& rejected) {
  if (values.size() < header.size()) values.resize(header.size());

  // Checks that apply to every column, mapped or not.
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& value = values[i];
    if (check_utf8 && !utf8::is_valid(value)) {
      return reject(rejected, line, header[i],
                    tr("invalid UTF-8; convert the file to UTF-8 or name its encoding with --encoding"), raw);
    }
    if (!check_utf8 && value.find(kUndecodableMarker) != std::string::npos) {
      return reject(rejected, line, header[i], tr("bytes that are invalid in the source encoding"), raw);
    }
    if (value.size() > options_.max_field_bytes) {
      return reject(rejected, line, header[i],
                    tr("field larger than {} bytes (see --max-field-bytes)", options_.max_field_bytes), raw);
    }
  }

  item = Item();
  item.source = source_;
  item.line = line;

  // Text: the non-empty parts of each text column, one per line.
  for (const auto index : indexes_.text) {
    const std::string_view part = trim(values[index]);
    if (part.empty()) continue;
    if (!item.text.empty()) item.text += '\n';
    item.text.append(part);
  }
  if (item.text.empty() && options_.require_text) {
    return reject(rejected, line, resolved_.text, tr("empty text"), raw);
  }

  auto value_of = [&](const std::optional<std::size_t>& index) -> std::string_view {
    return index ? trim(values[*index]) : std::string_view();
  };

  const std::string_view id = value_of(indexes_.id);
  item.id = id.empty() ? std::to_string(line) : std::string(id);
  item.id_from_line = id.empty();

  if (const std::string_view time = value_of(indexes_.time); !time.empty()) {
    item.time = parse_time(std::string(time), options_.timezone);
    if (!item.time) {
      return reject(rejected, line, resolved_.time,
                    tr("invalid time '{}': expected ISO 8601, 'YYYY-MM-DD hh:mm:ss' or Unix seconds or "
                       "milliseconds",
                       short_value(time)),
                    raw);
    }
    if (!is_plausible_time(*item.time)) {
      return reject(rejected, line, resolved_.time,
                    tr("time '{}' is outside the years 1970 to 2099: check its unit (seconds or milliseconds)",
                       short_value(time)),
                    raw);
    }
  }

  if (const std::string_view rating = value_of(indexes_.rating); !rating.empty()) {
    item.rating = parse_number(rating);
    if (!item.rating) {
      return reject(rejected, line, resolved_.rating, tr("invalid rating '{}': expected a number",
                                                         short_value(rating)),
                    raw);
    }
    // Kept, but the store counts a rating as the nearest star from 1 to 5 only.
    if (!(*item.rating >= 0.5 && *item.rating < 5.5)) {
      if (out_of_range_ratings_ == 0) first_out_of_range_rating_line_ = line;
      ++out_of_range_ratings_;
    }
  }

  if (const std::string_view channel = value_of(indexes_.channel); !channel.empty()) {
    const auto parsed = parse_channel(channel);
    if (!parsed) {
      return reject(rejected, line, resolved_.channel,
                    tr("invalid channel '{}': expected review, query or chat", short_value(channel)), raw);
    }
    item.channel = *parsed;
  }

  item.product = value_of(indexes_.product);
  item.category = value_of(indexes_.category);
  item.user = value_of(indexes_.user);
  item.label = value_of(indexes_.label);

  item.columns.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) item.columns.emplace_back(header[i], std::move(values[i]));
  return ReadStatus::item;
}

}  // namespace shopsight::ingest
