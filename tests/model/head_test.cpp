// Embedding heads, the embedding cache and open_classifier, on generated
// GGUF models with random weights and small labelled files.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "llm/test_models.h"
#include "model/model.h"
#include "model/model_file.h"
#include "model/synthetic.h"
#include "support/run_shopsight.h"

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;
using shopsight::CachedEmbedder;
using shopsight::ClassifierKind;
using shopsight::ClassifierOptions;
using shopsight::EmbeddingHead;
using shopsight::HeadTrainOptions;
using shopsight::testing::generated_model;
using shopsight::testing::make_example;

/// A folder of its own for each test, removed afterwards.
class HeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = fs::temp_directory_path() / ("shopsight_head_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(folder_);
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string path(const std::string& name) const { return (folder_ / name).string(); }

  fs::path folder_;
};

/// Runs one SQL statement on the SQLite file at `path` and returns the
/// first column of its first row as an integer, 0 when it has none.
std::int64_t sqlite_value(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* statement = nullptr;
  std::int64_t value = 0;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    const std::string reason = sqlite3_errmsg(db);
    sqlite3_close(db);
    throw std::runtime_error(sql + ": " + reason);
  }
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

/// Message of the shopsight::Error that `action` throws, or "" when it throws none.
template <typename Action>
std::string error_message(Action action) {
  try {
    action();
  } catch (const shopsight::Error& error) {
    return error.what();
  }
  return "";
}

/// Rows of the labelled file that every test trains on: two labels, each
/// with its own words, so the random-weight embeddings can still separate them.
struct LabelledTexts {
  std::vector<std::string> texts;
  std::vector<std::string> labels;
};

LabelledTexts read_head_train() {
  LabelledTexts rows;
  std::ifstream in(std::string(SHOPSIGHT_TEST_DATA) + "/head_train.csv");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const std::size_t comma = line.rfind(',');
    const auto example = make_example(line.substr(0, comma), line.substr(comma + 1));
    rows.texts.push_back(shopsight::embedding_text(example.document));
    rows.labels.push_back(example.label);
  }
  return rows;
}

/// Trains a head on the labelled file's embeddings by `model`, with the
/// embedding cache `cache` ("" for none), and saves it at `head_path`.
void save_text_head(const std::string& model, const std::string& cache, const std::string& head_path) {
  const LabelledTexts rows = read_head_train();
  CachedEmbedder embedder(model, cache, 2);
  EmbeddingHead head = EmbeddingHead::train(embedder.embed(rows.texts), rows.labels, {}, {}, {});
  head.set_embedding_model(model, embedder.fingerprint());
  head.save(head_path);
}

// Two Gaussian blobs in 16 dimensions, L2-normalized like embeddings.
void make_blobs(int count, unsigned seed, std::vector<std::vector<float>>& vectors, std::vector<std::string>& labels) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  for (int i = 0; i < count; ++i) {
    const int label = i % 3 == 0 ? 2 : i % 2;
    std::vector<float> vector(16);
    for (std::size_t d = 0; d < vector.size(); ++d) vector[d] = noise(generator) + (d % 3 == static_cast<std::size_t>(label) ? 1.0f : 0.0f);
    float norm = 0;
    for (float value : vector) norm += value * value;
    for (float& value : vector) value /= std::sqrt(norm);
    vectors.push_back(std::move(vector));
    labels.push_back(std::vector<std::string>{"refund", "shipping", "size"}[static_cast<std::size_t>(label)]);
  }
}

double accuracy(const EmbeddingHead& head, const std::vector<std::vector<float>>& vectors,
                const std::vector<std::string>& labels) {
  int correct = 0;
  for (std::size_t i = 0; i < vectors.size(); ++i) correct += head.predict(vectors[i]).label == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(vectors.size());
}

