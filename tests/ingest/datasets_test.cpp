#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ingest/ingest.h"

namespace shopsight {
namespace {

/// Counts of one full read.
struct Counts {
  std::int64_t items = 0;
  std::int64_t rejects = 0;
  std::int64_t with_time = 0;
  std::int64_t with_rating = 0;
  Item last;
};

Counts count_all(const ReaderOptions& options) {
  auto reader = Reader::open(options);
  Counts counts;
  Item item;
  Reject reject;
  for (ReadStatus status; (status = reader->next(item, reject)) != ReadStatus::end;) {
    if (status == ReadStatus::rejected) {
      ++counts.rejects;
      continue;
    }
    ++counts.items;
    if (item.time) ++counts.with_time;
    if (item.rating) ++counts.with_rating;
    counts.last = item;
  }
  return counts;
}

std::string dataset(const std::string& relative) {
  return std::string(SHOPSIGHT_DATASETS) + "/" + relative;
}

TEST(Datasets, ReviewsZhDev) {
  ReaderOptions options;
  options.path = dataset("reviews-zh/dev.csv");
  if (!std::filesystem::exists(options.path)) GTEST_SKIP() << "data set not found: " << options.path;

  const Counts counts = count_all(options);

  EXPECT_EQ(counts.items, 6271);
  EXPECT_EQ(counts.rejects, 0);
  EXPECT_FALSE(counts.last.category.empty());
  EXPECT_FALSE(counts.last.label.empty());
}

TEST(Datasets, ReviewsEnDevWithTitle) {
  ReaderOptions options;
  options.path = dataset("reviews-en/dev.csv");
  options.columns.text = "title+review";
  if (!std::filesystem::exists(options.path)) GTEST_SKIP() << "data set not found: " << options.path;

  const Counts counts = count_all(options);

  EXPECT_EQ(counts.items, 2264);
  EXPECT_EQ(counts.rejects, 0);
  EXPECT_EQ(counts.with_rating, 2264);
}

TEST(Datasets, TimelineZhTimes) {
  ReaderOptions options;
  options.path = dataset("timeline-zh/jd_washer_reviews.csv");
  options.timezone = "Asia/Shanghai";
  if (!std::filesystem::exists(options.path)) GTEST_SKIP() << "data set not found: " << options.path;

  auto reader = Reader::open(options);
  EXPECT_EQ(reader->resolved_columns().text, "content");
  EXPECT_EQ(reader->resolved_columns().time, "creation_time");
  EXPECT_EQ(reader->resolved_columns().rating, "score");
  EXPECT_EQ(reader->resolved_columns().product, "product_id");
  reader.reset();

  const Counts counts = count_all(options);

  EXPECT_EQ(counts.items + counts.rejects, 29313);
  EXPECT_EQ(counts.with_time, counts.items);
  EXPECT_EQ(counts.with_rating, counts.items);
}

}  // namespace
}  // namespace shopsight
