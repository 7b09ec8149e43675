#include "model/linear_part.h"

#include <linear.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::model {
namespace {

// The C search starts here and doubles. With these L2-normalized features the
// held-out macro-F1 of the shipped data sets peaked between C = 1/4 and 2.
constexpr double kFirstC = 1.0 / 16;

// Rounds without a better dev macro-F1 before the C search stops.
constexpr int kPatience = 2;

// Dev macro-F1 differences below this are treated as noise when choosing C.
constexpr double kTolerance = 0.001;

// Added to the naive Bayes log-count ratio so that a feature with no
// preference between labels still counts a little.
constexpr double kRatioFloor = 0.1;

// Platt scaling fits only two parameters, so the regularization of
// LIBLINEAR's logistic regression is kept negligible.
constexpr double kPlattC = 100.0;

void discard_liblinear_output(const char*) {}

std::once_flag g_quiet_once;

using SparseRow = std::vector<FeatureCount>;

std::vector<SparseRow> extract_all(const std::vector<LabelledDocument>& rows, const FeatureConfig& config,
                                   int threads) {
  std::vector<SparseRow> out(rows.size());
  const std::size_t workers = std::max(1, std::min<int>(threads, static_cast<int>(rows.size() / 256 + 1)));
  std::vector<std::thread> pool;
  for (std::size_t worker = 0; worker < workers; ++worker) {
    pool.emplace_back([&, worker] {
      for (std::size_t i = worker; i < rows.size(); i += workers) out[i] = extract_features(*rows[i].document, config);
    });
  }
  for (std::thread& thread : pool) thread.join();
  return out;
}

// IDF (scikit-learn's smoothed form) times the naive Bayes log-count ratio
// of Wang and Manning (2012), taking for each bucket the largest absolute
// one-versus-rest ratio so that the same scaling works for any label count.
std::vector<float> compute_scale(const std::vector<SparseRow>& rows, const std::vector<int>& classes_of_rows,
                                 int class_count, const FeatureConfig& config) {
  const std::uint32_t buckets = config.buckets();
  std::vector<std::uint32_t> df(buckets, 0);
  std::vector<std::vector<std::uint32_t>> class_df(static_cast<std::size_t>(class_count),
                                                   std::vector<std::uint32_t>(buckets, 0));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& counts = class_df[static_cast<std::size_t>(classes_of_rows[i])];
    for (const FeatureCount& feature : rows[i]) {
      ++df[feature.bucket];
      ++counts[feature.bucket];
    }
  }

  std::vector<float> scale(buckets, 0.0f);
  const double n = static_cast<double>(rows.size());
  const auto kept = [&](std::uint32_t bucket) { return df[bucket] >= static_cast<std::uint32_t>(config.min_df); };

  // Smoothed totals per class over the kept buckets, for the normalized ratio.
  std::vector<double> class_total(static_cast<std::size_t>(class_count), 0.0);
  double all_total = 0;
  for (std::uint32_t bucket = 0; bucket < buckets; ++bucket) {
    if (!kept(bucket)) continue;
    for (int c = 0; c < class_count; ++c) class_total[static_cast<std::size_t>(c)] += class_df[static_cast<std::size_t>(c)][bucket] + 1.0;
    all_total += df[bucket] + class_count;
  }

  for (std::uint32_t bucket = 0; bucket < buckets; ++bucket) {
    if (!kept(bucket)) continue;
    const double idf = std::log((1.0 + n) / (1.0 + df[bucket])) + 1.0;
    double ratio = 1.0;
    if (config.naive_bayes && class_count >= 2) {
      double largest = 0;
      for (int c = 0; c < class_count; ++c) {
        const double in_class = class_df[static_cast<std::size_t>(c)][bucket] + 1.0;
        const double rest = df[bucket] + class_count - in_class;
        const double rest_total = all_total - class_total[static_cast<std::size_t>(c)];
        largest = std::max(largest, std::abs(std::log((in_class / class_total[static_cast<std::size_t>(c)]) /
                                                      (rest / rest_total))));
      }
      ratio = largest + kRatioFloor;
    }
    scale[bucket] = static_cast<float>(idf * ratio);
  }
  return scale;
}

// LIBLINEAR's input: 1-based feature indices over the kept buckets, with the
// bias as the last feature of every row.
struct Problem {
  std::vector<feature_node> nodes;
  std::vector<std::size_t> row_start;
  std::vector<feature_node*> rows;
  std::vector<double> y;
  int feature_count = 0;
  problem liblinear{};
};

