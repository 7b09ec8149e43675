// EmbeddingHead: a logistic regression (LIBLINEAR) or a one-hidden-layer
// perceptron over frozen, L2-normalized text embeddings, and its file.

#include <linear.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <random>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "model/model.h"
#include "model/model_file.h"

namespace shopsight {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHeadFormat = "shopsight-embedding-head";

// Rounds of the C search without a better dev macro-F1 before it stops.
constexpr int kPatience = 2;

// Dev macro-F1 gains below this are treated as noise when choosing C, so the
// search stops before the slow, large C values that barely change the result.
constexpr double kMinGain = 1e-3;

std::once_flag g_quiet_once;
void discard_liblinear_output(const char*) {}

struct ModelDeleter {
  void operator()(::model* trained) const { free_and_destroy_model(&trained); }
};
using ModelPtr = std::unique_ptr<::model, ModelDeleter>;

/// Dense rows as LIBLINEAR feature nodes, with the bias feature appended.
struct DenseProblem {
  std::vector<feature_node> nodes;
  std::vector<feature_node*> rows;
  std::vector<double> y;
  problem liblinear{};
};

/// Per-dimension mean and standard deviation of the training vectors.
struct Standardizer {
  std::vector<double> mean;
  std::vector<double> scale;              ///< 1 / standard deviation, 1 for constant dimensions

  double apply(const std::vector<float>& vector, std::size_t j) const { return (vector[j] - mean[j]) * scale[j]; }
};

// Unit-length embeddings have tiny, unequal per-dimension spreads, which
// makes LIBLINEAR's Newton solver slow and pushes the best C up; standardized
// dimensions train several times faster. The scaling is folded back into the
// weights afterwards, so the head file takes raw embeddings.
Standardizer fit_standardizer(const std::vector<const std::vector<float>*>& vectors, int dimension) {
  const auto width = static_cast<std::size_t>(dimension);
  Standardizer standardizer{std::vector<double>(width, 0.0), std::vector<double>(width, 1.0)};
  std::vector<double> squares(width, 0.0);
  for (const auto* vector : vectors) {
    for (std::size_t j = 0; j < width; ++j) {
      standardizer.mean[j] += (*vector)[j];
      squares[j] += static_cast<double>((*vector)[j]) * (*vector)[j];
    }
  }
  const auto n = static_cast<double>(std::max<std::size_t>(vectors.size(), 1));
  for (std::size_t j = 0; j < width; ++j) {
    standardizer.mean[j] /= n;
    const double variance = squares[j] / n - standardizer.mean[j] * standardizer.mean[j];
    standardizer.scale[j] = variance > 1e-12 ? 1.0 / std::sqrt(variance) : 1.0;
  }
  return standardizer;
}

// Turns weights over standardized values into weights over raw values:
// w_j (x_j - m_j) s_j + b = (w_j s_j) x_j + (b - sum of w_j s_j m_j).
void fold_standardizer(const Standardizer& standardizer, std::vector<std::vector<float>>& weights) {
  for (auto& row : weights) {
    double bias = row.back();
    for (std::size_t j = 0; j + 1 < row.size(); ++j) {
      const double raw = row[j] * standardizer.scale[j];
      bias -= raw * standardizer.mean[j];
      row[j] = static_cast<float>(raw);
    }
    row.back() = static_cast<float>(bias);
  }
}

void build_problem(const std::vector<const std::vector<float>*>& vectors, const std::vector<int>& labels,
                   int dimension, const Standardizer& standardizer, DenseProblem& data) {
  const auto width = static_cast<std::size_t>(dimension) + 2;
  data.nodes.resize(vectors.size() * width);
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    feature_node* row = data.nodes.data() + i * width;
    for (int j = 0; j < dimension; ++j) row[j] = {j + 1, standardizer.apply(*vectors[i], static_cast<std::size_t>(j))};
    row[dimension] = {dimension + 1, 1.0};
    row[dimension + 1] = {-1, 0.0};
    data.rows.push_back(row);
    data.y.push_back(labels[i]);
  }
  data.liblinear.l = static_cast<int>(vectors.size());
  data.liblinear.n = dimension + 1;
  data.liblinear.y = data.y.data();
  data.liblinear.x = data.rows.data();
  data.liblinear.bias = 1.0;
}

