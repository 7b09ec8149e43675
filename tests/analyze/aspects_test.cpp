// Tests of aspect extraction: the lexicon, the learned model, scoring, and
// the eval-aspects and train-aspects commands run end to end.

#include <gtest/gtest.h>

#include "support/run_shopsight.h"
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "analyze/aspect_eval.h"
#include "analyze/aspect_lexicon.h"
#include "analyze/aspect_model.h"
#include "analyze/aspect_tagger.h"
#include "analyze/aspects.h"
#include "common/error.h"
#include "common/utf8.h"

namespace {

namespace fs = std::filesystem;
using shopsight::AspectLexicon;
using shopsight::AspectSpan;

const std::string kLexiconPath = std::string(SHOPSIGHT_DATA_DIR) + "/models/default/aspects.lexicon";
const std::string kData = SHOPSIGHT_TEST_DATA;

std::shared_ptr<const AspectLexicon> shipped_lexicon() {
  static const auto lexicon = std::make_shared<const AspectLexicon>(AspectLexicon::load(kLexiconPath));
  return lexicon;
}

const shopsight::Normalizer& normalizer() {
  static const shopsight::Normalizer instance;
  return instance;
}

// A mention as readable text: category|aspect|opinion|polarity.
std::string describe(const shopsight::Document& document, const AspectSpan& span) {
  const std::string& text = document.normalized.text;
  const std::string aspect = span.aspect_begin >= 0 ? shopsight::utf8::substr(text, span.aspect_begin, span.aspect_end) : "_";
  const std::string opinion =
      span.opinion_begin >= 0 ? shopsight::utf8::substr(text, span.opinion_begin, span.opinion_end) : "_";
  return span.category + "|" + aspect + "|" + opinion + "|" + span.polarity;
}

std::vector<std::string> describe_all(const shopsight::AspectExtractor& extractor, const std::string& text) {
  const shopsight::Document document = shopsight::make_document(normalizer(), text);
  std::vector<std::string> out;
  for (const AspectSpan& span : extractor.extract(document)) out.push_back(describe(document, span));
  return out;
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("shopsight_aspects_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// Checks the category, offsets and polarity of `span`. The message prints
// them in that order.
void expect_span(const AspectSpan& span, const AspectSpan& expected) {
  const auto checked = [](const AspectSpan& each) {
    return std::tie(each.category, each.aspect_begin, each.aspect_end, each.opinion_begin, each.opinion_end,
                    each.polarity);
  };
  EXPECT_EQ(checked(span), checked(expected));
}

using RunResult = shopsight::testing::CommandResult;

RunResult run(const std::string& arguments) { return shopsight::testing::run_shopsight(arguments); }

TEST(AspectLexicon, ChineseSpansAndNegation) {
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  const shopsight::Document document = shopsight::make_document(normalizer(), "物流很快，包装不太好");
  const std::vector<AspectSpan> spans = extractor.extract(document);
  ASSERT_EQ(spans.size(), 2u);

  expect_span(spans[0], {.category = "logistics", .aspect_begin = 0, .aspect_end = 2,
                          .opinion_begin = 2, .opinion_end = 4, .polarity = "positive"});

  expect_span(spans[1], {.category = "packaging", .aspect_begin = 5, .aspect_end = 7,
                          .opinion_begin = 7, .opinion_end = 10, .polarity = "negative"});
}

TEST(AspectLexicon, EnglishSpansAndNegation) {
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  const shopsight::Document document = shopsight::make_document(normalizer(), "The battery life is not good.");
  const std::vector<AspectSpan> spans = extractor.extract(document);
  ASSERT_EQ(spans.size(), 1u);
  expect_span(spans[0], {.category = "function", .aspect_begin = 4, .aspect_end = 16,
                          .opinion_begin = 20, .opinion_end = 28, .polarity = "negative"});
}

TEST(AspectLexicon, EnglishWordBoundaries) {
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  // "goodness" must not match "good", and "sizes" matches "size" as a plural.
  EXPECT_TRUE(describe_all(extractor, "Goodness me.").empty());
  const std::vector<std::string> spans = describe_all(extractor, "All sizes run too small");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0], "size_fit|sizes|too small|negative");
}

TEST(AspectLexicon, OpinionOnlyIsOverall) {
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  const std::vector<std::string> praise = describe_all(extractor, "非常满意");
  ASSERT_EQ(praise.size(), 1u);
  EXPECT_EQ(praise[0], "overall|_|非常满意|positive");

  // An opinion word that implies a category keeps it without an aspect term.
  const std::vector<std::string> cheap = describe_all(extractor, "真便宜");
  ASSERT_EQ(cheap.size(), 1u);
  EXPECT_EQ(cheap[0], "price|_|真便宜|positive");
}

TEST(AspectLexicon, GenericShopReviews) {
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  EXPECT_EQ(describe_all(extractor, "尺码偏小，面料很舒服"),
            (std::vector<std::string>{"size_fit|尺码|偏小|negative", "quality|面料|很舒服|positive"}));
  EXPECT_EQ(describe_all(extractor, "快递太慢了，客服态度也差"),
            (std::vector<std::string>{"logistics|快递|太慢|negative", "service|态度|也差|negative"}));
  EXPECT_EQ(describe_all(extractor, "Shipping was slow but the fabric is soft"),
            (std::vector<std::string>{"logistics|shipping|slow|negative", "quality|fabric|soft|positive"}));
}

TEST(AspectLexicon, CustomFileLoaded) {
  const fs::path dir = temp_dir("custom");
  write_file(dir / "shop.lexicon",
             "# a shop's own category\n"
             "aspect\tzh\twarranty_terms\t保修|质保\n"
             "opinion\tzh\tpositive\t靠谱\n"
             "degree\t*\t-\t很\n");
  const auto lexicon = std::make_shared<const AspectLexicon>(AspectLexicon::load((dir / "shop.lexicon").string()));
  EXPECT_EQ(lexicon->size(), 4u);
  const shopsight::LexiconAspectExtractor extractor(lexicon);
  EXPECT_EQ(describe_all(extractor, "质保很靠谱"), (std::vector<std::string>{"warranty_terms|质保|很靠谱|positive"}));
}

TEST(AspectLexicon, BadLineNamesFileAndLine) {
  const fs::path dir = temp_dir("bad");
  const fs::path path = dir / "bad.lexicon";
  write_file(path, "# comment\naspect\tzh\tprice\t价格\nopinion\tzh\tgreat\t好\n");
  try {
    AspectLexicon::load(path.string());
    FAIL() << "an invalid polarity was accepted";
  } catch (const shopsight::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string() + ":3"), std::string::npos) << message;
    EXPECT_NE(message.find("great"), std::string::npos) << message;
  }

  write_file(path, "aspect\tzh\tprice\n");
  EXPECT_THROW(AspectLexicon::load(path.string()), shopsight::Error);
  EXPECT_THROW(AspectLexicon::load((dir / "missing.lexicon").string()), shopsight::Error);
}

