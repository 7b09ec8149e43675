// Rules: the defaults and the TOML rules file. Every error names the file,
// the line and the key at fault.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <toml.hpp>

#include "common/error.h"
#include "common/i18n.h"
#include "detect/detect.h"

namespace shopsight::detect {
namespace {

constexpr std::array<std::string_view, 5> kDetectorNames = {"negative_share", "sentiment_score", "volume",
                                                             "aspect_negative", "emerging_keyword"};

std::string join(std::span<const std::string_view> names) {
  std::string text;
  for (std::string_view name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

// Levenshtein distance: the single-character insertions, deletions and
// substitutions that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The allowed key closest to a misspelt one, or "" when none is close. Up
// to a third of the key's length may differ, and at least 2 characters. A
// key that the allowed one starts or ends with counts as close too
// ("timeout" for "timeout_ms").
std::string_view nearest_key(std::string_view key, std::span<const std::string_view> allowed) {
  std::string_view nearest;
  std::size_t best = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const std::string_view candidate : allowed) {
    std::size_t distance = edit_distance(key, candidate);
    if (key.size() >= 4 && (candidate.starts_with(key) || candidate.ends_with(key))) distance = std::min<std::size_t>(distance, 1);
    if (distance < best) {
      best = distance;
      nearest = candidate;
    }
  }
  return nearest;
}

// Keys of a [[detector]] table that every detector reads.
constexpr std::array<std::string_view, 9> kCommonKeys = {"detector",      "dimensions",   "granularity",
                                                         "severity",      "min_count",    "baseline_days",
                                                         "min_baseline_buckets", "cooldown_buckets", "min_change"};

// Keys of a [[detector]] table that `detector` reads, as docs/detection.md lists them.
std::vector<std::string_view> detector_keys(Detector detector) {
  std::vector<std::string_view> keys(kCommonKeys.begin(), kCommonKeys.end());
  switch (detector) {
    case Detector::negative_share:
    case Detector::aspect_negative: keys.push_back("alpha"); break;
    case Detector::sentiment_score: keys.push_back("threshold"); break;
    case Detector::volume: keys.insert(keys.end(), {"threshold", "min_baseline", "direction"}); break;
    case Detector::emerging_keyword:
      std::erase(keys, "min_change");
      keys.insert(keys.end(), {"alpha", "min_ratio", "min_negative_share"});
      break;
  }
  return keys;
}

DetectorRule rule_for(Detector detector) {
  switch (detector) {
    case Detector::negative_share:
      return {.detector = detector, .min_count = 50, .min_change = 0.02};
    case Detector::sentiment_score:
      return {.detector = detector, .min_count = 50, .min_change = 0.1, .threshold = 4.0};
    case Detector::volume:
      return {.detector = detector, .min_count = 20, .min_change = 0.5, .threshold = 4.0, .min_baseline = 10.0};
    case Detector::aspect_negative:
      return {.detector = detector, .min_count = 50, .min_change = 0.03};
    case Detector::emerging_keyword:
      // Repeated reviews make common words swing up to about 10 times their
      // rate in alert_replay.py, while new complaint words start hundreds of
      // times above their smoothed rate.
      return {.detector = detector, .min_count = 8, .min_ratio = 20.0};
  }
  return {.detector = detector};
}

// A top-level integer setting of a rules file and its allowed range.
struct IntegerKey {
  std::string_view name;
  int Rules::*member;
  std::int64_t low;
  std::int64_t high;
};

// Checked in this order, so a file with several invalid values reports the first.
constexpr IntegerKey kIntegerKeys[] = {
    {"examples", &Rules::examples, 0, 100},
    {"max_values", &Rules::max_values, 1, 10000000},
    {"late_buckets", &Rules::late_buckets, 0, 1000},
    {"sink_max_age_days", &Rules::sink_max_age_days, 0, 100000},
    {"sink_queue_size", &Rules::sink_queue_size, 1, 1000000},
    {"sink_shutdown_ms", &Rules::sink_shutdown_ms, 0, 3600000},
};

// Reads one rules file, keeping its name for messages.
class RulesParser {
 public:
  explicit RulesParser(std::string name) : name_(std::move(name)) {}

  Rules parse(const toml::value& root) {
    Rules rules = default_rules();
    const auto& table = root.as_table();
    check_keys(root, {"examples", "max_values", "sink_max_age_days", "late_buckets", "sink_queue_size",
                      "sink_shutdown_ms", "detector", "sink"});
    for (const IntegerKey& key : kIntegerKeys) {
      if (auto found = table.find(std::string(key.name)); found != table.end()) {
        rules.*key.member = static_cast<int>(integer(found->second, std::string(key.name), key.low, key.high));
      }
    }
    if (auto found = table.find("detector"); found != table.end()) {
      rules.detectors.clear();
      for (const toml::value& entry : tables(found->second, "detector")) rules.detectors.push_back(detector(entry));
    }
    if (auto found = table.find("sink"); found != table.end()) {
      rules.sinks.clear();
      for (const toml::value& entry : tables(found->second, "sink")) rules.sinks.push_back(sink(entry));
    }
    return rules;
  }

 private:
  Error error(const toml::value& value, const std::string& key, const std::string& problem) const {
    return Error(tr("{}:{}: key '{}': {}", name_, value.location().line(), key, problem));
  }

  void check_keys(const toml::value& table, std::vector<std::string_view> allowed) const {
    std::vector<std::string> keys;
    for (const auto& [key, value] : table.as_table()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      const std::string_view nearest = nearest_key(key, allowed);
      if (!nearest.empty()) {
        throw error(table.as_table().at(key), key,
                    tr("unknown key; did you mean '{}'? Expected one of: {}", nearest, join(allowed)));
      }
      throw error(table.as_table().at(key), key, tr("unknown key; expected one of: {}", join(allowed)));
    }
  }

  std::vector<toml::value> tables(const toml::value& value, const std::string& key) const {
    if (!value.is_array()) throw error(value, key, tr("must be an array of tables, written [[{}]]", key));
    std::vector<toml::value> entries;
    for (const toml::value& entry : value.as_array()) {
      if (!entry.is_table()) throw error(entry, key, tr("must be an array of tables, written [[{}]]", key));
      entries.push_back(entry);
    }
    return entries;
  }

  std::int64_t integer(const toml::value& value, const std::string& key, std::int64_t low, std::int64_t high) const {
    if (!value.is_integer()) throw error(value, key, tr("must be an integer"));
    const std::int64_t number = value.as_integer();
    if (number < low || number > high) throw error(value, key, tr("{} is out of range {} to {}", number, low, high));
    return number;
  }

  double number(const toml::value& value, const std::string& key, double low, double high) const {
    double number = 0;
    if (value.is_floating()) {
      number = value.as_floating();
    } else if (value.is_integer()) {
      number = static_cast<double>(value.as_integer());
    } else {
      throw error(value, key, tr("must be a number"));
    }
    if (!(number >= low && number <= high)) throw error(value, key, tr("{} is out of range {} to {}", number, low, high));
    return number;
  }

  std::string string(const toml::value& value, const std::string& key) const {
    if (!value.is_string()) throw error(value, key, tr("must be a string"));
    return value.as_string().str;
  }

  std::string choice(const toml::value& value, const std::string& key, std::vector<std::string_view> allowed) const {
    std::string text = string(value, key);
    if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
      throw error(value, key, tr("unknown value '{}'; expected one of: {}", text, join(allowed)));
    }
    return text;
  }

  std::vector<std::string> dimensions(const toml::value& value, const std::string& key) const {
    if (!value.is_array()) throw error(value, key, tr("must be an array of strings"));
    std::vector<std::string> names;
    for (const toml::value& entry : value.as_array()) {
      names.push_back(choice(entry, key, {store::kDimensions.begin(), store::kDimensions.end()}));
    }
    if (names.empty()) throw error(value, key, tr("must name at least one dimension"));
    return names;
  }

  DetectorRule detector(const toml::value& entry) const {
    const auto& table = entry.as_table();
    auto name = table.find("detector");
    if (name == table.end()) throw error(entry, "detector", tr("missing; every [[detector]] table names its detector"));
    DetectorRule rule = rule_for(*parse_detector(choice(name->second, "detector", {kDetectorNames.begin(), kDetectorNames.end()})));

    check_keys(entry, {"detector", "dimensions", "granularity", "severity", "min_count", "min_change", "alpha",
                       "threshold", "min_ratio", "min_negative_share", "min_baseline", "baseline_days", "min_baseline_buckets",
                       "cooldown_buckets", "direction"});
    // A key the detector ignores would look like a setting that works.
    const std::vector<std::string_view> used = detector_keys(rule.detector);
    for (const auto& [key, value] : table) {
      if (std::find(used.begin(), used.end(), key) == used.end()) {
        throw error(value, key, tr("{} does not use this key; its keys are: {}", to_string(rule.detector), join(used)));
      }
    }
    for (const auto& [key, value] : table) detector_key(rule, key, value);
    if (rule.detector == Detector::emerging_keyword) check_keyword_buckets(entry, rule);
    return rule;
  }

  // The store counts keywords only in some buckets; elsewhere the detector
  // would run and never find anything.
  void check_keyword_buckets(const toml::value& entry, const DetectorRule& rule) const {
    const auto& table = entry.as_table();
    for (const std::string& dimension : rule.dimensions) {
      if (store::has_keyword_counts(dimension, store::Granularity::day)) continue;
      const auto found = table.find("dimensions");
      throw error(found != table.end() ? found->second : entry, "dimensions",
                  tr("emerging_keyword has no keyword counts for the dimension '{}'; use shop, category or product",
                     dimension));
    }
    if (!store::has_keyword_counts("shop", rule.granularity)) {
      const auto found = table.find("granularity");
      throw error(found != table.end() ? found->second : entry, "granularity",
                  tr("emerging_keyword has keyword counts only for day buckets"));
    }
  }

  void detector_key(DetectorRule& rule, const std::string& key, const toml::value& value) const {
    constexpr auto kMaxCount = std::numeric_limits<std::int32_t>::max();
    if (key == "dimensions") rule.dimensions = dimensions(value, key);
    if (key == "granularity") rule.granularity = *store::parse_granularity(choice(value, key, {"minute", "hour", "day"}));
    if (key == "severity") rule.severity = choice(value, key, {"info", "warning", "critical"});
    if (key == "min_count") rule.min_count = integer(value, key, 0, kMaxCount);
    if (key == "min_change") rule.min_change = number(value, key, 0, 1000);
    if (key == "alpha") rule.alpha = number(value, key, 0, 1);
    if (key == "threshold") rule.threshold = number(value, key, 0, 1000);
    if (key == "min_ratio") rule.min_ratio = number(value, key, 1, 1e9);
    if (key == "min_negative_share") rule.min_negative_share = number(value, key, 0, 1);
    if (key == "min_baseline") rule.min_baseline = number(value, key, 0, 1e9);
    if (key == "baseline_days") rule.baseline_days = static_cast<int>(integer(value, key, 1, 3660));
    if (key == "min_baseline_buckets") rule.min_baseline_buckets = static_cast<int>(integer(value, key, 1, 100000));
    if (key == "cooldown_buckets") rule.cooldown_buckets = static_cast<int>(integer(value, key, 0, 100000));
    if (key == "direction") {
      const std::string direction = choice(value, key, {"both", "spike", "drop"});
      rule.direction = direction == "spike" ? VolumeDirection::spike
                       : direction == "drop" ? VolumeDirection::drop
                                             : VolumeDirection::both;
    }
  }

  // Errors name the line of the key at fault; a missing key, the line of [[sink]].
  SinkRule sink(const toml::value& entry) const {
    const auto& table = entry.as_table();
    check_keys(entry, {"type", "path", "url", "retries", "backoff_ms", "timeout_ms", "circuit_failures",
                       "circuit_cooldown_ms"});
    auto type = table.find("type");
    if (type == table.end()) throw error(entry, "type", tr("missing; every [[sink]] table has a type"));
    SinkRule rule;
    rule.type = choice(type->second, "type", {"log", "jsonl", "webhook"});
    const std::vector<std::string_view> used = rule.type == "log"     ? std::vector<std::string_view>{"type"}
                                               : rule.type == "jsonl" ? std::vector<std::string_view>{"type", "path"}
                                                                      : std::vector<std::string_view>{
                                                                            "type", "url", "retries", "backoff_ms",
                                                                            "timeout_ms", "circuit_failures",
                                                                            "circuit_cooldown_ms"};
    for (const auto& [key, value] : table) {
      if (std::find(used.begin(), used.end(), key) == used.end()) {
        throw error(value, key, tr("a {} sink does not use this key; its keys are: {}", rule.type, join(used)));
      }
      if (key == "path") rule.path = jsonl_path(value);
      if (key == "url") rule.url = url(value);
      if (key == "retries") rule.retries = static_cast<int>(integer(value, key, 0, 100));
      if (key == "backoff_ms") rule.backoff_ms = static_cast<int>(integer(value, key, 0, 600000));
      if (key == "timeout_ms") rule.timeout_ms = static_cast<int>(integer(value, key, 1, 600000));
      if (key == "circuit_failures") rule.circuit_failures = static_cast<int>(integer(value, key, 0, 1000));
      if (key == "circuit_cooldown_ms") rule.circuit_cooldown_ms = static_cast<int>(integer(value, key, 0, 86400000));
    }
    if (rule.type == "jsonl" && rule.path.empty()) throw error(entry, "path", tr("missing; a jsonl sink needs the file to append to"));
    if (rule.type == "webhook" && rule.url.empty()) throw error(entry, "url", tr("missing; a webhook sink needs the URL to POST to"));
    return rule;
  }

  // The folder is checked now, not when the first alert is due.
  std::string jsonl_path(const toml::value& value) const {
    std::string path = string(value, "path");
    if (path.empty()) throw error(value, "path", tr("must not be empty"));
    const std::filesystem::path folder = std::filesystem::path(path).parent_path();
    std::error_code ignored;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ignored)) {
      throw error(value, "path", tr("the folder {} does not exist", folder.string()));
    }
    return path;
  }