// `start`, when not empty, is a previous solution on the same labels: the C
// search warm-starts each run from the last one, as LIBLINEAR's own
// find_parameters does, which saves most Newton iterations.
ModelPtr fit(const DenseProblem& data, double c, std::vector<double>& start) {
  parameter param{};
  param.solver_type = L2R_LR;
  param.eps = 0.01;
  param.C = c;
  param.p = 0.1;
  param.init_sol = start.empty() ? nullptr : start.data();
  if (const char* problem_text = check_parameter(&data.liblinear, &param)) {
    throw Error(tr("training failed: {}", problem_text));
  }
  ModelPtr trained(::train(&data.liblinear, &param));
  const int vectors = trained->nr_class == 2 ? 1 : trained->nr_class;
  start.assign(trained->w, trained->w + static_cast<std::size_t>(trained->nr_feature + 1) * static_cast<std::size_t>(vectors));
  return trained;
}

double macro_f1_of(const std::vector<int>& gold, const std::vector<int>& predicted, std::size_t class_count) {
  std::vector<double> tp(class_count), fp(class_count), fn(class_count);
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const auto g = static_cast<std::size_t>(gold[i]);
    const auto p = static_cast<std::size_t>(predicted[i]);
    if (g == p) {
      tp[g] += 1;
    } else {
      fp[p] += 1;
      fn[g] += 1;
    }
  }
  double sum = 0;
  for (std::size_t c = 0; c < class_count; ++c) {
    const double denominator = 2 * tp[c] + fp[c] + fn[c];
    sum += denominator > 0 ? 2 * tp[c] / denominator : 0.0;
  }
  return sum / static_cast<double>(class_count);
}

// Splits off a seeded, stratified share of the rows as dev rows.
void hold_out(const std::vector<int>& labels, double fraction, unsigned seed, std::vector<std::size_t>& train,
              std::vector<std::size_t>& dev) {
  std::map<int, std::vector<std::size_t>> by_label;
  for (std::size_t i = 0; i < labels.size(); ++i) by_label[labels[i]].push_back(i);
  std::mt19937 generator(seed);
  std::vector<bool> is_dev(labels.size(), false);
  for (auto& [label, indices] : by_label) {
    std::shuffle(indices.begin(), indices.end(), generator);
    // A label with a single row stays in training so that it can be learned at all.
    const auto take = indices.size() < 2 ? std::size_t{0}
                                         : static_cast<std::size_t>(std::lround(fraction * static_cast<double>(indices.size())));
    for (std::size_t k = 0; k < take; ++k) is_dev[indices[k]] = true;
  }
  for (std::size_t i = 0; i < labels.size(); ++i) (is_dev[i] ? dev : train).push_back(i);
}

/// A labelled row set that both heads train on.
struct Rows {
  std::vector<const std::vector<float>*> vectors;
  std::vector<int> labels;
};

// Moves LIBLINEAR's weights, stored feature-major, into one row per vector
// labelled with the model label it scores.
void copy_liblinear_weights(const ::model& trained, int dimension, std::vector<std::vector<float>>& weights,
                            std::vector<int>& row_labels) {
  const int vectors = trained.nr_class == 2 ? 1 : trained.nr_class;
  weights.assign(static_cast<std::size_t>(vectors), std::vector<float>(static_cast<std::size_t>(dimension) + 1));
  row_labels.clear();
  for (int v = 0; v < vectors; ++v) {
    row_labels.push_back(trained.label[v]);
    for (int j = 0; j <= dimension; ++j) {
      weights[static_cast<std::size_t>(v)][static_cast<std::size_t>(j)] = static_cast<float>(
          trained.w[static_cast<std::size_t>(j) * static_cast<std::size_t>(vectors) + static_cast<std::size_t>(v)]);
    }
  }
}

double dot_with_bias(const std::vector<float>& weights, const std::vector<float>& vector) {
  double sum = weights.back();
  for (std::size_t j = 0; j < vector.size(); ++j) sum += static_cast<double>(weights[j]) * vector[j];
  return sum;
}

void forward_perceptron(const std::vector<std::vector<float>>& hidden, const std::vector<std::vector<float>>& output,
                        const std::vector<float>& x, std::vector<float>& h, std::vector<double>& p);