TEST(AspectScoring, TinyGoldSet) {
  const std::vector<shopsight::AspectReview> reviews =
      shopsight::read_aspect_reviews_zh(kData + "/aspects_reviews.csv", kData + "/aspects_labels.csv");
  ASSERT_EQ(reviews.size(), 3u);
  ASSERT_EQ(reviews[0].gold.size(), 2u);
  EXPECT_EQ(reviews[1].gold[0].aspect_begin, -1);
  EXPECT_EQ(reviews[2].gold[1].category, "smell");

  // The lexicon finds four of the five quadruples: 清新 is not in it.
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  const shopsight::AspectScores scores = shopsight::evaluate_aspects(extractor, normalizer(), reviews);
  EXPECT_EQ(scores.reviews, 3);
  EXPECT_EQ(scores.exact.gold, 5);
  EXPECT_EQ(scores.exact.predicted, 4);
  EXPECT_EQ(scores.exact.matched, 4);
  EXPECT_NEAR(scores.exact.f1(), 8.0 / 9.0, 1e-9);
  EXPECT_EQ(scores.category_polarity.matched, 4);
  EXPECT_EQ(scores.category_polarity.gold, 5);
  EXPECT_EQ(scores.aspect_term.gold, 4);
  EXPECT_EQ(scores.aspect_term.predicted, 3);
  EXPECT_EQ(scores.aspect_term.matched, 3);
}