  std::string url(const toml::value& value) const {
    std::string url = string(value, "url");
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      throw error(value, "url", tr("must start with http:// or https://"));
    }
    return url;
  }

  std::string name_;
};

}  // namespace

std::string_view to_string(Detector detector) { return kDetectorNames[static_cast<std::size_t>(detector)]; }

std::optional<Detector> parse_detector(std::string_view name) {
  for (std::size_t i = 0; i < kDetectorNames.size(); ++i) {
    if (kDetectorNames[i] == name) return static_cast<Detector>(i);
  }
  return std::nullopt;
}

Rules default_rules() {
  Rules rules;
  for (Detector detector : {Detector::negative_share, Detector::sentiment_score, Detector::volume,
                            Detector::aspect_negative, Detector::emerging_keyword}) {
    rules.detectors.push_back(rule_for(detector));
  }
  rules.sinks.push_back(SinkRule{});
  return rules;
}

Rules parse_rules(const std::string& text, const std::string& name) {
  std::istringstream input(text);
  toml::value root;
  try {
    root = toml::parse(input, name);
  } catch (const toml::syntax_error& error) {
    throw Error(tr("{}: invalid TOML: {}", name, error.what()));
  }
  return RulesParser(name).parse(root);
}

Rules load_rules(const std::string& path) {
  std::ifstream input(path, std::ios::binary);
  if (!input) throw Error(tr("cannot read rules file {}; check the path", path));
  std::stringstream buffer;
  buffer << input.rdbuf();
  return parse_rules(buffer.str(), path);
}

}  // namespace shopsight::detect