/// The one-hidden-layer perceptron: ReLU hidden units and a softmax output.
struct Perceptron {
  std::vector<std::vector<float>> hidden;  ///< hidden x (dimension + 1)
  std::vector<std::vector<float>> output;  ///< labels x (hidden + 1)

  void forward(const std::vector<float>& x, std::vector<float>& h, std::vector<double>& p) const {
    forward_perceptron(hidden, output, x, h, p);
  }
};

void forward_perceptron(const std::vector<std::vector<float>>& hidden, const std::vector<std::vector<float>>& output,
                        const std::vector<float>& x, std::vector<float>& h, std::vector<double>& p) {
  h.resize(hidden.size());
  for (std::size_t u = 0; u < hidden.size(); ++u) {
    h[u] = std::max(0.0f, static_cast<float>(dot_with_bias(hidden[u], x)));
  }
  p.resize(output.size());
  for (std::size_t c = 0; c < output.size(); ++c) p[c] = dot_with_bias(output[c], h);
  const double largest = *std::max_element(p.begin(), p.end());
  double total = 0;
  for (double& value : p) {
    value = std::exp(value - largest);
    total += value;
  }
  for (double& value : p) value /= total;
}

/// Adam moments of one weight matrix.
struct AdamState {
  std::vector<std::vector<float>> m;
  std::vector<std::vector<float>> v;
};

void adam_step(std::vector<std::vector<float>>& weights, const std::vector<std::vector<float>>& gradient,
               AdamState& state, double rate, double decay, int step) {
  constexpr double kBeta1 = 0.9;
  constexpr double kBeta2 = 0.999;
  if (state.m.empty()) {
    state.m.assign(weights.size(), std::vector<float>(weights[0].size(), 0.0f));
    state.v = state.m;
  }
  const double correction1 = 1 - std::pow(kBeta1, step);
  const double correction2 = 1 - std::pow(kBeta2, step);
  for (std::size_t r = 0; r < weights.size(); ++r) {
    for (std::size_t c = 0; c < weights[r].size(); ++c) {
      const double g = gradient[r][c] + decay * weights[r][c];
      state.m[r][c] = static_cast<float>(kBeta1 * state.m[r][c] + (1 - kBeta1) * g);
      state.v[r][c] = static_cast<float>(kBeta2 * state.v[r][c] + (1 - kBeta2) * g * g);
      const double m_hat = state.m[r][c] / correction1;
      const double v_hat = state.v[r][c] / correction2;
      weights[r][c] -= static_cast<float>(rate * m_hat / (std::sqrt(v_hat) + 1e-8));
    }
  }
}