TEST(AspectScoring, PoolScoresAddsCounts) {
  shopsight::AspectScores first;
  first.reviews = 2;
  first.aspect_term = {3, 4, 5};
  first.exact = {1, 2, 3};
  first.seconds = 0.5;
  shopsight::AspectScores second;
  second.reviews = 1;
  second.aspect_term = {1, 1, 2};
  second.category_polarity = {2, 2, 2};
  second.seconds = 0.25;

  const shopsight::AspectScores pooled = shopsight::pool_scores({first, second});
  EXPECT_EQ(pooled.reviews, 3);
  EXPECT_EQ(pooled.aspect_term.matched, 4);
  EXPECT_EQ(pooled.aspect_term.predicted, 5);
  EXPECT_EQ(pooled.aspect_term.gold, 7);
  EXPECT_EQ(pooled.exact.gold, 3);
  EXPECT_EQ(pooled.category_polarity.matched, 2);
  EXPECT_DOUBLE_EQ(pooled.seconds, 0.75);
}

TEST(AspectCrossValidation, ScoresEveryTextOnce) {
  const std::vector<shopsight::AspectReview> reviews =
      shopsight::read_aspect_reviews_zh(kData + "/aspects_reviews.csv", kData + "/aspects_labels.csv");
  const std::vector<shopsight::AspectScores> folds = shopsight::cross_validate_aspects(
      "zh", reviews, 3, shipped_lexicon(), normalizer(), shopsight::AspectTrainOptions{});
  ASSERT_EQ(folds.size(), 3u);
  for (const shopsight::AspectScores& fold : folds) EXPECT_EQ(fold.reviews, 1);

  // Text i is scored in fold i mod 3, so each fold contains the gold terms of one text.
  EXPECT_EQ(folds[0].exact.gold, 2);
  const shopsight::AspectScores pooled = shopsight::pool_scores(folds);
  EXPECT_EQ(pooled.exact.gold, 5);
  EXPECT_EQ(pooled.aspect_term.gold, 4);
}

TEST(AspectCrossValidation, InvalidFoldCounts) {
  const std::vector<shopsight::AspectReview> reviews =
      shopsight::read_aspect_reviews_zh(kData + "/aspects_reviews.csv", kData + "/aspects_labels.csv");
  const shopsight::AspectTrainOptions options;
  EXPECT_THROW(shopsight::cross_validate_aspects("zh", reviews, 1, shipped_lexicon(), normalizer(), options),
               shopsight::Error);
  EXPECT_THROW(shopsight::cross_validate_aspects("zh", reviews, 4, shipped_lexicon(), normalizer(), options),
               shopsight::Error);
}

TEST(AspectScoring, BadLabelNamesLine) {
  try {
    shopsight::read_aspect_reviews_zh(kData + "/aspects_reviews.csv", kData + "/aspects_bad_labels.csv");
    FAIL() << "a bad offset was accepted";
  } catch (const shopsight::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("aspects_bad_labels.csv:3"), std::string::npos) << message;
    EXPECT_NE(message.find("x7"), std::string::npos) << message;
  }
}

TEST(AspectScoring, OffsetsOfOriginalText) {
  // Full-width letters and a tag change the normalized text; gold offsets
  // refer to the original, so predictions are mapped back before scoring.
  const std::vector<shopsight::AspectReview> reviews = {
      {"1", "<b>ＰＲＩＣＥ</b> is great", {{"price", 3, 8, 16, 21, "positive", "", ""}}}};
  const shopsight::LexiconAspectExtractor extractor(shipped_lexicon());
  const shopsight::AspectScores scores = shopsight::evaluate_aspects(extractor, normalizer(), reviews);
  EXPECT_EQ(scores.exact.matched, 1) << scores.exact.predicted;
}

std::vector<shopsight::AspectTrainingExample> tiny_examples() {
  return shopsight::make_training_examples(
      normalizer(), shopsight::read_aspect_reviews_zh(kData + "/aspects_reviews.csv", kData + "/aspects_labels.csv"));
}