TEST_F(HeadTest, RoundTripKeepsPredictions) {
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> labels;
  make_blobs(300, 1, vectors, labels);
  for (const std::string kind : {"logistic", "mlp"}) {
    HeadTrainOptions options;
    options.kind = kind;
    EmbeddingHead head = EmbeddingHead::train(vectors, labels, {}, {}, options);
    head.set_embedding_model(generated_model("bert"), shopsight::fingerprint_model_file(generated_model("bert")));
    head.save(path("blobs.head"));

    const EmbeddingHead loaded = EmbeddingHead::load(path("blobs.head"));
    EXPECT_EQ(loaded.kind(), kind);
    EXPECT_EQ(loaded.labels(), head.labels());
    EXPECT_EQ(loaded.embedding_model_path(), fs::absolute(generated_model("bert")).lexically_normal().string());
    EXPECT_GT(accuracy(head, vectors, labels), 0.9) << kind;
    for (std::size_t i = 0; i < 20; ++i) {
      const auto before = head.predict(vectors[i]);
      const auto after = loaded.predict(vectors[i]);
      EXPECT_EQ(before.label, after.label);
      ASSERT_EQ(before.scores.size(), after.scores.size());
      for (std::size_t c = 0; c < before.scores.size(); ++c) {
        EXPECT_FLOAT_EQ(before.scores[c].probability, after.scores[c].probability);
      }
    }
  }
}

