// /metrics read line by line as a Prometheus text format (0.0.4) parser
// would: HELP and TYPE before samples, escaped label values, cumulative
// histogram buckets, and business values that match the stored items.

#include <chrono>
#include <cmath>
#include <map>
#include <regex>
#include <thread>
#include <sstream>

#include "serve/metrics.h"
#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

/// One sample line with its labels decoded.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// Everything a scrape returned.
struct Scrape {
  std::map<std::string, std::string> types;  ///< by family name
  std::map<std::string, std::string> helps;
  std::vector<Sample> samples;
};

// Reads a quoted label value starting after its opening quote; undoes the
// three escapes the format defines and rejects any other.
std::string read_label_value(const std::string& line, std::size_t& at) {
  std::string value;
  for (; at < line.size() && line[at] != '"'; ++at) {
    if (line[at] != '\\') {
      value += line[at];
      continue;
    }
    ++at;
    if (at >= line.size()) throw std::runtime_error("escape at end of line: " + line);
    if (line[at] == 'n') {
      value += '\n';
    } else if (line[at] == '\\' || line[at] == '"') {
      value += line[at];
    } else {
      throw std::runtime_error("unknown escape in: " + line);
    }
  }
  if (at >= line.size()) throw std::runtime_error("unterminated label value: " + line);
  ++at;
  return value;
}

Sample parse_sample(const std::string& line) {
  static const std::regex name_pattern("^[a-zA-Z_:][a-zA-Z0-9_:]*");
  std::smatch match;
  if (!std::regex_search(line, match, name_pattern)) throw std::runtime_error("no metric name: " + line);
  Sample sample;
  sample.name = match.str();
  std::size_t at = sample.name.size();
  if (at < line.size() && line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const std::size_t equals = line.find('=', at);
      if (equals == std::string::npos || line[equals + 1] != '"') throw std::runtime_error("bad label: " + line);
      const std::string label = line.substr(at, equals - at);
      at = equals + 2;
      sample.labels[label] = read_label_value(line, at);
      if (at < line.size() && line[at] == ',') ++at;
    }
    ++at;
  }
  if (at >= line.size() || line[at] != ' ') throw std::runtime_error("no space before the value: " + line);
  const std::string value = line.substr(at + 1);
  if (value == "+Inf") {
    sample.value = INFINITY;
  } else {
    std::size_t used = 0;
    sample.value = std::stod(value, &used);
    if (used != value.size()) throw std::runtime_error("bad value: " + line);
  }
  return sample;
}

// Family a sample belongs to: histogram samples carry a suffix.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string text = suffix;
    if (name.ends_with(text)) {
      const std::string base = name.substr(0, name.size() - text.size());
      if (types.count(base) && types.at(base) == "histogram") return base;
    }
  }
  return name;
}

Scrape parse_scrape(const std::string& text) {
  Scrape scrape;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.starts_with("# HELP ")) {
      const std::string rest = line.substr(7);
      scrape.helps[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      if (scrape.types.count(name)) throw std::runtime_error("TYPE repeated: " + line);
      scrape.types[name] = rest.substr(rest.find(' ') + 1);
      continue;
    }
    if (line.starts_with("#")) continue;
    Sample sample = parse_sample(line);
    const std::string family = family_of(sample.name, scrape.types);
    if (!scrape.types.count(family)) throw std::runtime_error("sample before its TYPE line: " + line);
    if (!scrape.helps.count(family)) throw std::runtime_error("sample before its HELP line: " + line);
    scrape.samples.push_back(std::move(sample));
  }
  return scrape;
}

// Value of the sample `name` whose labels include `labels`; NaN when absent.
double value_of(const Scrape& scrape, const std::string& name, const std::map<std::string, std::string>& labels = {}) {
  for (const Sample& sample : scrape.samples) {
    if (sample.name != name) continue;
    const bool matches = std::all_of(labels.begin(), labels.end(), [&](const auto& label) {
      const auto found = sample.labels.find(label.first);
      return found != sample.labels.end() && found->second == label.second;
    });
    if (matches) return sample.value;
  }
  return NAN;
}

