// ReportBuilder: folds each (item, analysis) pair into running aggregates
// for the totals, its category and its product, and turns them into a
// ReportView for the writers.

#include "report/report.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "report/report_data.h"

namespace shopsight {

using report::AspectStats;
using report::AspectView;
using report::GroupStats;
using report::GroupView;
using report::RankedSnippet;
using report::ReportView;
using report::SentimentCounts;

namespace {

// 64-bit FNV-1a, so that the choice among equally good examples is the same
// on every run and platform.
std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char byte : text) {
    hash ^= byte;
    hash *= 1099511628211ull;
  }
  return hash;
}

void check_not_negative(int value, const char* name) {
  if (value < 0) throw Error(tr("Invalid report option {}: {}. Use 0 or a positive number.", name, value));
}

// Drops the rarest words until the vocabulary is back to three quarters of
// its limit. Counts of the words that stay are unchanged. A dropped word
// that comes back restarts from zero, so its count is a lower bound.
void prune_words(GroupStats& group, std::size_t limit) {
  if (group.words.size() <= limit) return;
  const std::size_t target = limit - limit / 4;
  for (std::int64_t threshold = 1; group.words.size() > target; ++threshold) {
    std::erase_if(group.words, [&](const auto& entry) { return entry.second.total() <= threshold; });
  }
  group.words_pruned = true;
}

}  // namespace

struct ReportBuilder::Impl {
  ReportOptions options;
  report::Calendar calendar;
  GroupStats totals;
  std::map<std::string, GroupStats> categories;
  std::map<std::string, GroupStats> products;
  std::map<std::int64_t, SentimentCounts> days;

  explicit Impl(const ReportOptions& report_options)
      : options(report_options), calendar(report_options.timezone) {}

  void add_to_group(GroupStats& group, const Item& item, const Analysis& analysis, bool details) const;
  void offer_example(AspectStats& stats, const Item& item, const Analysis& analysis,
                     const AspectMention& mention) const;
  GroupView view_of(const GroupStats& group, bool details) const;
  ReportView view() const;
};

void ReportBuilder::Impl::offer_example(AspectStats& stats, const Item& item, const Analysis& analysis,
                                        const AspectMention& mention) const {
  const auto keep = static_cast<std::size_t>(options.examples_per_aspect);
  if (keep == 0 || analysis.masked_text.empty()) return;

  // Rank before cutting the snippet, which is the costly part, so that most
  // mentions of a large input are turned away cheaply.
  RankedSnippet candidate;
  candidate.clarity = analysis.sentiment.label == "negative" ? 0 : 1;
  candidate.score = analysis.sentiment.score;
  candidate.tie_break = fnv1a(fmt::format("{}\x1f{}\x1f{}", item.id, mention.opinion_begin, mention.aspect_begin));
  if (stats.examples.size() >= keep && !candidate.better_than(stats.examples.back())) return;

  auto snippet = report::make_snippet(analysis.masked_text, mention, options.snippet_chars);
  if (!snippet) return;
  snippet->item_id = item.id;
  candidate.snippet = std::move(*snippet);

  // Repeated reviews would fill the examples with one complaint.
  for (const auto& kept : stats.examples) {
    if (kept.snippet.text == candidate.snippet.text) return;
  }
  const auto position = std::find_if(stats.examples.begin(), stats.examples.end(),
                                     [&](const RankedSnippet& kept) { return candidate.better_than(kept); });
  stats.examples.insert(position, std::move(candidate));
  if (stats.examples.size() > keep) stats.examples.pop_back();
}

