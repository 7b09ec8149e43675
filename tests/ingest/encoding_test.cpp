#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "ingest/ingest.h"
#include "read_all.h"

namespace shopsight {
namespace {

using testing::encode_as;
using testing::expect_reject;
using testing::read_all;

// U+1F600 takes four bytes in GB18030, the Chinese characters two each.
const std::string kChineseCsv =
    "编号,评论\n"
    "1,送货很快，质量不错😀\n"
    "2,\"洗得干净\n声音小\"\n"
    "3,客服态度差\n";

ReaderOptions options_for(const std::string& path) {
  ReaderOptions options;
  options.path = path;
  return options;
}

// Reads `bytes` as `path`, `buffer_bytes` bytes from the source at a time.
testing::ReadResult read_in_chunks(const std::string& bytes, const std::string& path, std::size_t buffer_bytes) {
  ReaderOptions options = options_for(path);
  options.buffer_bytes = buffer_bytes;
  return read_all(bytes, options);
}

TEST(Encoding, Gb18030Detected) {
  const std::string bytes = encode_as(kChineseCsv, "GB18030");
  ASSERT_NE(bytes, kChineseCsv);

  const auto result = read_all(bytes, options_for("gbk.csv"));

  EXPECT_EQ(result.encoding, "GB18030");
  EXPECT_EQ(result.resolved.text, "评论");
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].text, "送货很快，质量不错😀");
  EXPECT_EQ(result.items[1].text, "洗得干净\n声音小");
  EXPECT_EQ(result.items[2].line, 5);
  EXPECT_TRUE(result.rejects.empty());
}

TEST(Encoding, GbkForced) {
  const std::string utf8 = "编号,评论\n1,质量不错\n2,物流很慢\n";
  ReaderOptions options = options_for("export.csv");
  options.encoding = "GBK";

  const auto result = read_all(encode_as(utf8, "GBK"), options);

  EXPECT_EQ(result.encoding, "GBK");
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].text, "物流很慢");
}

TEST(Encoding, UnknownNameIsError) {
  ReaderOptions options = options_for("a.csv");
  options.encoding = "no-such-charset";
  try {
    read_all("review\nok\n", options);
    FAIL() << "expected shopsight::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-charset"), std::string::npos);
  }
}

// Characters of two and four bytes land across every possible chunk boundary.
TEST(Encoding, Gb18030SplitAcrossChunks) {
  const std::string bytes = encode_as(kChineseCsv, "GB18030");
  for (std::size_t size = 1; size <= 7; ++size) {
    const auto result = read_in_chunks(bytes, "gbk.csv", size);

    EXPECT_EQ(result.encoding, "GB18030") << "buffer " << size;
    ASSERT_EQ(result.items.size(), 3u) << "buffer " << size;
    EXPECT_EQ(result.items[0].text, "送货很快，质量不错😀") << "buffer " << size;
    EXPECT_EQ(result.items[1].text, "洗得干净\n声音小") << "buffer " << size;
    EXPECT_TRUE(result.rejects.empty()) << "buffer " << size;
  }
}

TEST(Encoding, Utf8SplitAcrossChunks) {
  for (std::size_t size = 1; size <= 5; ++size) {
    const auto result = read_in_chunks(kChineseCsv, "utf8.csv", size);

    EXPECT_EQ(result.encoding, "UTF-8") << "buffer " << size;
    ASSERT_EQ(result.items.size(), 3u) << "buffer " << size;
    EXPECT_EQ(result.items[0].text, "送货很快，质量不错😀") << "buffer " << size;
  }
}

// Detection waits past a long ASCII start for the first non-ASCII byte.
TEST(Encoding, DecidedAfterLongAsciiStart) {
  std::string utf8 = "id,review\n";
  for (int i = 0; i < 5000; ++i) utf8 += std::to_string(i) + ",plain ascii review text\n";
  utf8 += "5000,质量很好\n";

  const auto result = read_all(encode_as(utf8, "GB18030"), options_for("late.csv"));

  EXPECT_EQ(result.encoding, "GB18030");
  ASSERT_EQ(result.items.size(), 5001u);
  EXPECT_EQ(result.items.back().text, "质量很好");
  EXPECT_TRUE(result.rejects.empty());
}

// One damaged byte does not turn a UTF-8 file into GB18030.
TEST(Encoding, Utf8WithOneBadByte) {
  std::string utf8 = "id,review\n";
  for (int i = 0; i < 20; ++i) utf8 += std::to_string(i) + ",这个商品非常好用\n";
  utf8 += "20,broken \xE5\xA5 here\n";

  const auto result = read_all(utf8, options_for("mostly.csv"));

  EXPECT_EQ(result.encoding, "UTF-8");
  EXPECT_EQ(result.items.size(), 20u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 22);
}

TEST(Encoding, UndecodableBytesRejectRow) {
  ReaderOptions options = options_for("gbk.csv");
  options.encoding = "GB18030";
  const std::string bytes = encode_as("id,review\n1,好\n", "GB18030") + "2,bad \xFF byte\n" +
                            encode_as("3,很好\n", "GB18030");

  const auto result = read_all(bytes, options);

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].text, "很好");
  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
}

TEST(Encoding, Utf16WithBom) {
  const std::string bytes = "\xFF\xFE" + encode_as("review\n很好\n", "UTF-16LE");

  const auto result = read_all(bytes, options_for("wide.csv"));

  EXPECT_EQ(result.encoding, "UTF-16LE");
  EXPECT_EQ(result.header[0], "review");
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].text, "很好");
}

TEST(Encoding, ForcedUtf8DropsBom) {
  ReaderOptions options = options_for("a.csv");
  options.encoding = "utf8";
  const auto result = read_all("\xEF\xBB\xBFreview\nok\n", options);

  EXPECT_EQ(result.encoding, "UTF-8");
  EXPECT_EQ(result.header[0], "review");
}

}  // namespace
}  // namespace shopsight
