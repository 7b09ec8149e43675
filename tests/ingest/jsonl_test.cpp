#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>

#include "common/error.h"
#include "ingest/ingest.h"
#include "read_all.h"

namespace shopsight {
namespace {

using testing::expect_item_lines;
using testing::expect_reject;
using testing::expect_reject_lines;
using testing::read_all;
using testing::read_stdin;

ReaderOptions jsonl_options() {
  ReaderOptions options;
  options.path = "items.jsonl";
  return options;
}

TEST(JsonLines, ObjectsAndRejects) {
  const auto result = read_all(
      "{\"id\": 1, \"review\": \"good\", \"meta\": {\"size\": [1, 2]}, \"stars\": 4.5, \"ok\": true}\n"
      "not json\n"
      "\n"
      "[1, 2]\n"
      "{\"review\": \"second\", \"extra\": null, \"channel\": \"query\"}\r\n",
      jsonl_options());

  ASSERT_EQ(result.items.size(), 2u);
  const Item& first = result.items[0];
  EXPECT_EQ(first.id, "1");
  EXPECT_EQ(first.text, "good");
  EXPECT_EQ(first.rating, 4.5);
  ASSERT_EQ(first.columns.size(), 5u);
  EXPECT_EQ(first.columns[2].first, "meta");
  EXPECT_EQ(first.columns[2].second, "{\"size\":[1,2]}");
  EXPECT_EQ(first.columns[4].second, "true");

  const Item& second = result.items[1];
  EXPECT_EQ(second.line, 5);
  EXPECT_EQ(second.id, "5");
  EXPECT_EQ(second.channel, "query");

  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[1].line, 4);
  EXPECT_EQ(result.rejects[1].raw, "[1, 2]");

  // Keys of the first object come first, later keys are appended.
  ASSERT_EQ(result.header.size(), 7u);
  EXPECT_EQ(result.header[5], "extra");
  EXPECT_EQ(result.header[6], "channel");
}

TEST(JsonLines, LeadingRejectsComeFirst) {
  const auto result = read_all("oops\n{\"text\": \"fine\"}\n", jsonl_options());

  expect_reject_lines(result, {1});
  expect_item_lines(result, {2});
}

TEST(JsonLines, SniffedFromContent) {
  const auto result = read_stdin("  {\"评论\": \"很好\"}\n");

  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].text, "很好");
}

TEST(JsonLines, InvalidUtf8LineRejected) {
  const auto result = read_all("{\"text\": \"a\"}\n{\"text\": \"b\xC3\"}\n{\"text\": \"c\"}\n", jsonl_options());

  ASSERT_EQ(result.items.size(), 2u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 2);
}

TEST(JsonLines, OversizeLineRejected) {
  ReaderOptions options = jsonl_options();
  options.max_field_bytes = 4;
  options.buffer_bytes = 3;
  const std::string big(100000, 'x');
  const auto result =
      read_all("{\"text\": \"a\"}\n{\"text\": \"" + big + "\"}\n{\"text\": \"abcdef\"}\n{\"text\": \"b\"}\n", options);

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].line, 4);
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 2);
  expect_reject(result, 1, 3, "text");
}

TEST(JsonLines, NumberOutOfRangeRejectsOnlyItsRow) {
  const auto result = read_all(
      "{\"id\": \"A\", \"text\": \"好\"}\n"
      "{\"id\": \"B\", \"text\": \"坏\", \"rating\": 1e400}\n"
      "{\"id\": \"C\", \"text\": \"中\", \"category\": -1e400}\n"
      "{\"id\": \"D\", \"text\": \"好\", \"rating\": 1e308}\n",
      jsonl_options());

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].id, "A");
  EXPECT_EQ(result.items[1].id, "D");
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].source, "items.jsonl");
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_NE(result.rejects[0].reason.find("out of range"), std::string::npos) << result.rejects[0].reason;
  EXPECT_EQ(result.rejects[1].line, 3);
}

TEST(JsonLines, NumberOutOfRangeOnTheFirstLine) {
  const auto result = read_all("{\"text\": \"坏\", \"rating\": 1e400}\n{\"text\": \"好\"}\n", jsonl_options());

  expect_reject_lines(result, {1});
  expect_item_lines(result, {2});
}

TEST(JsonLines, DeepNestingIsRejectedWithoutCrashing) {
  const std::size_t depth = 100000;
  const std::string deep = "{\"text\": \"deep\", \"x\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
  // 512 levels pass, counting the line's own object; brackets in strings do not count.
  const std::string at_limit =
      "{\"text\": \"[[[[ \\\" {{{{\", \"x\": " + std::string(511, '[') + std::string(511, ']') + "}";
  const auto result = read_all("{\"id\": \"K1\", \"text\": \"ok\"}\n" + deep + "\n" + at_limit + "\n" + deep +
                                   "\n{\"text\": \"last\"}\n",
                               jsonl_options());

  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].id, "K1");
  EXPECT_EQ(result.items[1].line, 3);
  EXPECT_EQ(result.items[2].text, "last");
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_NE(result.rejects[0].reason.find("512"), std::string::npos) << result.rejects[0].reason;
  EXPECT_EQ(result.rejects[1].line, 4);
}

TEST(JsonLines, ArrayFileIsError) {
  EXPECT_THROW(read_all("[{\"text\": \"a\"}]\n", jsonl_options()), Error);
}

TEST(JsonLines, MissingTextIsError) {
  EXPECT_THROW(read_all("{\"id\": 1}\n", jsonl_options()), Error);
}

TEST(StandardInput, DashReadsCin) {
  std::istringstream input("id,review\n1,from stdin\n");
  std::streambuf* saved = std::cin.rdbuf(input.rdbuf());

  ReaderOptions options;
  options.path = "-";
  auto reader = Reader::open(options);
  Item item;
  Reject reject;
  const ReadStatus first = reader->next(item, reject);
  const ReadStatus second = reader->next(item, reject);
  std::cin.rdbuf(saved);

  ASSERT_EQ(first, ReadStatus::item);
  EXPECT_EQ(item.text, "from stdin");
  EXPECT_EQ(item.source, "-");
  EXPECT_EQ(second, ReadStatus::end);
}

TEST(Files, MissingFileIsError) {
  ReaderOptions options;
  options.path = "/nonexistent/reviews.csv";
  EXPECT_THROW(Reader::open(options), Error);
}

TEST(Files, ReadsFromDisk) {
  ReaderOptions options;
  options.path = SHOPSIGHT_TEST_DATA "/mixed.csv";
  auto reader = Reader::open(options);
  Item item;
  Reject reject;
  int items = 0;
  int rejects = 0;
  for (ReadStatus status; (status = reader->next(item, reject)) != ReadStatus::end;) {
    if (status == ReadStatus::item) ++items;
    if (status == ReadStatus::rejected) ++rejects;
  }
  EXPECT_EQ(items, 3);
  EXPECT_EQ(rejects, 1);
  EXPECT_EQ(reader->resolved_columns().rating, "stars");
}

}  // namespace
}  // namespace shopsight
