// Topic discovery: vectors, the similarity graph, Chinese Whispers, c-TF-IDF
// keywords, snippets and the timeline.

#include "topics/topics.h"

#include <dlib/clustering.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"
#include "model/model.h"
#include "text/text.h"
#include "topics/vectors.h"

namespace shopsight {
namespace {

// Chinese Whispers passes over the graph. Each pass is linear in the edges,
// so 50 passes cost little next to the neighbour search.
constexpr unsigned long kWhisperPasses = 50;

constexpr std::int64_t kMillisecondsPerDay = 86'400'000;

// Spans longer than this are counted per week, so a timeline stays readable.
constexpr std::int64_t kMaxDailyPeriods = 62;

bool is_han(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0xF900 && c <= 0xFAFF);
}

// A keyword must name something: two or more ideographs, or three or more
// letters. Single ideographs are mostly particles or fragments of the
// segmentation, and a negation alone does not describe a topic.
bool is_keyword(const Token& token) {
  if (!token.is_word || is_stop_word(token.text)) return false;
  static const std::unordered_set<std::string_view> kNegations = {"没有", "不是", "not", "never", "don't"};
  if (kNegations.contains(token.text)) return false;
  std::size_t han = 0;
  std::size_t letters = 0;
  for (const char32_t c : utf8::decode(token.text)) {
    if (is_han(c)) {
      ++han;
    } else if ((c >= U'a' && c <= U'z') || c > 0x7F) {
      ++letters;
    }
  }
  if (han > 0) return han >= 2;
  return letters >= 3;
}

int worker_count(int threads) {
  return threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Runs `work(i)` for i in [0, count) on `threads` threads, reporting progress as `step`.
template <typename Work>
void parallel_for(std::size_t count, int threads, const TopicOptions& options, const std::string& step,
                  const Work& work) {
  std::atomic<long long> done{0};
  const auto workers = static_cast<std::size_t>(worker_count(threads));
  std::vector<std::thread> pool;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    pool.emplace_back([&, worker] {
      for (std::size_t i = worker; i < count; i += workers) {
        work(i);
        ++done;
      }
    });
  }
  const auto total = static_cast<long long>(count);
  while (options.progress && done.load() < total) {
    options.progress(step, done.load(), total);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (std::thread& thread : pool) thread.join();
  if (options.progress) options.progress(step, total, total);
}

std::vector<Document> make_documents(const std::vector<TopicItem>& items, const TopicOptions& options) {
  const Normalizer normalizer;
  std::vector<Document> documents(items.size());
  parallel_for(items.size(), options.threads, options, tr("normalizing"),
               [&](std::size_t i) { documents[i] = make_document(normalizer, items[i].text); });
  return documents;
}

// Keeps the edges whose two ends are among each other's k nearest
// neighbours: a review with no mutual neighbour stays unlinked, which is how
// off-topic reviews end up as noise instead of joining a large cluster.
// Identical reviews always link: among many copies, ties leave most of them
// outside each other's k nearest, and a repeated review is not noise.
std::vector<dlib::sample_pair> mutual_edges(const std::vector<std::vector<Neighbour>>& neighbours) {
  constexpr double kIdentical = 1.0 - 1e-6;
  std::vector<std::unordered_set<std::size_t>> lookup(neighbours.size());
  for (std::size_t i = 0; i < neighbours.size(); ++i) {
    for (const Neighbour& neighbour : neighbours[i]) lookup[i].insert(neighbour.index);
  }
  std::vector<dlib::sample_pair> edges;
  for (std::size_t i = 0; i < neighbours.size(); ++i) {
    for (const Neighbour& neighbour : neighbours[i]) {
      const bool mutual = lookup[neighbour.index].contains(i);
      const bool identical = neighbour.similarity >= kIdentical;
      if ((mutual && neighbour.index > i) || (identical && !mutual)) {
        edges.emplace_back(i, neighbour.index, neighbour.similarity);
      }
    }
  }
  return edges;
}

// Any word at all, for topics whose reviews contain no keyword: "好" and
// "东西好" are whole reviews, and their words still name what they share.
bool is_any_word(const Token& token) {
  return token.is_word &&
         !std::all_of(token.text.begin(), token.text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// c-TF-IDF: weight(t, c) = tf(t, c) * log(1 + A / f(t)), with tf(t, c) the
// count of term t in class c, f(t) its count over all classes and A the
// average number of terms per class. The noise class takes part, so words
// common everywhere score low in every topic. Only the tokens that `accept`
// passes are counted. Returns the keywords of each topic, heaviest first.
template <typename Accept>
std::vector<std::vector<TopicKeyword>> score_keywords(const std::vector<Document>& documents, const TopicResult& result,
                                                      int keyword_count, const Accept& accept) {
  const std::size_t classes = result.topics.size() + 1;
  std::vector<std::unordered_map<std::string, double>> term_counts(classes);
  std::vector<std::unordered_map<std::string, std::int64_t>> document_counts(classes);
  std::unordered_map<std::string, double> total_counts;
  double all_terms = 0;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const int topic = result.assignment[i];
    const std::size_t c = topic > 0 ? static_cast<std::size_t>(topic - 1) : classes - 1;
    std::unordered_set<std::string> seen;
    for (const Token& token : documents[i].tokens) {
      if (!accept(token)) continue;
      term_counts[c][token.text] += 1;
      total_counts[token.text] += 1;
      all_terms += 1;
      if (seen.insert(token.text).second) ++document_counts[c][token.text];
    }
  }
  const double average = all_terms / static_cast<double>(classes);

  std::vector<std::vector<TopicKeyword>> keywords(classes - 1);
  for (std::size_t c = 0; c + 1 < classes; ++c) {
    // A word of one review is an accident of that review, not a theme.
    const auto min_documents = std::max<std::int64_t>(
        2, static_cast<std::int64_t>(std::ceil(0.05 * static_cast<double>(result.topics[c].members.size()))));
    std::vector<TopicKeyword>& scored = keywords[c];
    for (const auto& [term, count] : term_counts[c]) {
      if (document_counts[c][term] < min_documents) continue;
      scored.push_back({term, count * std::log(1.0 + average / total_counts[term])});
    }
    std::sort(scored.begin(), scored.end(), [](const TopicKeyword& a, const TopicKeyword& b) {
      return a.weight != b.weight ? a.weight > b.weight : a.word < b.word;
    });
    if (scored.size() > static_cast<std::size_t>(keyword_count)) scored.resize(static_cast<std::size_t>(keyword_count));
  }
  return keywords;
}

// Keywords are distinctive words. A topic without any, because its reviews
// are "好", "东西好" and the like, takes the heaviest of all its words, so
// that no topic is shown without a name.
void pick_keywords(const std::vector<Document>& documents, TopicResult& result, int keyword_count) {
  std::vector<std::vector<TopicKeyword>> keywords = score_keywords(documents, result, keyword_count, is_keyword);
  std::vector<std::vector<TopicKeyword>> fallback;
  for (std::size_t c = 0; c < keywords.size(); ++c) {
    if (keywords[c].empty()) {
      if (fallback.empty()) fallback = score_keywords(documents, result, keyword_count, is_any_word);
      keywords[c] = std::move(fallback[c]);
    }
    result.topics[c].keywords = std::move(keywords[c]);
  }
}

// The review as a reader saw it (no tags, personal data masked), on one
// line and cut to `length` code points.
std::string make_snippet(const std::string& text, int length) {
  const std::vector<char32_t> shown = utf8::decode(readable_text(text));
  std::string out;
  const std::size_t keep = std::min(shown.size(), static_cast<std::size_t>(std::max(1, length)));
  for (std::size_t i = 0; i < keep; ++i) utf8::append(out, shown[i]);
  if (keep < shown.size()) utf8::append(out, U'…');
  return out;
}

// Snippets are the distinct reviews most similar to the topic's centre.
void pick_snippets(const std::vector<TopicItem>& items, const ReviewVectors& vectors, TopicResult& result,
                   const TopicOptions& options) {
  for (Topic& topic : result.topics) {
    const std::vector<double> similarity = vectors.similarity_to_centre(topic.members);
    std::vector<std::size_t> order(topic.members.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return similarity[a] > similarity[b]; });
    std::unordered_set<std::string> seen;
    for (std::size_t k : order) {
      if (topic.snippets.size() >= static_cast<std::size_t>(options.snippets)) break;
      std::string snippet = make_snippet(items[topic.members[k]].text, options.snippet_length);
      if (!snippet.empty() && seen.insert(snippet).second) topic.snippets.push_back(std::move(snippet));
    }
  }
}

std::int64_t floor_div(std::int64_t value, std::int64_t divisor) {
  return value / divisor - (value % divisor != 0 && (value < 0) != (divisor < 0) ? 1 : 0);
}

std::string format_day(std::int64_t day) {
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  const std::int64_t z = day + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

// Counts per day of the options' time zone, or per week starting on Monday
// when the span is long.
void build_timeline(const std::vector<TopicItem>& items, const TopicOptions& options, TopicResult& result) {
  const auto day_of = [&](std::int64_t time) {
    return options.local_day ? options.local_day(time) : floor_div(time, kMillisecondsPerDay);
  };
  result.timezone = options.timezone;
  std::optional<std::int64_t> first, last;
  for (const TopicItem& item : items) {
    if (!item.time) {
      ++result.items_without_time;
      continue;
    }
    const std::int64_t day = day_of(*item.time);
    first = first ? std::min(*first, day) : day;
    last = last ? std::max(*last, day) : day;
  }
  if (!first) return;

  const bool weekly = *last - *first + 1 > kMaxDailyPeriods;
  result.period = weekly ? "week" : "day";
  // 1970-01-01 was a Thursday, so Monday-based weeks start 3 days earlier.
  const auto period_of = [&](std::int64_t day) { return weekly ? floor_div(day + 3, 7) : day; };
  const auto first_day_of = [&](std::int64_t period) { return weekly ? period * 7 - 3 : period; };
  const std::int64_t first_period = period_of(*first);
  const std::int64_t count = period_of(*last) - first_period + 1;
  for (std::int64_t p = 0; p < count; ++p) result.periods.push_back(format_day(first_day_of(first_period + p)));

  for (Topic& topic : result.topics) topic.timeline.assign(static_cast<std::size_t>(count), 0);
  result.noise_timeline.assign(static_cast<std::size_t>(count), 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].time) continue;
    const auto slot = static_cast<std::size_t>(period_of(day_of(*items[i].time)) - first_period);
    const int topic = result.assignment[i];
    if (topic > 0) {
      ++result.topics[static_cast<std::size_t>(topic - 1)].timeline[slot];
    } else {
      ++result.noise_timeline[slot];
    }
  }
}

// Turns Chinese Whispers labels into topics: clusters of at least
// min_topic_size reviews, largest first, at most max_topics of them.
void assign_topics(const std::vector<unsigned long>& labels, std::size_t item_count, const TopicOptions& options,
                   TopicResult& result) {
  std::map<unsigned long, std::vector<std::size_t>> clusters;
  for (std::size_t i = 0; i < labels.size(); ++i) clusters[labels[i]].push_back(i);
  std::vector<std::vector<std::size_t>> sorted;
  for (auto& [label, members] : clusters) {
    if (members.size() >= static_cast<std::size_t>(options.min_topic_size)) sorted.push_back(std::move(members));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  if (sorted.size() > static_cast<std::size_t>(options.max_topics)) {
    spdlog::info("{}", tr("{} clusters are large enough; the reviews of the {} smallest count as noise because of "
                          "--max-topics {}",
                          sorted.size(), sorted.size() - static_cast<std::size_t>(options.max_topics),
                          options.max_topics));
    sorted.resize(static_cast<std::size_t>(options.max_topics));
  }

  result.assignment.assign(item_count, -1);
  for (std::size_t t = 0; t < sorted.size(); ++t) {
    Topic topic;
    topic.id = static_cast<int>(t + 1);
    topic.members = std::move(sorted[t]);
    for (std::size_t member : topic.members) result.assignment[member] = topic.id;
    result.topics.push_back(std::move(topic));
  }
  for (std::size_t i = 0; i < item_count; ++i) {
    if (result.assignment[i] < 0) result.noise.push_back(i);
  }
}

// With the automatic threshold, a graph whose largest cluster contains more
// than this share of the reviews is built again at the next threshold. Long
// reviews of one domain (English clothing reviews) share so many words that
// at a similarity of 0.1 one cluster took 99 % of them, while the largest
// cluster of 5,000 Chinese shop reviews held 12 %. Half lets two equal
// themes stay whole.
constexpr double kMaxClusterShare = 0.5;

// Edge thresholds to try, lowest first: the one given, or for TF-IDF
// vectors 0.1 to 0.3 in steps of 0.05. Embeddings keep 0.
// TODO: real embedding models put unrelated reviews well above 0, so they
// may need steps of their own; only random-weight test models were at hand.
std::vector<double> similarity_thresholds(const TopicOptions& options, const std::string& vectors) {
  if (options.min_similarity >= 0) return {options.min_similarity};
  if (vectors != "tf-idf") return {0.0};
  return {0.1, 0.15, 0.2, 0.25, 0.3};
}

// Drops the neighbours whose similarity is below `min_similarity`.
void cut_neighbours(std::vector<std::vector<Neighbour>>& neighbours, double min_similarity) {
  for (std::vector<Neighbour>& list : neighbours) {
    std::erase_if(list, [&](const Neighbour& neighbour) { return neighbour.similarity < min_similarity; });
  }
}

// Share of all reviews in the largest cluster of `labels`.
double largest_cluster_share(const std::vector<unsigned long>& labels, std::size_t reviews) {
  if (reviews == 0 || labels.empty()) return 0.0;
  std::unordered_map<unsigned long, std::size_t> sizes;
  std::size_t largest = 0;
  for (const unsigned long label : labels) largest = std::max(largest, ++sizes[label]);
  return static_cast<double>(largest) / static_cast<double>(reviews);
}

void check_options(const TopicOptions& options) {
  if (options.min_topic_size < 2) {
    throw Error(tr("--min-topic-size is {} but must be at least 2", options.min_topic_size));
  }
  if (options.max_topics < 1) throw Error(tr("--max-topics is {} but must be at least 1", options.max_topics));
  if (options.neighbours < 0) throw Error(tr("--neighbours is {} but must be 0 (automatic) or more", options.neighbours));
  // Written so that NaN fails too: every comparison with NaN is false.
  const bool automatic_similarity = options.min_similarity < 0;
  if (!automatic_similarity && !(options.min_similarity >= 0 && options.min_similarity <= 1)) {
    throw Error(tr("--min-similarity is {} but must be between 0 and 1", options.min_similarity));
  }
}

}  // namespace

TopicResult discover_topics(const std::vector<TopicItem>& items, const TopicOptions& options) {
  check_options(options);
  TopicResult result;
  result.items = items.size();
  const std::vector<Document> documents = make_documents(items, options);

  // Vectors: embeddings when a model is given, else TF-IDF of the segmented words.
  std::unique_ptr<ReviewVectors> vectors;
  if (options.embedding_model.empty()) {
    vectors = make_tfidf_vectors(documents);
    result.vectors = "tf-idf";
  } else {
    vectors = make_embedding_vectors(documents, options);
    result.vectors = "embedding";
  }

  // The graph: k grows with the square root of the review count, so larger
  // inputs hold larger topics together; 1.5 and [5, 20] were tuned on the
  // test themes and on 5,000 Chinese shop reviews.
  const auto automatic = static_cast<int>(std::lround(1.5 * std::sqrt(static_cast<double>(items.size()))));
  result.neighbours = options.neighbours > 0 ? options.neighbours : std::clamp(automatic, 5, 20);
  // Neighbours are found once at the lowest threshold tried. A top-k list
  // cut at a higher threshold is the top-k list at that threshold, so each
  // later try only filters it.
  const std::vector<double> thresholds = similarity_thresholds(options, result.vectors);
  std::vector<std::vector<Neighbour>> neighbours(items.size());
  parallel_for(items.size(), options.threads, options, tr("finding neighbours"), [&](std::size_t i) {
    neighbours[i] = vectors->nearest(i, static_cast<std::size_t>(result.neighbours), thresholds.front());
  });

  // Chinese Whispers finds the number of clusters itself; reviews without an
  // edge are outside its labels and become noise.
  std::vector<unsigned long> labels;
  for (std::size_t attempt = 0; attempt < thresholds.size(); ++attempt) {
    result.min_similarity = thresholds[attempt];
    if (attempt > 0) cut_neighbours(neighbours, result.min_similarity);
    const std::vector<dlib::sample_pair> edges = mutual_edges(neighbours);
    labels.clear();
    if (!edges.empty()) {
      dlib::rand random(std::to_string(options.seed));
      dlib::chinese_whispers(edges, labels, kWhisperPasses, random);
    }
    const double largest = largest_cluster_share(labels, items.size());
    spdlog::debug("topic graph at similarity {}: {} reviews, {} mutual edges, largest cluster {:.0f} %",
                  result.min_similarity, items.size(), edges.size(), 100 * largest);
    if (largest <= kMaxClusterShare) break;
  }
  assign_topics(labels, items.size(), options, result);

  pick_keywords(documents, result, options.keywords);
  pick_snippets(items, *vectors, result, options);
  build_timeline(items, options, result);
  return result;
}

}  // namespace shopsight