std::vector<std::int32_t> compact_indices(const std::vector<float>& scale, int& feature_count) {
  std::vector<std::int32_t> index(scale.size(), 0);
  feature_count = 0;
  for (std::size_t bucket = 0; bucket < scale.size(); ++bucket) {
    if (scale[bucket] > 0) index[bucket] = ++feature_count;
  }
  return index;
}

void append_row(const SparseRow& row, const std::vector<float>& scale, const std::vector<std::int32_t>& index,
                int feature_count, std::vector<feature_node>& nodes) {
  const std::size_t first = nodes.size();
  double norm = 0;
  for (const FeatureCount& feature : row) {
    const float s = scale[feature.bucket];
    if (s <= 0) continue;
    const double value = (1.0 + std::log(static_cast<double>(feature.count))) * s;
    nodes.push_back({index[feature.bucket], value});
    norm += value * value;
  }
  const double inverse = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
  for (std::size_t i = first; i < nodes.size(); ++i) nodes[i].value *= inverse;
  nodes.push_back({feature_count + 1, 1.0});
  nodes.push_back({-1, 0.0});
}

void build_problem(const std::vector<SparseRow>& rows, const std::vector<int>& classes_of_rows,
                   const std::vector<float>& scale, Problem& out) {
  const std::vector<std::int32_t> index = compact_indices(scale, out.feature_count);
  out.nodes.clear();
  out.row_start.clear();
  for (const SparseRow& row : rows) {
    out.row_start.push_back(out.nodes.size());
    append_row(row, scale, index, out.feature_count, out.nodes);
  }
  out.rows.clear();
  for (std::size_t start : out.row_start) out.rows.push_back(out.nodes.data() + start);
  out.y.assign(classes_of_rows.begin(), classes_of_rows.end());
  out.liblinear.l = static_cast<int>(rows.size());
  out.liblinear.n = out.feature_count + 1;
  out.liblinear.y = out.y.data();
  out.liblinear.x = out.rows.data();
  out.liblinear.bias = 1.0;
}

struct ModelDeleter {
  void operator()(::model* pointer) const { free_and_destroy_model(&pointer); }
};
using ModelPtr = std::unique_ptr<::model, ModelDeleter>;

// Scores of one row under a LIBLINEAR model, per part class.
void row_scores(const ::model& trained, const feature_node* row, int class_count, std::vector<double>& out) {
  const int vectors = class_count == 2 ? 1 : class_count;
  std::vector<double> values(static_cast<std::size_t>(vectors), 0.0);
  predict_values(&trained, row, values.data());
  out.assign(static_cast<std::size_t>(vectors), 0.0);
  if (class_count == 2) {
    // LIBLINEAR's single value favours label[0]; the part's favours class 0.
    out[0] = trained.label[0] == 0 ? values[0] : -values[0];
    return;
  }
  for (int i = 0; i < vectors; ++i) out[static_cast<std::size_t>(trained.label[i])] = values[static_cast<std::size_t>(i)];
}

// LIBLINEAR's dual solver shuffles with rand(), so seeding it before each run
// makes a part's weights independent of what was trained before it.
ModelPtr fit(const Problem& data, double c, const std::vector<double>& class_weights, unsigned seed) {
  std::vector<int> weight_labels(class_weights.size());
  std::iota(weight_labels.begin(), weight_labels.end(), 0);
  std::vector<double> weights = class_weights;
  parameter param{};
  param.solver_type = L2R_L2LOSS_SVC_DUAL;
  param.eps = 0.01;
  param.C = c;
  param.nr_weight = static_cast<int>(weights.size());
  param.weight_label = weight_labels.data();
  param.weight = weights.data();
  param.p = 0.1;
  param.init_sol = nullptr;
  if (const char* problem_text = check_parameter(&data.liblinear, &param)) {
    throw Error(tr("training failed: {}", problem_text));
  }
  std::srand(seed);
  return ModelPtr(::train(&data.liblinear, &param));
}

double macro_f1_of(const std::vector<int>& gold, const std::vector<int>& predicted, int class_count) {
  std::vector<double> tp(static_cast<std::size_t>(class_count)), fp(tp), fn(tp);
  for (std::size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] == predicted[i]) {
      tp[static_cast<std::size_t>(gold[i])] += 1;
    } else {
      fp[static_cast<std::size_t>(predicted[i])] += 1;
      fn[static_cast<std::size_t>(gold[i])] += 1;
    }
  }
  double sum = 0;
  for (std::size_t c = 0; c < tp.size(); ++c) {
    const double denominator = 2 * tp[c] + fp[c] + fn[c];
    sum += denominator > 0 ? 2 * tp[c] / denominator : 0.0;
  }
  return sum / class_count;
}