void ReportBuilder::Impl::add_to_group(GroupStats& group, const Item& item, const Analysis& analysis,
                                       bool details) const {
  ++group.items;
  group.sentiment.add(analysis.sentiment.label);
  // A NaN from a broken model must not turn every mean into NaN.
  if (std::isfinite(analysis.sentiment.score)) {
    group.score_sum += analysis.sentiment.score;
    ++group.scored;
  }
  if (item.rating && std::isfinite(*item.rating)) {
    ++group.rated;
    group.rating_sum += *item.rating;
  }
  if (item.time) {
    group.first_time = group.first_time ? std::min(*group.first_time, *item.time) : *item.time;
    group.last_time = group.last_time ? std::max(*group.last_time, *item.time) : *item.time;
  }
  ++group.channels[item.channel];
  if (!item.category.empty()) ++group.categories[item.category];

  for (const auto& mention : analysis.aspects) {
    auto& stats = group.aspects[mention.category];
    ++stats.mentions;
    stats.polarity.add(mention.polarity);
    if (details && mention.polarity == "negative") offer_example(stats, item, analysis, mention);
  }
  if (!details) return;

  // Keywords count once per item, so a word repeated in one review does not
  // outweigh the same word in many reviews.
  std::set<std::string_view> seen;
  for (const auto& keyword : analysis.keywords) {
    if (keyword.word.empty() || !seen.insert(keyword.word).second) continue;
    auto& counts = group.words[keyword.word];
    if (analysis.sentiment.label == "positive") {
      ++counts.positive;
    } else if (analysis.sentiment.label == "negative") {
      ++counts.negative;
    } else {
      ++counts.other;
    }
  }
  prune_words(group, options.max_keyword_vocabulary);
}

GroupView ReportBuilder::Impl::view_of(const GroupStats& group, bool details) const {
  GroupView view;
  view.name = group.name;
  view.items = group.items;
  view.sentiment = group.sentiment;
  view.mean_score = group.scored > 0 ? group.score_sum / static_cast<double>(group.scored) : 0.0;
  view.rated = group.rated;
  if (group.rated > 0) view.mean_rating = group.rating_sum / static_cast<double>(group.rated);
  view.first_time = group.first_time;
  view.last_time = group.last_time;
  view.channels = group.channels;

  // A product normally has one category; when a source disagrees with
  // itself, the most frequent one (then the first by name) is shown.
  std::int64_t best = 0;
  for (const auto& [category, count] : group.categories) {
    if (count > best) {
      best = count;
      view.category = category;
    }
  }

  for (const auto& [key, stats] : group.aspects) {
    view.aspect_mentions += stats.mentions;
    if (stats.polarity.negative == 0) continue;
    AspectView aspect;
    aspect.key = key;
    aspect.name = aspect_category_name(key);
    aspect.mentions = stats.mentions;
    aspect.polarity = stats.polarity;
    aspect.negative_share = static_cast<double>(stats.polarity.negative) / static_cast<double>(stats.mentions);
    for (const auto& example : stats.examples) aspect.examples.push_back(example.snippet);
    view.negative_aspects.push_back(std::move(aspect));
  }
  std::sort(view.negative_aspects.begin(), view.negative_aspects.end(),
            [](const AspectView& a, const AspectView& b) {
              if (a.polarity.negative != b.polarity.negative) return a.polarity.negative > b.polarity.negative;
              if (a.negative_share != b.negative_share) return a.negative_share > b.negative_share;
              return a.key < b.key;
            });
  if (view.negative_aspects.size() > static_cast<std::size_t>(options.top_aspects)) {
    view.negative_aspects.resize(static_cast<std::size_t>(options.top_aspects));
  }

  if (details) {
    report::rank_keywords(group.words, options.top_keywords, view.negative_keywords, view.positive_keywords);
    view.keywords_approximate = group.words_pruned;
  }
  return view;
}