// Checks that `loaded` finds the same mentions as `model` in each of `texts`.
void expect_same_mentions(const shopsight::LearnedAspectModel& model, const shopsight::LearnedAspectModel& loaded,
                          std::initializer_list<const char*> texts) {
  for (const char* text : texts) {
    const shopsight::Document document = shopsight::make_document(normalizer(), text);
    const std::vector<char32_t> decoded = shopsight::utf8::decode(document.normalized.text);
    const std::u32string code_points(decoded.begin(), decoded.end());
    std::vector<std::string> before;
    std::vector<std::string> after;
    for (const auto& span : model.extract(document, code_points, *shipped_lexicon())) before.push_back(describe(document, span));
    for (const auto& span : loaded.extract(document, code_points, *shipped_lexicon())) after.push_back(describe(document, span));
    EXPECT_EQ(before, after) << text;
  }
}

// Trains the Chinese model on the tiny examples, saves it to `path` and
// returns the file's bytes.
std::string save_tiny_model(const std::string& path) {
  const shopsight::LearnedAspectModel model =
      shopsight::LearnedAspectModel::train("zh", tiny_examples(), *shipped_lexicon(), shopsight::AspectTrainOptions{});
  model.save(path);
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(AspectModel, SaveLoadRoundTrip) {
  const std::vector<shopsight::AspectTrainingExample> examples = tiny_examples();
  ASSERT_EQ(examples.size(), 3u);
  shopsight::LearnedAspectModel model =
      shopsight::LearnedAspectModel::train("zh", examples, *shipped_lexicon(), shopsight::AspectTrainOptions{});
  model.set_metadata("training_data", "tiny");
  const fs::path dir = temp_dir("round_trip");
  const std::string path = (dir / "aspects-zh.model").string();
  model.save(path);
  const shopsight::LearnedAspectModel loaded = shopsight::LearnedAspectModel::load(path);

  EXPECT_EQ(loaded.language(), "zh");
  EXPECT_EQ(loaded.metadata().at("training_data"), "tiny");
  EXPECT_EQ(loaded.categories(), model.categories());
  expect_same_mentions(model, loaded, {"物流很快，包装不太好", "价格便宜，味道很清新", "快递很慢"});

  // The training texts themselves come back exactly.
  const shopsight::Document document = shopsight::make_document(normalizer(), "物流很快，包装不太好");
  const std::vector<char32_t> decoded = shopsight::utf8::decode(document.normalized.text);
  std::vector<std::string> found;
  for (const auto& span : loaded.extract(document, std::u32string(decoded.begin(), decoded.end()), *shipped_lexicon())) {
    found.push_back(describe(document, span));
  }
  EXPECT_EQ(found, (std::vector<std::string>{"logistics|物流|很快|positive", "packaging|包装|不太好|negative"}));
}

TEST(AspectModel, CorruptFileNamed) {
  const fs::path dir = temp_dir("corrupt");
  const std::string path = (dir / "aspects-zh.model").string();
  const std::string bytes = save_tiny_model(path);
  const auto expect_error = [&](const std::string& content, const std::string& what) {
    write_file(path, content);
    try {
      shopsight::LearnedAspectModel::load(path);
      ADD_FAILURE() << what << " was accepted";
    } catch (const shopsight::Error& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << what << ": " << error.what();
    }
  };

  std::string flipped = bytes;
  flipped[bytes.size() / 2] = static_cast<char>(flipped[bytes.size() / 2] ^ 0x5A);
  expect_error(flipped, "a flipped byte");
  expect_error(bytes.substr(0, bytes.size() - 9), "a truncated file");
  expect_error("not a model at all, just some text", "a text file");
  EXPECT_THROW(shopsight::LearnedAspectModel::load((dir / "missing.model").string()), shopsight::Error);
}

TEST(AspectModel, EnglishRoundTripKeepsGazetteer) {
  // Gold aspect terms by original code point offsets.
  const auto review = [](const std::string& text, std::vector<std::pair<std::int32_t, std::int32_t>> terms) {
    shopsight::AspectReview out;
    out.text = text;
    for (const auto& [begin, end] : terms) {
      AspectSpan span;
      span.aspect_begin = begin;
      span.aspect_end = end;
      span.polarity = "positive";
      out.gold.push_back(span);
    }
    return out;
  };
  const std::vector<shopsight::AspectReview> reviews = {
      review("The battery life is great.", {{4, 16}}),
      review("I love the keyboard and the screen.", {{11, 19}, {28, 34}}),
      review("The screen was bright but the battery life was short.", {{4, 10}, {30, 42}}),
      review("My keyboard broke after a week.", {{3, 11}}),
  };
  const shopsight::LearnedAspectModel model = shopsight::LearnedAspectModel::train(
      "en", shopsight::make_training_examples(normalizer(), reviews), *shipped_lexicon(), shopsight::AspectTrainOptions{});
  const fs::path dir = temp_dir("round_trip_en");
  const std::string path = (dir / "aspects-en.model").string();
  model.save(path);
  const shopsight::LearnedAspectModel loaded = shopsight::LearnedAspectModel::load(path);
  EXPECT_EQ(loaded.language(), "en");

  expect_same_mentions(model, loaded, {"The keyboard is nice.", "Battery life could be better, the screen is fine.", "ok"});
}

TEST(AspectModel, OlderFormatVersionRejected) {
  const fs::path dir = temp_dir("old_version");
  const std::string path = (dir / "aspects-zh.model").string();
  std::string bytes = save_tiny_model(path);

  // The version is the little-endian 32-bit value after the 8-byte magic;
  // version 1 files lack the gazetteer and cannot be read.
  bytes[8] = 1;
  bytes[9] = 0;
  bytes[10] = 0;
  bytes[11] = 0;
  write_file(path, bytes);
  try {
    shopsight::LearnedAspectModel::load(path);
    ADD_FAILURE() << "a version 1 file was accepted";
  } catch (const shopsight::Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("older"), std::string::npos) << message;
  }
}