int argmax_class(const LinearPart& part, const std::vector<double>& scores) {
  if (part.classes.size() == 2) return scores[0] > 0 ? 0 : 1;
  return static_cast<int>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

// Platt scaling: a one-feature logistic regression from score to P(class 0), fitted by LIBLINEAR.
void fit_platt(const std::vector<double>& scores, const std::vector<int>& gold, LinearPart& part) {
  std::vector<feature_node> nodes;
  for (double score : scores) {
    nodes.push_back({1, score});
    nodes.push_back({2, 1.0});
    nodes.push_back({-1, 0.0});
  }
  std::vector<feature_node*> rows;
  std::vector<double> y;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    rows.push_back(nodes.data() + 3 * i);
    y.push_back(gold[i] == 0 ? 1.0 : 0.0);
  }
  problem data{static_cast<int>(scores.size()), 2, y.data(), rows.data(), 1.0};
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = 0.001;
  param.C = kPlattC;
  ModelPtr trained(::train(&data, &param));
  if (trained->nr_class != 2) return;
  const double sign = trained->label[0] == 1 ? 1.0 : -1.0;
  part.platt_a = static_cast<float>(sign * trained->w[0]);
  part.platt_b = static_cast<float>(sign * trained->w[1]);
}

double negative_log_likelihood(const LinearPart& part, const std::vector<std::vector<double>>& scores,
                               const std::vector<int>& gold) {
  double total = 0;
  std::vector<double> probabilities;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    part.probabilities(scores[i], probabilities);
    total -= std::log(std::max(probabilities[static_cast<std::size_t>(gold[i])], 1e-12));
  }
  return total;
}

// Temperature scaling for more than two classes: a golden-section search of
// log(temperature), because the likelihood is unimodal in it.
void fit_temperature(const std::vector<std::vector<double>>& scores, const std::vector<int>& gold,
                     LinearPart& part) {
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double low = std::log(0.01);
  double high = std::log(100.0);
  const auto loss = [&](double log_t) {
    part.temperature = static_cast<float>(std::exp(log_t));
    return negative_log_likelihood(part, scores, gold);
  };
  for (int step = 0; step < 60; ++step) {
    const double a = high - golden * (high - low);
    const double b = low + golden * (high - low);
    if (loss(a) < loss(b)) {
      high = b;
    } else {
      low = a;
    }
  }
  part.temperature = static_cast<float>(std::exp((low + high) / 2));
}

void measure(const LinearPart& part, const std::vector<std::vector<double>>& scores, const std::vector<int>& gold,
             PartFigures& figures) {
  constexpr int kBins = 10;
  std::vector<double> bin_count(kBins, 0), bin_confidence(kBins, 0), bin_correct(kBins, 0);
  std::vector<int> predicted;
  std::vector<double> probabilities;
  double brier = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    part.probabilities(scores[i], probabilities);
    const auto best = static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) -
                                       probabilities.begin());
    predicted.push_back(best);
    for (std::size_t c = 0; c < probabilities.size(); ++c) {
      const double target = static_cast<int>(c) == gold[i] ? 1.0 : 0.0;
      brier += (probabilities[c] - target) * (probabilities[c] - target);
    }
    const double confidence = probabilities[static_cast<std::size_t>(best)];
    const int bin = std::min(kBins - 1, static_cast<int>(confidence * kBins));
    bin_count[static_cast<std::size_t>(bin)] += 1;
    bin_confidence[static_cast<std::size_t>(bin)] += confidence;
    bin_correct[static_cast<std::size_t>(bin)] += best == gold[i] ? 1.0 : 0.0;
  }
  const double n = static_cast<double>(std::max<std::size_t>(scores.size(), 1));
  double ece = 0;
  for (int b = 0; b < kBins; ++b) {
    ece += std::abs(bin_confidence[static_cast<std::size_t>(b)] - bin_correct[static_cast<std::size_t>(b)]) / n;
  }
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) correct += predicted[i] == gold[i] ? 1 : 0;
  figures.accuracy = static_cast<double>(correct) / n;
  figures.macro_f1 = macro_f1_of(gold, predicted, static_cast<int>(part.classes.size()));
  figures.ece = ece;
  figures.brier = brier / n;
}