int predict_perceptron(const Perceptron& net, const std::vector<float>& x) {
  std::vector<float> h;
  std::vector<double> p;
  net.forward(x, h, p);
  return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

double perceptron_dev_f1(const Perceptron& net, const Rows& dev, std::size_t class_count) {
  std::vector<int> predicted;
  for (const auto* vector : dev.vectors) predicted.push_back(predict_perceptron(net, *vector));
  return macro_f1_of(dev.labels, predicted, class_count);
}

// Minibatch Adam on cross-entropy with weight decay; keeps the epoch with the
// best dev macro-F1 and stops after kPatience epochs without a gain.
Perceptron train_perceptron(const Rows& train, const Rows& dev, int dimension, std::size_t class_count,
                            const HeadTrainOptions& options, double& best_f1) {
  constexpr std::size_t kBatch = 64;
  constexpr double kRate = 1e-3;
  constexpr double kDecay = 1e-4;
  const auto hidden_units = static_cast<std::size_t>(std::max(1, options.hidden));
  std::mt19937 generator(options.seed);

  // He initialization suits ReLU units.
  Perceptron net;
  std::normal_distribution<float> hidden_init(0.0f, std::sqrt(2.0f / static_cast<float>(dimension)));
  std::normal_distribution<float> output_init(0.0f, std::sqrt(1.0f / static_cast<float>(hidden_units)));
  net.hidden.assign(hidden_units, std::vector<float>(static_cast<std::size_t>(dimension) + 1, 0.0f));
  for (auto& row : net.hidden) std::generate(row.begin(), row.end() - 1, [&] { return hidden_init(generator); });
  net.output.assign(class_count, std::vector<float>(hidden_units + 1, 0.0f));
  for (auto& row : net.output) std::generate(row.begin(), row.end() - 1, [&] { return output_init(generator); });

  Perceptron best = net;
  best_f1 = -1;
  int since_best = 0;
  int step = 0;
  AdamState hidden_state, output_state;
  std::vector<std::size_t> order(train.vectors.size());
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> h;
  std::vector<double> p;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    std::shuffle(order.begin(), order.end(), generator);
    for (std::size_t start = 0; start < order.size(); start += kBatch) {
      const std::size_t end = std::min(order.size(), start + kBatch);
      std::vector<std::vector<float>> hidden_gradient(net.hidden.size(), std::vector<float>(net.hidden[0].size(), 0.0f));
      std::vector<std::vector<float>> output_gradient(net.output.size(), std::vector<float>(net.output[0].size(), 0.0f));
      const auto scale = static_cast<float>(1.0 / static_cast<double>(end - start));
      for (std::size_t k = start; k < end; ++k) {
        const std::vector<float>& x = *train.vectors[order[k]];
        net.forward(x, h, p);

        // Softmax with cross-entropy: the output error is p minus the one-hot target.
        std::vector<float> hidden_error(h.size(), 0.0f);
        for (std::size_t c = 0; c < p.size(); ++c) {
          const auto error = static_cast<float>(p[c] - (static_cast<int>(c) == train.labels[order[k]] ? 1.0 : 0.0)) * scale;
          for (std::size_t u = 0; u < h.size(); ++u) {
            output_gradient[c][u] += error * h[u];
            hidden_error[u] += error * net.output[c][u];
          }
          output_gradient[c].back() += error;
        }
        for (std::size_t u = 0; u < h.size(); ++u) {
          if (h[u] <= 0) continue;
          for (std::size_t j = 0; j < x.size(); ++j) hidden_gradient[u][j] += hidden_error[u] * x[j];
          hidden_gradient[u].back() += hidden_error[u];
        }
      }
      ++step;
      adam_step(net.hidden, hidden_gradient, hidden_state, kRate, kDecay, step);
      adam_step(net.output, output_gradient, output_state, kRate, kDecay, step);
    }

    const double f1 = perceptron_dev_f1(net, dev.vectors.empty() ? train : dev, class_count);
    spdlog::info("{}", tr("mlp head: epoch {} dev macro-F1 {:.4f}", epoch + 1, f1));
    if (options.progress) options.progress(epoch + 1, options.epochs);
    if (f1 > best_f1 + kMinGain) {
      best_f1 = f1;
      best = net;
      since_best = 0;
    } else if (++since_best >= kPatience) {
      break;
    }
  }
  return best;
}

void check_finite(const std::vector<std::vector<float>>& vectors, bool dev) {
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    if (all_finite(vectors[i])) continue;
    throw Error(dev ? tr("dev vector {} contains NaN or infinite values; the embedding model is likely broken", i + 1)
                    : tr("training vector {} contains NaN or infinite values; the embedding model is likely broken",
                         i + 1));
  }
}

}  // namespace

bool all_finite(const std::vector<float>& values) {
  return std::all_of(values.begin(), values.end(), [](float value) { return std::isfinite(value); });
}