TEST(AspectModel, LoaderFallsBackToLexicon) {
  const fs::path dir = temp_dir("loader");
  fs::copy_file(kLexiconPath, dir / "aspects.lexicon");
  const std::unique_ptr<shopsight::AspectExtractor> extractor = shopsight::load_aspect_extractor(dir.string(), "");
  EXPECT_EQ(describe_all(*extractor, "物流很快"), (std::vector<std::string>{"logistics|物流|很快|positive"}));
  EXPECT_THROW(shopsight::load_aspect_extractor((dir / "none").string(), ""), shopsight::Error);
}

// The tagger reads a compact copy of its weights when tagging; it must
// agree with decoding over the dense weights, before and after saving.
TEST(SequenceTagger, FlatFeaturesMatchNested) {
  std::vector<shopsight::SequenceTagger::Sequence> sequences;
  for (std::uint32_t s = 0; s < 40; ++s) {
    shopsight::SequenceTagger::Sequence sequence;
    for (std::uint32_t i = 0; i < 6; ++i) {
      const std::uint32_t word = (s * 7 + i * 3) % 11;
      sequence.features.push_back({word, 100 + (word + 1) % 11, 200 + i});
      sequence.tags.push_back(word < 3 ? shopsight::kTagAspectBegin : (word < 5 ? shopsight::kTagOpinionBegin : shopsight::kTagOutside));
    }
    sequences.push_back(std::move(sequence));
  }
  shopsight::SequenceTagger tagger(10);
  tagger.train(sequences, 3, 7);

  shopsight::ByteWriter writer;
  tagger.save(writer);
  shopsight::ByteReader reader(writer.bytes(), "tagger");
  const shopsight::SequenceTagger loaded = shopsight::SequenceTagger::load(reader);

  for (const auto& sequence : sequences) {
    std::vector<std::uint32_t> flat;
    std::vector<std::uint32_t> offsets = {0};
    for (const shopsight::UnitFeatures& unit : sequence.features) {
      flat.insert(flat.end(), unit.begin(), unit.end());
      offsets.push_back(static_cast<std::uint32_t>(flat.size()));
    }
    const std::vector<int> nested = tagger.tag(sequence.features);
    EXPECT_EQ(tagger.tag(flat, offsets), nested);
    EXPECT_EQ(loaded.tag(flat, offsets), nested);
  }
  EXPECT_TRUE(tagger.tag(std::vector<std::uint32_t>{}, std::vector<std::uint32_t>{0}).empty());
}

TEST(AspectModel, EmptyAndPunctuationOnly) {
  const fs::path dir = temp_dir("empty");
  fs::copy_file(kLexiconPath, dir / "aspects.lexicon");
  shopsight::LearnedAspectModel::train("zh", tiny_examples(), *shipped_lexicon(), shopsight::AspectTrainOptions{})
      .save((dir / "aspects-zh.model").string());
  const std::unique_ptr<shopsight::AspectExtractor> extractor = shopsight::load_aspect_extractor(dir.string(), "");
  for (const char* text : {"", "   ", "，。！？", "!!!", "12345"}) {
    EXPECT_TRUE(describe_all(*extractor, text).empty()) << "[" << text << "]";
  }
}