// Splits off a seeded, stratified share of the rows as dev rows.
void hold_out(const std::vector<LabelledDocument>& rows, double fraction, unsigned seed,
              std::vector<LabelledDocument>& train, std::vector<LabelledDocument>& dev) {
  std::map<int, std::vector<std::size_t>> by_label;
  for (std::size_t i = 0; i < rows.size(); ++i) by_label[rows[i].label].push_back(i);
  std::mt19937 generator(seed);
  std::vector<bool> is_dev(rows.size(), false);
  for (auto& [label, indices] : by_label) {
    std::shuffle(indices.begin(), indices.end(), generator);
    // A label with a single row stays in training so that it can be learned at all.
    const auto take = indices.size() < 2 ? std::size_t{0}
                                         : static_cast<std::size_t>(std::lround(fraction * static_cast<double>(indices.size())));
    for (std::size_t k = 0; k < take; ++k) is_dev[indices[k]] = true;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) (is_dev[i] ? dev : train).push_back(rows[i]);
}

struct Classes {
  std::vector<int> model_labels;          ///< part class -> model label index
  std::map<int, int> part_class;          ///< model label index -> part class
};

Classes classes_of(const std::vector<LabelledDocument>& rows) {
  Classes classes;
  for (const LabelledDocument& row : rows) classes.part_class.emplace(row.label, 0);
  for (auto& [label, part_class] : classes.part_class) {
    part_class = static_cast<int>(classes.model_labels.size());
    classes.model_labels.push_back(label);
  }
  return classes;
}

std::vector<int> part_classes(const std::vector<LabelledDocument>& rows, const Classes& classes) {
  std::vector<int> out;
  for (const LabelledDocument& row : rows) {
    const auto found = classes.part_class.find(row.label);
    // Dev labels never seen in training cannot be predicted; they count as errors against class 0.
    out.push_back(found == classes.part_class.end() ? -1 : found->second);
  }
  return out;
}

// "Balanced" class weights as in scikit-learn: n / (classes * rows of the class).
std::vector<double> balanced_weights(const std::vector<int>& classes_of_rows, int class_count) {
  std::vector<double> counts(static_cast<std::size_t>(class_count), 0.0);
  for (int c : classes_of_rows) counts[static_cast<std::size_t>(c)] += 1;
  std::vector<double> weights;
  for (double count : counts) {
    weights.push_back(count > 0 ? static_cast<double>(classes_of_rows.size()) / (class_count * count) : 1.0);
  }
  return weights;
}

void copy_weights(const ::model& trained, const std::vector<float>& scale, int class_count, LinearPart& part) {
  const int vectors = class_count == 2 ? 1 : class_count;
  part.weights.assign(static_cast<std::size_t>(vectors), std::vector<float>(scale.size(), 0.0f));
  part.bias.assign(static_cast<std::size_t>(vectors), 0.0f);
  const int features = trained.nr_feature;  // without the bias feature
  for (int v = 0; v < vectors; ++v) {
    const int target = class_count == 2 ? 0 : trained.label[v];
    const double sign = class_count == 2 && trained.label[0] != 0 ? -1.0 : 1.0;
    auto& weights = part.weights[static_cast<std::size_t>(target)];
    int feature = 0;
    for (std::size_t bucket = 0; bucket < scale.size(); ++bucket) {
      if (scale[bucket] <= 0) continue;
      weights[bucket] = static_cast<float>(sign * trained.w[static_cast<std::size_t>(feature) * static_cast<std::size_t>(vectors) + static_cast<std::size_t>(v)]);
      ++feature;
    }
    part.bias[static_cast<std::size_t>(target)] = static_cast<float>(
        sign * trained.w[static_cast<std::size_t>(features) * static_cast<std::size_t>(vectors) + static_cast<std::size_t>(v)]);
  }
}

}  // namespace