EmbeddingHead EmbeddingHead::train(const std::vector<std::vector<float>>& train_vectors,
                                   const std::vector<std::string>& train_labels,
                                   const std::vector<std::vector<float>>& dev_vectors,
                                   const std::vector<std::string>& dev_labels, const HeadTrainOptions& options) {
  std::call_once(g_quiet_once, [] { set_print_string_function(&discard_liblinear_output); });
  if (train_vectors.empty()) throw Error(tr("no training rows: the training data has no row with a label"));
  if (options.kind != "logistic" && options.kind != "mlp") {
    throw Error(tr("unknown head kind '{}': use logistic or mlp", options.kind));
  }

  EmbeddingHead head;
  head.kind_ = options.kind;
  head.label_names_ = options.label_names;
  head.dimension_ = static_cast<int>(train_vectors.front().size());
  const auto display = [&](const std::string& raw) {
    const auto found = options.label_names.find(raw);
    return found == options.label_names.end() ? raw : found->second;
  };

  // Labels in sorted order of their display names, so the order is stable between runs.
  std::map<std::string, int> label_index;
  for (const std::string& raw : train_labels) label_index.emplace(display(raw), 0);
  for (auto& [label, index] : label_index) {
    index = static_cast<int>(head.labels_.size());
    head.labels_.push_back(label);
  }
  const std::size_t class_count = head.labels_.size();

  Rows all, train, dev;
  for (std::size_t i = 0; i < train_vectors.size(); ++i) {
    if (static_cast<int>(train_vectors[i].size()) != head.dimension_) {
      throw Error(tr("training vector {} has {} values but the first has {}", i, train_vectors[i].size(),
                     head.dimension_));
    }
    all.vectors.push_back(&train_vectors[i]);
    all.labels.push_back(label_index.at(display(train_labels[i])));
  }
  // On NaN input, LIBLINEAR's Newton solver does not stop: one run was still going after 10 minutes.
  check_finite(train_vectors, false);
  check_finite(dev_vectors, true);
  bool dev_held_out = false;
  if (!dev_vectors.empty()) {
    train = all;
    for (std::size_t i = 0; i < dev_vectors.size(); ++i) {
      const auto found = label_index.find(display(dev_labels[i]));
      // A dev label never seen in training cannot be predicted, so it is left out of the C search.
      if (found == label_index.end()) continue;
      dev.vectors.push_back(&dev_vectors[i]);
      dev.labels.push_back(found->second);
      all.vectors.push_back(&dev_vectors[i]);
      all.labels.push_back(found->second);
    }
  } else {
    std::vector<std::size_t> train_rows, dev_rows;
    hold_out(all.labels, options.holdout_fraction, options.seed, train_rows, dev_rows);
    dev_held_out = true;
    for (std::size_t i : train_rows) {
      train.vectors.push_back(all.vectors[i]);
      train.labels.push_back(all.labels[i]);
    }
    for (std::size_t i : dev_rows) {
      dev.vectors.push_back(all.vectors[i]);
      dev.labels.push_back(all.labels[i]);
    }
  }
  head.metadata_["train_rows"] = std::to_string(train.vectors.size());
  head.metadata_["dev_rows"] = std::to_string(dev.vectors.size());
  head.metadata_["dev_source"] = dev_source_code(dev_held_out);

  if (class_count < 2) {
    // One label: the head always predicts it, which is what the data supports.
    head.weights_.assign(1, std::vector<float>(static_cast<std::size_t>(head.dimension_) + 1, 0.0f));
    head.weights_[0].back() = 1.0f;
    head.row_labels_ = {0};
    head.kind_ = "logistic";
    return head;
  }

  if (options.kind == "mlp") {
    double best_f1 = 0;
    Perceptron net = train_perceptron(train, dev, head.dimension_, class_count, options, best_f1);
    head.hidden_weights_ = std::move(net.hidden);
    head.weights_ = std::move(net.output);
    head.metadata_["dev_macro_f1"] = fmt::format("{:.4f}", best_f1);
    return head;
  }

  // The C search on the dev rows, as the default classifier does.
  DenseProblem train_problem, dev_problem;
  const Standardizer standardizer = fit_standardizer(all.vectors, head.dimension_);
  build_problem(train.vectors, train.labels, head.dimension_, standardizer, train_problem);
  build_problem(dev.vectors, dev.labels, head.dimension_, standardizer, dev_problem);
  std::vector<double> candidates;
  if (options.regularization > 0) {
    candidates.push_back(options.regularization);
  } else {
    for (int round = 0; round < 8; ++round) candidates.push_back(std::ldexp(1.0, 2 * round - 4));
  }
  const int planned = static_cast<int>(candidates.size()) + (options.refit ? 1 : 0);
  double best_c = candidates.front();
  double best_f1 = -1;
  int since_best = 0;
  int runs = 0;
  std::vector<double> solution;
  std::vector<double> best_solution;
  for (double c : candidates) {
    ModelPtr trained = fit(train_problem, c, solution);
    ++runs;
    if (options.progress) options.progress(runs, planned);
    std::vector<int> predicted;
    for (feature_node* row : dev_problem.rows) predicted.push_back(static_cast<int>(::predict(trained.get(), row)));
    const double f1 = dev.vectors.empty() ? 0 : macro_f1_of(dev.labels, predicted, class_count);
    spdlog::info("{}", tr("embedding head: C={} dev macro-F1 {:.4f}", c, f1));
    if (f1 > best_f1 + kMinGain) {
      best_f1 = f1;
      best_c = c;
      since_best = 0;
      best_solution = solution;
      copy_liblinear_weights(*trained, head.dimension_, head.weights_, head.row_labels_);
    } else if (++since_best >= kPatience) {
      break;
    }
  }
  head.metadata_["c"] = fmt::format("{}", best_c);
  head.metadata_["dev_macro_f1"] = fmt::format("{:.4f}", best_f1);

  if (options.refit && !dev.vectors.empty()) {
    DenseProblem all_problem;
    build_problem(all.vectors, all.labels, head.dimension_, standardizer, all_problem);
    ModelPtr trained = fit(all_problem, best_c, best_solution);
    copy_liblinear_weights(*trained, head.dimension_, head.weights_, head.row_labels_);
  }
  fold_standardizer(standardizer, head.weights_);
  if (options.progress) options.progress(planned, planned);
  return head;
}