// The shipped Chinese model learned its categories from cosmetics reviews,
// where every aspect term with 动 is 活动 (a promotion, so price). The
// lexicon gives washer vibration terms, which share that character, their
// category.
TEST(AspectModel, WasherTermsKeepTheirCategory) {
  const std::unique_ptr<shopsight::AspectExtractor> extractor =
      shopsight::load_aspect_extractor(std::string(SHOPSIGHT_DATA_DIR) + "/models/default", "");
  for (const char* text : {"振动有点大", "振动 有点大", "甩干的时候震动太大"}) {
    const std::vector<std::string> mentions = describe_all(*extractor, text);
    ASSERT_EQ(mentions.size(), 1u) << text;
    EXPECT_TRUE(mentions[0].starts_with("function|")) << text << ": " << mentions[0];
  }
}

TEST(AspectModel, ChineseDevBars) {
  const std::string folder = std::string(SHOPSIGHT_DATASETS) + "/aspects-zh";
  if (!fs::exists(folder + "/train_labels.csv") || !fs::exists(folder + "/dev_labels.csv")) {
    GTEST_SKIP() << "aspects-zh data set not found under " << folder;
  }
  const auto train = shopsight::read_aspect_reviews_zh(folder + "/train_reviews.csv", folder + "/train_labels.csv");
  const auto dev = shopsight::read_aspect_reviews_zh(folder + "/dev_reviews.csv", folder + "/dev_labels.csv");
  std::vector<shopsight::LearnedAspectModel> models;
  models.push_back(shopsight::LearnedAspectModel::train("zh", shopsight::make_training_examples(normalizer(), train),
                                                        *shipped_lexicon(), shopsight::AspectTrainOptions{}));
  const shopsight::CombinedAspectExtractor extractor(shipped_lexicon(), std::move(models));
  const shopsight::AspectScores scores = shopsight::evaluate_aspects(extractor, normalizer(), dev);
  EXPECT_GE(scores.category_polarity.f1(), 0.85);
  EXPECT_GE(scores.exact.f1(), 0.65);

  const shopsight::LexiconAspectExtractor baseline(shipped_lexicon());
  const shopsight::AspectScores lexicon_scores = shopsight::evaluate_aspects(baseline, normalizer(), dev);
  EXPECT_GT(scores.exact.f1(), lexicon_scores.exact.f1());
}

TEST(AspectCommands, EvalAspectsJson) {
  const fs::path dir = temp_dir("cli_eval");
  fs::copy_file(kLexiconPath, dir / "aspects.lexicon");
  const RunResult result = run("--log-level off eval-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                               kData + "/aspects_labels.csv --semeval " + kData + "/aspects_semeval.xml --model-dir " +
                               dir.string() + " --output-format json");
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json figures = nlohmann::json::parse(result.output);
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_EQ(figures[0]["texts"], 3);
  EXPECT_NEAR(figures[0]["lexicon"]["exact"]["f1"].get<double>(), 8.0 / 9.0, 1e-6);
  EXPECT_NEAR(figures[0]["model"]["exact"]["f1"].get<double>(), 8.0 / 9.0, 1e-6);
  EXPECT_EQ(figures[1]["texts"], 2);
  // battery life and screen are both lexicon aspect terms.
  EXPECT_EQ(figures[1]["lexicon"]["aspect_term"]["matched"], 2);
}

TEST(AspectCommands, EvalAspectsBadLabels) {
  const RunResult result = run("--lang en eval-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                               kData + "/aspects_bad_labels.csv");
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("aspects_bad_labels.csv:3"), std::string::npos) << result.output;
}