class ServeMetrics : public ServeTest {
 protected:
  Scrape scrape() {
    const auto result = client_->Get("/metrics");
    if (!result || result->status != 200) throw std::runtime_error("GET /metrics failed");
    raw_ = result->body;
    content_type_ = result->get_header_value("Content-Type");
    return parse_scrape(result->body);
  }

  std::string raw_;
  std::string content_type_;
};

TEST_F(ServeMetrics, FormatParses) {
  ASSERT_EQ(post("/api/v1/analyze", json::array({{{"text", "很好"}}}))->status, 200);
  ASSERT_EQ(client_->Get("/api/v1/nothing")->status, 404);
  const Scrape parsed = scrape();
  EXPECT_NE(content_type_.find("version=0.0.4"), std::string::npos) << content_type_;
  EXPECT_FALSE(parsed.samples.empty());
  for (const auto& [name, type] : parsed.types) {
    EXPECT_TRUE(name.starts_with("shopsight_")) << name;
    EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << name << " " << type;
    if (type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
    EXPECT_FALSE(parsed.helps.at(name).empty()) << name;
  }
  EXPECT_EQ(parsed.types.at("shopsight_http_request_duration_seconds"), "histogram");
}

TEST_F(ServeMetrics, CountsRequestsAndItems) {
  ASSERT_EQ(post("/api/v1/analyze", json::array({{{"text", "很好"}}, {{"text", "很差"}}}))->status, 200);
  ASSERT_EQ(post("/api/v1/analyze", json::array({{{"id", "no text"}}}))->status, 400);
  ASSERT_EQ(client_->Get("/api/v1/products/P404")->status, 404);
  const Scrape parsed = scrape();
  EXPECT_EQ(value_of(parsed, "shopsight_items_analyzed_total"), 2);
  EXPECT_EQ(value_of(parsed, "shopsight_items_rejected_total"), 1);
  EXPECT_EQ(value_of(parsed, "shopsight_http_requests_total",
                     {{"method", "POST"}, {"route", "/api/v1/analyze"}, {"status", "200"}}),
            1);
  EXPECT_EQ(value_of(parsed, "shopsight_http_requests_total",
                     {{"method", "POST"}, {"route", "/api/v1/analyze"}, {"status", "400"}}),
            1);
  // The route template, not the path, so product ids do not become labels.
  EXPECT_EQ(value_of(parsed, "shopsight_http_requests_total", {{"route", "/api/v1/products/{id}"}, {"status", "404"}}),
            1);
  EXPECT_EQ(raw_.find("P404"), std::string::npos);
  EXPECT_EQ(value_of(parsed, "shopsight_analysis_duration_seconds_count"), 2);
}

TEST_F(ServeMetrics, HistogramBucketsCumulative) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client_->Get("/healthz")->status, 200);
  ASSERT_EQ(post("/api/v1/analyze", json::array({{{"text", "很好"}}}))->status, 200);
  const Scrape parsed = scrape();
  for (const auto& [family, type] : parsed.types) {
    if (type != "histogram") continue;
    // Buckets grouped by their labels other than le, in exposition order.
    std::map<std::string, std::vector<const Sample*>> series;
    for (const Sample& sample : parsed.samples) {
      if (sample.name != family + "_bucket") continue;
      std::map<std::string, std::string> key = sample.labels;
      key.erase("le");
      std::string text;
      for (const auto& [name, value] : key) text += name + "=" + value + ";";
      series[text].push_back(&sample);
    }
    ASSERT_FALSE(series.empty()) << family;
    for (const auto& [labels, buckets] : series) {
      ASSERT_EQ(buckets.back()->labels.at("le"), "+Inf") << family << " " << labels;
      double previous_bound = -INFINITY;
      double previous_count = 0;
      for (const Sample* bucket : buckets) {
        const double bound = bucket->labels.at("le") == "+Inf" ? INFINITY : std::stod(bucket->labels.at("le"));
        EXPECT_GT(bound, previous_bound) << family << " " << labels;
        EXPECT_GE(bucket->value, previous_count) << family << " " << labels;
        previous_bound = bound;
        previous_count = bucket->value;
      }
      std::map<std::string, std::string> plain = buckets.back()->labels;
      plain.erase("le");
      EXPECT_EQ(value_of(parsed, family + "_count", plain), buckets.back()->value) << family << " " << labels;
    }
  }
  EXPECT_GE(value_of(parsed, "shopsight_http_request_duration_seconds_count", {{"route", "/healthz"}}), 3);
}

