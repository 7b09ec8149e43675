#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "model/features.h"
#include "synthetic.h"

namespace shopsight {
namespace {

using model::extract_features;
using model::FeatureConfig;

TEST(Features, Deterministic) {
  const Document document = testing::make_example("质量很好，物流也快 great value", "1").document;
  FeatureConfig config;
  config.hash_bits = 18;
  const auto first = extract_features(document, config);
  const auto second = extract_features(testing::make_example("质量很好，物流也快 great value", "1").document, config);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].bucket, second[i].bucket);
    EXPECT_EQ(first[i].count, second[i].count);
  }
}

TEST(Features, SortedUniqueBuckets) {
  const Document document = testing::make_example("好好好好 nice nice", "1").document;
  FeatureConfig config;
  config.hash_bits = 12;
  const auto features = extract_features(document, config);
  ASSERT_FALSE(features.empty());
  for (std::size_t i = 1; i < features.size(); ++i) EXPECT_LT(features[i - 1].bucket, features[i].bucket);
  for (const auto& feature : features) EXPECT_LT(feature.bucket, config.buckets());
}

// Long texts have enough n-grams to take the radix sort instead of std::sort.
TEST(Features, LongTextSortedUnique) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "质量很好物流很快客服耐心 value " + std::to_string(i) + " ";
  const Document document = testing::make_example(text, "1").document;
  FeatureConfig config;
  config.hash_bits = 23;
  const auto features = extract_features(document, config);
  ASSERT_GT(features.size(), 64U);
  float total = 0;
  for (std::size_t i = 1; i < features.size(); ++i) EXPECT_LT(features[i - 1].bucket, features[i].bucket);
  for (const auto& feature : features) {
    EXPECT_LT(feature.bucket, config.buckets());
    total += feature.count;
  }
  EXPECT_GT(total, static_cast<float>(features.size()));
}

TEST(BucketTable, FindsStoredRows) {
  const std::vector<std::uint32_t> buckets = {0, 5, 63, 64, 200, 1023};
  std::vector<float> values;
  for (std::uint32_t bucket : buckets) {
    values.push_back(static_cast<float>(bucket));
    values.push_back(-static_cast<float>(bucket));
  }
  const model::BucketTable table(1024, buckets, values, 2);
  EXPECT_EQ(table.size(), buckets.size());
  EXPECT_EQ(table.columns(), 2U);
  EXPECT_EQ(table.buckets(), buckets);
  for (std::uint32_t bucket = 0; bucket < 1024; ++bucket) {
    const std::int64_t index = table.find(bucket);
    const bool stored = std::find(buckets.begin(), buckets.end(), bucket) != buckets.end();
    ASSERT_EQ(index >= 0, stored) << "bucket " << bucket;
    if (!stored) continue;
    EXPECT_EQ(table.row(static_cast<std::size_t>(index))[0], static_cast<float>(bucket));
    EXPECT_EQ(table.row(static_cast<std::size_t>(index))[1], -static_cast<float>(bucket));
  }
}

TEST(BucketTable, AdoptMatchesCopy) {
  const std::vector<std::uint32_t> buckets = {1, 70, 900};
  const std::vector<float> values = {1.5f, -2.0f, 3.25f};
  const model::BucketTable copied(1024, buckets, values, 1);
  const model::BucketTable adopted =
      model::BucketTable::adopt(1024, buckets, {values.begin(), values.end()}, 1);
  EXPECT_EQ(adopted.buckets(), copied.buckets());
  for (std::uint32_t bucket : buckets) {
    ASSERT_GE(adopted.find(bucket), 0) << "bucket " << bucket;
    EXPECT_EQ(adopted.row(static_cast<std::size_t>(adopted.find(bucket)))[0],
              copied.row(static_cast<std::size_t>(copied.find(bucket)))[0]);
  }
  EXPECT_THROW(model::BucketTable::adopt(64, {5, 2}, {1.0f, 2.0f}, 1), std::invalid_argument);
}

TEST(BucketTable, RejectsBadInput) {
  EXPECT_THROW(model::BucketTable(64, {3, 3}, {1.0f, 2.0f}, 1), std::invalid_argument);
  EXPECT_THROW(model::BucketTable(64, {5, 2}, {1.0f, 2.0f}, 1), std::invalid_argument);
  EXPECT_THROW(model::BucketTable(64, {64}, {1.0f}, 1), std::invalid_argument);
  EXPECT_THROW(model::BucketTable(64, {1, 2}, {1.0f}, 1), std::invalid_argument);
}

TEST(Features, CharacterNgramCount) {
  // Three code points give 3 + 2 + 1 character n-grams of length 1 to 3;
  // with words off, the counts must add up to exactly that.
  Document document;
  document.normalized.text = "好评啊";
  FeatureConfig config;
  config.char_min = 1;
  config.char_max = 3;
  config.word_max = 0;
  config.hash_bits = 24;
  float total = 0;
  for (const auto& feature : extract_features(document, config)) total += feature.count;
  EXPECT_EQ(total, 6.0f);
}

TEST(Features, RepeatedNgramCounted) {
  Document document;
  document.normalized.text = "aaaa";
  FeatureConfig config;
  config.char_min = 1;
  config.char_max = 1;
  config.word_max = 0;
  const auto features = extract_features(document, config);
  ASSERT_EQ(features.size(), 1u);
  EXPECT_EQ(features[0].count, 4.0f);
}

TEST(Features, WordBigramsAdded) {
  const Document document = testing::make_example("red shoes fit", "1").document;
  FeatureConfig words_only;
  words_only.char_max = 0;
  words_only.word_min = 1;
  words_only.word_max = 1;
  FeatureConfig with_bigrams = words_only;
  with_bigrams.word_max = 2;
  EXPECT_EQ(extract_features(document, words_only).size(), 3u);
  EXPECT_EQ(extract_features(document, with_bigrams).size(), 5u);
}

TEST(Features, ConfigJsonRoundTrip) {
  FeatureConfig config;
  config.char_min = 2;
  config.char_max = 5;
  config.hash_bits = 19;
  config.naive_bayes = false;
  const FeatureConfig copy = FeatureConfig::from_json(config.to_json());
  EXPECT_EQ(copy.char_min, 2);
  EXPECT_EQ(copy.char_max, 5);
  EXPECT_EQ(copy.hash_bits, 19);
  EXPECT_FALSE(copy.naive_bayes);
}

TEST(Features, ConfigJsonOutOfRange) {
  nlohmann::json json = FeatureConfig().to_json();
  json["hash_bits"] = 40;
  EXPECT_THROW(FeatureConfig::from_json(json), std::invalid_argument);
}

}  // namespace
}  // namespace shopsight