void LinearPart::scores(const Document& document, std::vector<double>& out) const {
  thread_local std::vector<FeatureCount> features;
  extract_features(document, config, features);

  // First find every row and prefetch it, so that the cache misses on the
  // rows overlap instead of coming one after another in the loops below.
  thread_local std::vector<std::pair<const float*, float>> rows;
  rows.clear();
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < features.size(); ++i) {
    if (i + kAhead < features.size()) table.prefetch(features[i + kAhead].bucket);
    const FeatureCount& feature = features[i];
    const std::int64_t index = table.find(feature.bucket);
    if (index < 0) continue;
    const float* row = table.row(static_cast<std::size_t>(index));
    __builtin_prefetch(row);
    rows.emplace_back(row, feature.count);
  }

  // The sums run in ascending bucket order, as in training, so scores do
  // not depend on the storage layout. ln(1) is 0, so single counts skip the logarithm.
  thread_local std::vector<std::pair<const float*, double>> values;
  values.clear();
  double norm = 0;
  for (const auto& [row, count] : rows) {
    const float s = row[0];
    if (s <= 0) continue;
    const double value = count == 1.0f ? static_cast<double>(s) : (1.0 + std::log(static_cast<double>(count))) * s;
    values.emplace_back(row, value);
    norm += value * value;
  }
  const double inverse = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
  out.assign(bias.size(), 0.0);
  for (std::size_t v = 0; v < bias.size(); ++v) {
    double sum = 0;
    for (const auto& [row, value] : values) sum += row[v + 1] * value;
    out[v] = sum * inverse + bias[v];
  }
}

void LinearPart::index_weights() {
  std::vector<std::uint32_t> buckets;
  std::vector<float> values;
  for (std::uint32_t bucket = 0; bucket < scale.size(); ++bucket) {
    if (scale[bucket] <= 0) continue;
    buckets.push_back(bucket);
    values.push_back(scale[bucket]);
    for (const std::vector<float>& vector : weights) values.push_back(vector[bucket]);
  }
  table = BucketTable(config.buckets(), buckets, std::move(values), 1 + bias.size());
  scale = std::vector<float>();
  weights = std::vector<std::vector<float>>();
}

void LinearPart::probabilities(const std::vector<double>& scores, std::vector<double>& out) const {
  out.assign(classes.size(), 0.0);
  if (classes.size() == 1) {
    out[0] = 1.0;
    return;
  }
  if (classes.size() == 2) {
    out[0] = 1.0 / (1.0 + std::exp(-(platt_a * scores[0] + platt_b)));
    out[1] = 1.0 - out[0];
    return;
  }
  const double largest = *std::max_element(scores.begin(), scores.end());
  double total = 0;
  for (std::size_t c = 0; c < scores.size(); ++c) {
    out[c] = std::exp((scores[c] - largest) / temperature);
    total += out[c];
  }
  for (double& p : out) p /= total;
}