std::string EmbeddingHead::display_label(const std::string& raw) const {
  const auto found = label_names_.find(raw);
  return found == label_names_.end() ? raw : found->second;
}

Prediction EmbeddingHead::predict(const std::vector<float>& vector) const {
  if (static_cast<int>(vector.size()) != dimension_) {
    throw Error(tr("the embedding has {} values but the head takes {}; use the embedding model the head was "
                   "trained with",
                   vector.size(), dimension_));
  }
  std::vector<double> probabilities(labels_.size(), 0.0);
  if (kind_ == "mlp") {
    std::vector<float> hidden;
    forward_perceptron(hidden_weights_, weights_, vector, hidden, probabilities);
  } else if (labels_.size() == 1) {
    probabilities[0] = 1.0;
  } else if (weights_.size() == 1) {
    // Two labels: LIBLINEAR's single vector scores its first label.
    const double p = 1.0 / (1.0 + std::exp(-dot_with_bias(weights_[0], vector)));
    const auto first = static_cast<std::size_t>(row_labels_[0]);
    probabilities[first] = p;
    probabilities[1 - first] = 1.0 - p;
  } else {
    // One-versus-rest sigmoids normalized to sum to one, as LIBLINEAR's predict_probability does.
    double total = 0;
    for (std::size_t v = 0; v < weights_.size(); ++v) {
      const double p = 1.0 / (1.0 + std::exp(-dot_with_bias(weights_[v], vector)));
      probabilities[static_cast<std::size_t>(row_labels_[v])] = p;
      total += p;
    }
    for (double& p : probabilities) p /= total;
  }

  Prediction prediction;
  for (std::size_t c = 0; c < labels_.size(); ++c) {
    prediction.scores.push_back({labels_[c], static_cast<float>(probabilities[c])});
  }
  const auto best = std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin();
  prediction.label = labels_[static_cast<std::size_t>(best)];
  prediction.probability = static_cast<float>(probabilities[static_cast<std::size_t>(best)]);
  return prediction;
}

void EmbeddingHead::set_embedding_model(const std::string& path, const ModelFingerprint& fingerprint) {
  model_path_ = fs::absolute(path).lexically_normal().string();
  fingerprint_ = fingerprint;
}

void EmbeddingHead::save(const std::string& path) const {
  // A relative path keeps working when the head and the model move together.
  const fs::path folder = fs::absolute(path).parent_path();
  std::string relative = fs::path(model_path_).lexically_relative(folder).string();
  if (relative.empty()) relative = model_path_;

  model::ModelFile file;
  file.header = {{"format", kHeadFormat},
                 {"kind", kind_},
                 {"labels", labels_},
                 {"label_names", label_names_},
                 {"metadata", metadata_},
                 {"dimension", dimension_},
                 {"embedding_model",
                  {{"path", relative},
                   {"absolute_path", model_path_},
                   {"size", fingerprint_.size},
                   {"xxh3", fmt::format("{:016x}", fingerprint_.hash)}}}};
  const auto append = [&](const std::vector<std::vector<float>>& rows) {
    for (const auto& row : rows) {
      file.payload.append(reinterpret_cast<const char*>(row.data()), row.size() * sizeof(float));
    }
  };
  if (kind_ == "mlp") {
    file.header["hidden"] = hidden_weights_.size();
    append(hidden_weights_);
  } else {
    file.header["row_labels"] = row_labels_;
  }
  append(weights_);
  model::write_model_file(path, file);
}