TEST_F(ServeMetrics, BusinessSeriesFromStore) {
  const std::int64_t now = now_milliseconds();
  const json items = json::array({review("b1", "P1", "phones", "质量太差了，非常失望", now - 60000),
                                  review("b2", "P1", "phones", "质量很好，非常满意", now - 60000),
                                  review("b3", "P2", "shoes", "质量太差了，非常失望", now - 60000),
                                  review("b4", "P2", "shoes", "很差", now - 48 * 3600 * 1000)});
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);
  const Scrape parsed = scrape();
  EXPECT_EQ(value_of(parsed, "shopsight_store_items"), 4);
  EXPECT_EQ(value_of(parsed, "shopsight_items_ingested_total"), 4);
  EXPECT_EQ(value_of(parsed, "shopsight_metrics_window_seconds"), 24 * 3600);
  // b4 is older than the 24-hour window.
  EXPECT_EQ(value_of(parsed, "shopsight_category_items", {{"category", "phones"}}), 2);
  EXPECT_EQ(value_of(parsed, "shopsight_category_items", {{"category", "shoes"}}), 1);
  EXPECT_EQ(value_of(parsed, "shopsight_product_negative_ratio", {{"product", "P2"}}), 1.0);
  EXPECT_EQ(value_of(parsed, "shopsight_product_negative_ratio", {{"product", "P1"}}), 0.5);
  EXPECT_TRUE(parsed.types.count("shopsight_aspect_negative_ratio"));
  EXPECT_GE(value_of(parsed, "shopsight_aspect_mentions", {{"aspect", "quality"}}), 1) << raw_;
}

TEST_F(ServeMetrics, LabelValuesEscaped) {
  const std::string product = "P\"1\\x\ny";
  const json items = json::array({review("e1", product, "phones", "质量很好", now_milliseconds())});
  ASSERT_EQ(post("/api/v1/items", items)->status, 200);
  const Scrape parsed = scrape();
  EXPECT_NE(raw_.find("product=\"P\\\"1\\\\x\\ny\""), std::string::npos) << raw_;
  EXPECT_EQ(value_of(parsed, "shopsight_product_items", {{"product", product}}), 1);
}

TEST_F(ServeMetrics, UnknownMethodsShareOneLabel) {
  // Requests with made-up methods, as any client can send without a token.
  for (const std::string method : {"QWXK", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"}) {
    httplib::Client other("127.0.0.1", server_->port());
    httplib::Request request;
    request.method = method;
    request.path = "/x";
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    other.send(request, response, error);
  }
  // The server counts a request after sending its response, on another
  // connection here, so the scrape waits for both.
  Scrape parsed;
  for (int attempt = 0; attempt < 50; ++attempt) {
    parsed = scrape();
    double others = 0;
    for (const Sample& sample : parsed.samples) {
      if (sample.name == "shopsight_http_requests_total" && sample.labels.at("method") == "other") others += sample.value;
    }
    if (others >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double others = 0;
  for (const Sample& sample : parsed.samples) {
    if (sample.name != "shopsight_http_requests_total") continue;
    const std::string& method = sample.labels.at("method");
    EXPECT_TRUE(method == "GET" || method == "POST" || method == "other") << method;
    if (method == "other") others += sample.value;
  }
  EXPECT_EQ(others, 2) << raw_;
  EXPECT_EQ(raw_.find("QWXK"), std::string::npos);
}

TEST(ServeExposition, MethodLabelBounded) {
  EXPECT_EQ(method_label("GET"), "GET");
  EXPECT_EQ(method_label("PATCH"), "PATCH");
  EXPECT_EQ(method_label("get"), "other");
  EXPECT_EQ(method_label(std::string(5000, 'Q')), "other");
  EXPECT_EQ(method_label(""), "other");
}

TEST(ServeExposition, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_label_value("手机"), "手机");
}

}  // namespace
}  // namespace shopsight::serve