ReportView ReportBuilder::Impl::view() const {
  ReportView view;
  view.title = options.title.empty() ? tr("Customer feedback report") : options.title;
  view.language = language() == Language::zh ? "zh-CN" : "en";
  view.timezone = options.timezone;
  view.options = options;
  view.totals = view_of(totals, true);

  // A source without categories would only repeat the totals in one
  // unnamed group, so the breakdown needs at least one named category.
  const bool named_category = std::any_of(categories.begin(), categories.end(),
                                          [](const auto& entry) { return !entry.first.empty(); });
  if (named_category) {
    for (const auto& [name, group] : categories) view.categories.push_back(view_of(group, true));
  }
  auto by_volume = [](const GroupView& a, const GroupView& b) {
    if (a.items != b.items) return a.items > b.items;
    return a.name < b.name;
  };
  std::sort(view.categories.begin(), view.categories.end(), by_volume);

  for (const auto& [name, group] : products) view.products.push_back(view_of(group, false));
  view.product_count = static_cast<std::int64_t>(view.products.size());
  std::sort(view.products.begin(), view.products.end(), by_volume);
  if (view.products.size() > static_cast<std::size_t>(options.top_products)) {
    view.products.resize(static_cast<std::size_t>(options.top_products));
  }

  report::build_timeline(days, view.bucket, view.timeline);
  if (totals.first_time) view.first_time_local = calendar.format_minute(*totals.first_time);
  if (totals.last_time) view.last_time_local = calendar.format_minute(*totals.last_time);
  return view;
}

ReportBuilder::ReportBuilder(const ReportOptions& options) : impl_(std::make_unique<Impl>(options)) {
  if (!impl_->calendar.valid()) {
    throw Error(tr("Unknown time zone '{}'. Use an IANA name such as Asia/Shanghai or UTC.", options.timezone));
  }
  check_not_negative(options.top_aspects, "top_aspects");
  check_not_negative(options.examples_per_aspect, "examples_per_aspect");
  check_not_negative(options.snippet_chars, "snippet_chars");
  check_not_negative(options.top_keywords, "top_keywords");
  check_not_negative(options.top_products, "top_products");
  check_not_negative(options.top_categories, "top_categories");
  if (options.max_keyword_vocabulary < 4) {
    throw Error(tr("Invalid report option {}: {}. Use 4 or more.", "max_keyword_vocabulary",
                   options.max_keyword_vocabulary));
  }
}

ReportBuilder::~ReportBuilder() = default;

void ReportBuilder::add(const Item& item, const Analysis& analysis) {
  Impl& impl = *impl_;
  impl.add_to_group(impl.totals, item, analysis, true);

  auto& category = impl.categories[item.category];
  category.name = item.category;
  impl.add_to_group(category, item, analysis, true);

  if (!item.product.empty()) {
    auto& product = impl.products[item.product];
    product.name = item.product;
    impl.add_to_group(product, item, analysis, false);
  }
  if (item.time) impl.days[impl.calendar.local_day(*item.time)].add(analysis.sentiment.label);
}

std::int64_t ReportBuilder::size() const { return impl_->totals.items; }

std::string ReportBuilder::to_markdown() const { return report::render_markdown(impl_->view()); }

std::string ReportBuilder::to_html() const { return report::render_html(impl_->view()); }

std::string ReportBuilder::to_json() const { return report::render_json(impl_->view()); }

void ReportBuilder::write(const std::string& path) const {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

  std::string content;
  if (extension == ".md" || extension == ".markdown") {
    content = to_markdown();
  } else if (extension == ".html" || extension == ".htm") {
    content = to_html();
  } else if (extension == ".json") {
    content = to_json();
  } else {
    throw Error(tr("Unsupported report extension '{}' in {}. Use .md, .html or .json.", extension, path));
  }

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(tr("Failed to write the report {}: {}.", path, std::strerror(errno)));
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw Error(tr("Failed to write the report {}: {}.", path, std::strerror(errno)));
  spdlog::info(tr("Wrote the report for {} items to {}", impl_->totals.items, path));
}

namespace report {

void SentimentCounts::add(std::string_view label) {
  if (label == "positive") {
    ++positive;
  } else if (label == "negative") {
    ++negative;
  } else {
    ++neutral;
  }
}

}  // namespace report

}  // namespace shopsight