TEST_F(HeadTest, CorruptFileRejected) {
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> labels;
  make_blobs(60, 2, vectors, labels);
  EmbeddingHead head = EmbeddingHead::train(vectors, labels, {}, {}, {});
  head.set_embedding_model(generated_model("bert"), shopsight::fingerprint_model_file(generated_model("bert")));
  head.save(path("blobs.head"));

  // Flip one byte inside the weights.
  {
    std::fstream file(path("blobs.head"), std::ios::binary | std::ios::in | std::ios::out);
    file.seekg(-40, std::ios::end);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(-40, std::ios::end);
    byte = static_cast<char>(byte ^ 0x5A);
    file.write(&byte, 1);
  }
  try {
    EmbeddingHead::load(path("blobs.head"));
    FAIL() << "a corrupt head loaded";
  } catch (const shopsight::Error& error) {
    EXPECT_NE(std::string(error.what()).find("corrupt"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("blobs.head"), std::string::npos) << error.what();
  }
}

TEST_F(HeadTest, CacheSkipsSecondEmbedding) {
  const LabelledTexts rows = read_head_train();
  std::vector<std::vector<float>> first;
  {
    CachedEmbedder embedder(generated_model("bert"), path("cache.sqlite"), 2);
    first = embedder.embed(rows.texts);
    EXPECT_EQ(embedder.computed(), static_cast<std::int64_t>(rows.texts.size()));
    EXPECT_EQ(embedder.cached(), 0);
  }
  CachedEmbedder again(generated_model("bert"), path("cache.sqlite"), 2);
  const auto second = again.embed(rows.texts);
  EXPECT_EQ(again.computed(), 0);
  EXPECT_EQ(again.cached(), static_cast<std::int64_t>(rows.texts.size()));
  EXPECT_EQ(first, second);

  // Another model has another fingerprint, so it must not reuse these vectors.
  CachedEmbedder other(generated_model("bert", "--seed 2"), path("cache.sqlite"), 2);
  other.embed({rows.texts.front()});
  EXPECT_EQ(other.computed(), 1);
}

TEST_F(HeadTest, SeparableTextsLearned) {
  const LabelledTexts rows = read_head_train();
  CachedEmbedder embedder(generated_model("bert"), "", 2);
  const auto vectors = embedder.embed(rows.texts);
  ASSERT_EQ(vectors.size(), 40u);
  const EmbeddingHead head = EmbeddingHead::train(vectors, rows.labels, {}, {}, {});
  EXPECT_GE(accuracy(head, vectors, rows.labels), 0.9);
  const auto prediction = head.predict(vectors.front());
  EXPECT_NEAR(prediction.scores[0].probability + prediction.scores[1].probability, 1.0, 1e-5);
}

TEST_F(HeadTest, WrongEmbeddingModelRejected) {
  const std::string model = path("bert.gguf");
  fs::copy_file(generated_model("bert"), model);
  save_text_head(model, "", path("texts.head"));

  // Same name and size, other weights.
  fs::copy_file(generated_model("bert", "--seed 2"), model, fs::copy_options::overwrite_existing);
  try {
    shopsight::open_classifier(path("texts.head"), {});
    FAIL() << "a head opened with another embedding model";
  } catch (const shopsight::Error& error) {
    EXPECT_NE(std::string(error.what()).find("not the one the head"), std::string::npos) << error.what();
  }
  fs::remove(model);
  EXPECT_THROW(shopsight::open_classifier(path("texts.head"), {}), shopsight::Error);
}

TEST_F(HeadTest, OpenClassifierPicksKind) {
  // The default classifier.
  const auto examples = shopsight::testing::cue_word_examples(60, 3);
  shopsight::TrainOptions train_options;
  train_options.per_language = false;
  shopsight::TextClassifier::train(examples, {}, train_options).save(path("cue.ssm"));
  EXPECT_EQ(shopsight::detect_classifier_kind(path("cue.ssm")), ClassifierKind::text_classifier);

  // A head over the generated BERT.
  const LabelledTexts rows = read_head_train();
  CachedEmbedder embedder(generated_model("bert"), "", 2);
  EmbeddingHead head = EmbeddingHead::train(embedder.embed(rows.texts), rows.labels, {}, {}, {});
  head.set_embedding_model(generated_model("bert"), embedder.fingerprint());
  head.save(path("texts.head"));
  EXPECT_EQ(shopsight::detect_classifier_kind(path("texts.head")), ClassifierKind::embedding_head);

  const std::string gguf = generated_model("bert-classifier", "--labels bad,good");
  EXPECT_EQ(shopsight::detect_classifier_kind(gguf), ClassifierKind::gguf_classifier);

  const auto document = make_example("很好，喜欢，推荐", "positive").document;
  const auto text_model = shopsight::open_classifier(path("cue.ssm"), {});
  EXPECT_EQ(text_model->predict({&document}).size(), 1u);

  const auto head_model = shopsight::open_classifier(path("texts.head"), {});
  EXPECT_EQ(head_model->labels(), (std::vector<std::string>{"negative", "positive"}));
  const auto head_predictions = head_model->predict({&document, &document});
  ASSERT_EQ(head_predictions.size(), 2u);
  EXPECT_EQ(head_predictions[0].label, "positive");

  const auto gguf_model = shopsight::open_classifier(gguf, {});
  EXPECT_EQ(gguf_model->labels(), (std::vector<std::string>{"bad", "good"}));
  const auto gguf_predictions = gguf_model->predict({&document});
  ASSERT_EQ(gguf_predictions.size(), 1u);
  EXPECT_NEAR(gguf_predictions[0].scores[0].probability + gguf_predictions[0].scores[1].probability, 1.0, 1e-4);

  // An encoder without a classifier head, and a text file, are neither kind.
  EXPECT_THROW(shopsight::open_classifier(generated_model("bert"), {}), shopsight::Error);
  std::ofstream(path("notes.txt")) << "not a model\n";
  EXPECT_THROW(shopsight::detect_classifier_kind(path("notes.txt")), shopsight::Error);
}

TEST_F(HeadTest, TrainThenEvalCommand) {
  const std::string data = std::string(SHOPSIGHT_TEST_DATA) + "/head_train.csv";
  const std::string common = " --data " + data + " --text text --label label";
  const auto train = shopsight::testing::run_shopsight("--lang en train --embedding-model " + generated_model("bert") +
                                                       common + " --out " + path("cli.head"));
  ASSERT_EQ(train.status, 0) << train.output;
  EXPECT_NE(train.output.find("40 embeddings computed, 0 read from the cache"), std::string::npos) << train.output;
  EXPECT_TRUE(fs::exists(path("shopsight-embeddings.sqlite")));

  const auto again = shopsight::testing::run_shopsight("--lang en train --embedding-model " + generated_model("bert") +
                                                       common + " --out " + path("cli.head"));
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_NE(again.output.find("0 embeddings computed, 40 read from the cache"), std::string::npos) << again.output;

  const auto eval = shopsight::testing::run_shopsight("--lang en --log-level warn eval --model " + path("cli.head") +
                                                      " --output-format json" + common);
  ASSERT_EQ(eval.status, 0) << eval.output;
  const auto report = nlohmann::json::parse(eval.output.substr(eval.output.find('{')));
  EXPECT_EQ(report["count"], 40);
  EXPECT_GE(report["accuracy"].get<double>(), 0.9);
}

TEST_F(HeadTest, NanModelNeverCached) {
  const LabelledTexts rows = read_head_train();
  const std::string model = path("nan.gguf");
  shopsight::testing::write_nan_model("bert", "", model);
  CachedEmbedder embedder(model, path("cache.sqlite"), 2);
  const std::string message = error_message([&] { embedder.embed(rows.texts); });
  EXPECT_NE(message.find(model), std::string::npos) << message;
  EXPECT_NE(message.find("NaN"), std::string::npos) << message;
  EXPECT_EQ(sqlite_value(path("cache.sqlite"), "SELECT count(*) FROM embeddings"), 0);
}

TEST_F(HeadTest, NanCachedVectorsRecomputed) {
  const LabelledTexts rows = read_head_train();
  {
    CachedEmbedder embedder(generated_model("bert"), path("cache.sqlite"), 2);
    embedder.embed(rows.texts);
  }
  // 64 floats of 0xFFFFFFFF, which is NaN, as older versions stored them.
  std::string nan_blob = "X'";
  for (int i = 0; i < 64; ++i) nan_blob += "FFFFFFFF";
  nan_blob += "'";
  sqlite_value(path("cache.sqlite"), "UPDATE embeddings SET vector = " + nan_blob);

  CachedEmbedder again(generated_model("bert"), path("cache.sqlite"), 2);
  const auto vectors = again.embed(rows.texts);
  EXPECT_EQ(again.cached(), 0);
  EXPECT_EQ(again.computed(), static_cast<std::int64_t>(rows.texts.size()));
  for (const auto& vector : vectors) EXPECT_TRUE(shopsight::all_finite(vector));
}

TEST_F(HeadTest, NanTrainingVectorsRejected) {
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> labels;
  make_blobs(60, 3, vectors, labels);
  std::vector<std::vector<float>> dev = {vectors[0], vectors[1]};
  const std::vector<std::string> dev_labels = {labels[0], labels[1]};
  dev[1][2] = INFINITY;
  const std::string dev_message = error_message([&] { EmbeddingHead::train(vectors, labels, dev, dev_labels, {}); });
  EXPECT_NE(dev_message.find("dev vector 2"), std::string::npos) << dev_message;

  vectors[4][3] = NAN;
  for (const std::string kind : {"logistic", "mlp"}) {
    HeadTrainOptions options;
    options.kind = kind;
    const std::string message = error_message([&] { EmbeddingHead::train(vectors, labels, {}, {}, options); });
    EXPECT_NE(message.find("training vector 5"), std::string::npos) << kind << ": " << message;
  }
}

TEST_F(HeadTest, NanModelCommandsFail) {
  const std::string data = std::string(SHOPSIGHT_TEST_DATA) + "/head_train.csv";
  const std::string encoder = path("nan.gguf");
  const std::string classifier = path("nan-classifier.gguf");
  shopsight::testing::write_nan_model("bert", "", encoder);
  shopsight::testing::write_nan_model("bert-classifier", "", classifier);

  const auto train = shopsight::testing::run_shopsight("--lang en train --embedding-model " + encoder + " --data " +
                                                       data + " --label label --out " + path("nan.head"));
  EXPECT_NE(train.status, 0) << train.output;
  EXPECT_NE(train.output.find(encoder), std::string::npos) << train.output;
  EXPECT_FALSE(fs::exists(path("nan.head")));

  const std::string reviews = std::string(SHOPSIGHT_TEST_DATA) + "/../../../examples/reviews.csv";
  const auto analyze =
      shopsight::testing::run_shopsight("--lang en analyze " + reviews + " --sentiment-model " + classifier + " -o -");
  EXPECT_NE(analyze.status, 0) << analyze.output;
  EXPECT_NE(analyze.output.find(classifier), std::string::npos) << analyze.output;
  EXPECT_EQ(analyze.output.find("\"probability\":null"), std::string::npos) << analyze.output;

  const auto ingest = shopsight::testing::run_shopsight("--lang en ingest " + reviews + " --db " + path("store.db") +
                                                        " --sentiment-model " + classifier);
  EXPECT_NE(ingest.status, 0) << ingest.output;
  EXPECT_NE(ingest.output.find(classifier), std::string::npos) << ingest.output;
  EXPECT_EQ(ingest.output.find("constraint"), std::string::npos) << ingest.output;
}

TEST_F(HeadTest, MiddleChangeChangesIdentity) {
  const LabelledTexts rows = read_head_train();
  const std::string original = path("a.gguf");
  const std::string changed = path("b.gguf");
  fs::copy_file(generated_model("bert"), original);
  fs::copy_file(generated_model("bert"), changed);
  // One low mantissa bit in the middle of the weights, more than 1 MiB from either end.
  {
    std::fstream file(changed, std::ios::binary | std::ios::in | std::ios::out);
    const auto middle = static_cast<std::streamoff>(fs::file_size(changed) / 2);
    ASSERT_GT(middle, std::streamoff{1} << 21);
    char byte = 0;
    file.seekg(middle);
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x01);
    file.seekp(middle);
    file.write(&byte, 1);
  }
  EXPECT_NE(shopsight::fingerprint_model_file(original).key(), shopsight::fingerprint_model_file(changed).key());

  save_text_head(original, path("cache.sqlite"), path("a.head"));
  CachedEmbedder other(changed, path("cache.sqlite"), 2);
  other.embed(rows.texts);
  EXPECT_EQ(other.cached(), 0);
  EXPECT_EQ(other.computed(), static_cast<std::int64_t>(rows.texts.size()));

  shopsight::ClassifierOptions options;
  options.embedding_model = changed;
  const std::string message = error_message([&] { shopsight::open_classifier(path("a.head"), options); });
  EXPECT_NE(message.find("not the one the head"), std::string::npos) << message;
}