TEST(AspectCommands, TrainThenEval) {
  const fs::path dir = temp_dir("cli_train");
  fs::copy_file(kLexiconPath, dir / "aspects.lexicon");
  const RunResult trained = run("--log-level off train-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                                kData + "/aspects_labels.csv --semeval " + kData + "/aspects_semeval.xml --output-dir " +
                                dir.string());
  ASSERT_EQ(trained.status, 0) << trained.output;
  EXPECT_TRUE(fs::exists(dir / "aspects-zh.model"));
  EXPECT_TRUE(fs::exists(dir / "aspects-en.model"));

  const RunResult evaluated = run("--lang en eval-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                                  kData + "/aspects_labels.csv --model-dir " + dir.string() + " --output-format text");
  ASSERT_EQ(evaluated.status, 0) << evaluated.output;
  EXPECT_NE(evaluated.output.find("exact (aspect, opinion, category, polarity)"), std::string::npos)
      << evaluated.output;
}

TEST(AspectCommands, TrainWritesAUsableFolder) {
  const fs::path dir = temp_dir("cli_train_folder");
  const RunResult trained = run("--log-level info --lang en train-aspects --zh-reviews " + kData +
                                "/aspects_reviews.csv --zh-labels " + kData + "/aspects_labels.csv --output-dir " +
                                dir.string());
  ASSERT_EQ(trained.status, 0) << trained.output;
  EXPECT_NE(trained.output.find("copied the aspect lexicon"), std::string::npos) << trained.output;
  ASSERT_TRUE(fs::exists(dir / "aspects.lexicon"));
  EXPECT_EQ(fs::file_size(dir / "aspects.lexicon"), fs::file_size(kLexiconPath));

  const RunResult evaluated = run("--lang en eval-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                                  kData + "/aspects_labels.csv --model-dir " + dir.string());
  EXPECT_EQ(evaluated.status, 0) << evaluated.output;
}

TEST(AspectCommands, ChineseUsesOneWordForAspect) {
  const RunResult help = run("--lang zh eval-aspects --help");
  EXPECT_EQ(help.status, 0) << help.output;
  EXPECT_NE(help.output.find("方面"), std::string::npos) << help.output;
  EXPECT_EQ(help.output.find("属性"), std::string::npos) << help.output;

  const RunResult scored = run("--lang zh eval-aspects --zh-reviews " + kData + "/aspects_reviews.csv --zh-labels " +
                               kData + "/aspects_labels.csv");
  EXPECT_EQ(scored.status, 0) << scored.output;
  EXPECT_NE(scored.output.find("正在评估 3 条带标注的文本"), std::string::npos) << scored.output;
  EXPECT_EQ(scored.output.find("属性"), std::string::npos) << scored.output;
}

TEST(AspectCommands, TrainCrossValidation) {
  const fs::path dir = temp_dir("cli_cv");
  const RunResult result = run("--log-level off --lang en train-aspects --zh-reviews " + kData +
                               "/aspects_reviews.csv --zh-labels " + kData + "/aspects_labels.csv --semeval " + kData +
                               "/aspects_semeval.xml --cv 2 --output-dir " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  // One header per language, two folds and the pooled row each.
  EXPECT_NE(result.output.find("zh       pooled"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("en       pooled"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("en       2 "), std::string::npos) << result.output;
  // Cross-validation writes no model, even with --output-dir.
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(AspectCommands, TrainStoresSeed) {
  const fs::path dir = temp_dir("cli_seed");
  const RunResult result = run("--log-level off train-aspects --semeval " + kData + "/aspects_semeval.xml --seed 7 "
                               "--output-dir " + dir.string());
  ASSERT_EQ(result.status, 0) << result.output;
  const shopsight::LearnedAspectModel model = shopsight::LearnedAspectModel::load((dir / "aspects-en.model").string());
  EXPECT_EQ(model.metadata().at("seed"), "7");
}

TEST(AspectCommands, TrainRejectsBadFoldCount) {
  const RunResult one_fold = run("--lang en train-aspects --semeval " + kData + "/aspects_semeval.xml --cv 1");
  EXPECT_EQ(one_fold.status, 1) << one_fold.output;
  EXPECT_NE(one_fold.output.find("--cv 1 is invalid"), std::string::npos) << one_fold.output;

  const RunResult no_output = run("--lang en train-aspects --semeval " + kData + "/aspects_semeval.xml");
  EXPECT_EQ(no_output.status, 1) << no_output.output;
  EXPECT_NE(no_output.output.find("--output-dir is missing"), std::string::npos) << no_output.output;
}

}  // namespace