EmbeddingHead EmbeddingHead::load(const std::string& path) {
  const model::ModelFile file = model::read_model_file(path);
  const nlohmann::json& header = file.header;
  if (header.value("format", std::string()) != kHeadFormat) {
    throw Error(tr("{} is a shopsight file but not an embedding head; pass a head written by `shopsight train "
                   "--embedding-model`",
                   path));
  }

  EmbeddingHead head;
  std::size_t expected = 0;
  std::size_t hidden = 0;
  bool hash_valid = false;
  try {
    head.kind_ = header.at("kind").get<std::string>();
    head.labels_ = header.at("labels").get<std::vector<std::string>>();
    head.label_names_ = header.at("label_names").get<std::map<std::string, std::string>>();
    head.metadata_ = header.at("metadata").get<std::map<std::string, std::string>>();
    head.dimension_ = header.at("dimension").get<int>();
    const nlohmann::json& reference = header.at("embedding_model");
    head.fingerprint_.size = reference.at("size").get<std::uint64_t>();
    // Older heads hold a CRC-32 of the model's first and last MiB, which
    // cannot tell apart two models that differ in between.
    if (!reference.contains("xxh3")) {
      throw Error(tr("the head file {} comes from an older shopsight that identified its embedding model by parts "
                     "of the file only; train the head again",
                     path));
    }
    const std::string hash = reference.at("xxh3").get<std::string>();
    const auto parsed = std::from_chars(hash.data(), hash.data() + hash.size(), head.fingerprint_.hash, 16);
    hash_valid = parsed.ec == std::errc() && parsed.ptr == hash.data() + hash.size();

    // The path relative to the head wins, so that a moved folder still works.
    const fs::path relative = fs::absolute(path).parent_path() / reference.at("path").get<std::string>();
    const std::string absolute = reference.at("absolute_path").get<std::string>();
    head.model_path_ = fs::exists(relative) || !fs::exists(absolute) ? relative.lexically_normal().string() : absolute;

    const auto width = static_cast<std::size_t>(head.dimension_) + 1;
    if (head.kind_ == "mlp") {
      hidden = header.at("hidden").get<std::size_t>();
      expected = hidden * width + head.labels_.size() * (hidden + 1);
    } else {
      head.row_labels_ = header.at("row_labels").get<std::vector<int>>();
      expected = head.row_labels_.size() * width;
    }
  } catch (const nlohmann::json::exception& error) {
    throw Error(tr("the model file {} has an invalid header: {}; train the model again", path, error.what()));
  }
  const bool consistent = hash_valid && head.dimension_ > 0 && !head.labels_.empty() &&
                          (head.kind_ == "mlp" || head.kind_ == "logistic") &&
                          std::all_of(head.row_labels_.begin(), head.row_labels_.end(), [&](int label) {
                            return label >= 0 && static_cast<std::size_t>(label) < head.labels_.size();
                          });
  const std::string corrupt_message =
      tr("the head file {} is corrupt (its weights do not match its header); train it again", path);
  if (!consistent || expected * sizeof(float) != file.payload.size()) throw Error(corrupt_message);

  const char* cursor = file.payload.data();
  const auto read_rows = [&](std::size_t rows, std::size_t columns) {
    std::vector<std::vector<float>> out(rows, std::vector<float>(columns));
    for (auto& row : out) {
      std::memcpy(row.data(), cursor, columns * sizeof(float));
      cursor += columns * sizeof(float);
    }
    return out;
  };
  if (head.kind_ == "mlp") {
    head.hidden_weights_ = read_rows(hidden, static_cast<std::size_t>(head.dimension_) + 1);
    head.weights_ = read_rows(head.labels_.size(), hidden + 1);
  } else {
    head.weights_ = read_rows(head.row_labels_.size(), static_cast<std::size_t>(head.dimension_) + 1);
  }
  // NaN weights would label every item with a NaN probability.
  const auto finite = [](const std::vector<std::vector<float>>& rows) {
    return std::all_of(rows.begin(), rows.end(), [](const std::vector<float>& row) { return all_finite(row); });
  };
  if (!finite(head.weights_) || !finite(head.hidden_weights_)) throw Error(corrupt_message);
  return head;
}

}  // namespace shopsight