TEST_F(HeadTest, OldHeadAsksForTraining) {
  std::vector<std::vector<float>> vectors;
  std::vector<std::string> labels;
  make_blobs(60, 4, vectors, labels);
  EmbeddingHead head = EmbeddingHead::train(vectors, labels, {}, {}, {});
  head.set_embedding_model(generated_model("bert"), shopsight::fingerprint_model_file(generated_model("bert")));
  head.save(path("old.head"));

  // The embedding model reference as versions before the whole-file hash wrote it.
  shopsight::model::ModelFile file = shopsight::model::read_model_file(path("old.head"));
  file.header["embedding_model"].erase("xxh3");
  file.header["embedding_model"]["checksum"] = 2864434397u;
  shopsight::model::write_model_file(path("old.head"), file);

  const std::string message = error_message([&] { EmbeddingHead::load(path("old.head")); });
  EXPECT_NE(message.find("old.head"), std::string::npos) << message;
  EXPECT_NE(message.find("train the head again"), std::string::npos) << message;
}

TEST_F(HeadTest, MissingModelAdviceFitsCommand) {
  const std::string model = path("moved.gguf");
  fs::copy_file(generated_model("bert"), model);
  save_text_head(model, "", path("moved.head"));
  fs::remove(model);
  const std::string message = error_message([&] { shopsight::open_classifier(path("moved.head"), {}); });
  EXPECT_NE(message.find("analyze and serve"), std::string::npos) << message;

  shopsight::ClassifierOptions options;
  options.embedding_model = path("elsewhere.gguf");
  const std::string explicit_path = error_message([&] { shopsight::open_classifier(path("moved.head"), options); });
  EXPECT_NE(explicit_path.find("check the path given with --embedding-model"), std::string::npos) << explicit_path;
}

TEST_F(HeadTest, DecoderAdviceNamesClassifier) {
  const std::string decoder = generated_model("llama");
  const std::string message = error_message([&] { shopsight::open_classifier(decoder, {}); });
  EXPECT_NE(message.find("is a text generation model, not a classifier"), std::string::npos) << message;
  EXPECT_EQ(message.find("--embedding-model " + decoder), std::string::npos) << message;
}

}  // namespace