LinearPart train_part(const std::string& language, const std::vector<LabelledDocument>& train_rows,
                      const std::vector<LabelledDocument>& dev_rows, const TrainOptions& options,
                      const std::function<void(int, int)>& progress, PartFigures& figures) {
  std::call_once(g_quiet_once, [] { set_print_string_function(&discard_liblinear_output); });
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::vector<LabelledDocument> train = train_rows;
  std::vector<LabelledDocument> dev = dev_rows;
  figures.dev_held_out = dev.empty();
  if (dev.empty()) {
    train.clear();
    hold_out(train_rows, options.holdout_fraction, options.seed, train, dev);
  }

  LinearPart part;
  part.language = language;
  part.config = default_feature_config(language, options.hash_bits);
  const Classes classes = classes_of(train);
  part.classes = classes.model_labels;
  const int class_count = static_cast<int>(part.classes.size());
  figures.train_rows = static_cast<std::int64_t>(train.size());
  figures.dev_rows = static_cast<std::int64_t>(dev.size());

  // A single label leaves nothing to learn: the part always predicts it.
  if (class_count < 2) {
    part.scale.assign(part.config.buckets(), 0.0f);
    part.weights.clear();
    part.bias.clear();
    part.index_weights();
    figures.accuracy = 1;
    figures.macro_f1 = 1;
    return part;
  }

  spdlog::info("{}", tr("model part {}: extracting features of {} training and {} dev rows", language,
                        train.size(), dev.size()));
  const std::vector<SparseRow> train_features = extract_all(train, part.config, threads);
  const std::vector<SparseRow> dev_features = extract_all(dev, part.config, threads);
  const std::vector<int> train_classes = part_classes(train, classes);
  std::vector<int> dev_classes = part_classes(dev, classes);

  part.scale = compute_scale(train_features, train_classes, class_count, part.config);
  Problem data;
  build_problem(train_features, train_classes, part.scale, data);
  const std::vector<double> class_weights = balanced_weights(train_classes, class_count);

  // Dev rows in LIBLINEAR's form, scaled like the training rows.
  int feature_count = 0;
  const std::vector<std::int32_t> index = compact_indices(part.scale, feature_count);
  std::vector<feature_node> dev_nodes;
  std::vector<std::size_t> dev_start;
  for (const SparseRow& row : dev_features) {
    dev_start.push_back(dev_nodes.size());
    append_row(row, part.scale, index, feature_count, dev_nodes);
  }

  const auto dev_scores = [&](const ::model& trained) {
    std::vector<std::vector<double>> out(dev_features.size());
    for (std::size_t i = 0; i < dev_features.size(); ++i) {
      row_scores(trained, dev_nodes.data() + dev_start[i], class_count, out[i]);
    }
    return out;
  };

  const bool search = options.regularization <= 0 && !dev.empty();
  const int rounds = search ? std::max(1, options.max_rounds) : 1;
  const int planned = rounds + (options.refit && !dev.empty() ? 1 : 0);
  double best_c = search ? kFirstC : (options.regularization > 0 ? options.regularization : 1.0);
  std::vector<std::pair<double, double>> tried;  // (C, dev macro-F1) in search order
  std::vector<ModelPtr> trained_models;
  double top_f1 = -1;
  int since_top = 0;
  for (int round = 0; round < rounds; ++round) {
    const double c = search ? kFirstC * std::pow(2.0, round) : best_c;
    ModelPtr trained = fit(data, c, class_weights, options.seed);
    std::vector<int> predicted;
    for (const auto& scores : dev_scores(*trained)) predicted.push_back(argmax_class(part, scores));
    std::vector<int> gold = dev_classes;
    for (std::size_t i = 0; i < gold.size(); ++i) {
      if (gold[i] < 0) gold[i] = predicted[i] == 0 ? 1 : 0;
    }
    const double f1 = dev.empty() ? 0 : macro_f1_of(gold, predicted, class_count);
    // Calibration comes after the search and, for two labels, moves the
    // decision threshold, so the final figures for this C may differ.
    spdlog::info("{}", tr("model part {}: C={} dev macro-F1 {:.4f} before calibration", language, c, f1));
    if (progress) progress(round + 1, planned);
    tried.emplace_back(c, f1);
    trained_models.push_back(std::move(trained));
    if (f1 > top_f1) {
      top_f1 = f1;
      since_top = 0;
    } else if (++since_top >= kPatience) {
      break;
    }
  }

  // The smallest C within kTolerance of the best score: on a flat curve the
  // maximum is mostly noise of the dev rows, and the stronger regularization
  // generalizes better.
  std::size_t chosen = 0;
  while (tried[chosen].second < top_f1 - kTolerance) ++chosen;
  best_c = tried[chosen].first;
  ModelPtr best = std::move(trained_models[chosen]);
  trained_models.clear();
  figures.c = best_c;

  // Calibration and figures on the dev rows that have a label known to the part.
  std::vector<std::vector<double>> scores_known;
  std::vector<int> gold_known;
  {
    const auto all_scores = dev_scores(*best);
    for (std::size_t i = 0; i < all_scores.size(); ++i) {
      if (dev_classes[i] < 0) continue;
      scores_known.push_back(all_scores[i]);
      gold_known.push_back(dev_classes[i]);
    }
  }
  if (!gold_known.empty()) {
    if (class_count == 2) {
      std::vector<double> single;
      for (const auto& scores : scores_known) single.push_back(scores[0]);
      fit_platt(single, gold_known, part);
    } else {
      fit_temperature(scores_known, gold_known, part);
    }
    measure(part, scores_known, gold_known, figures);
  }

  if (options.refit && !dev.empty()) {
    // More rows help more than the small mismatch between the refit model
    // and the calibration fitted on the model before it.
    std::vector<SparseRow> all_features = train_features;
    std::vector<int> all_classes = train_classes;
    for (std::size_t i = 0; i < dev_features.size(); ++i) {
      if (dev_classes[i] < 0) continue;
      all_features.push_back(dev_features[i]);
      all_classes.push_back(dev_classes[i]);
    }
    part.scale = compute_scale(all_features, all_classes, class_count, part.config);
    build_problem(all_features, all_classes, part.scale, data);
    best = fit(data, best_c, balanced_weights(all_classes, class_count), options.seed);
    if (progress) progress(planned, planned);
  }

  copy_weights(*best, part.scale, class_count, part);
  part.index_weights();
  return part;
}

}  // namespace shopsight::model
