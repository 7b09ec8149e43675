#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/error.h"
#include "ingest/ingest.h"

namespace shopsight {
namespace {

// 2016-06-29 18:52:01 UTC.
constexpr std::int64_t kUtc = 1467226321000;
// The same wall-clock time in China (UTC+8).
constexpr std::int64_t kShanghai = kUtc - 8 * 3600 * 1000;

TEST(ParseTime, Iso8601) {
  EXPECT_EQ(parse_time("2016-06-29T18:52:01Z", "UTC"), kUtc);
  EXPECT_EQ(parse_time("2016-06-29T18:52:01.250Z", "UTC"), kUtc + 250);
  EXPECT_EQ(parse_time("2016-06-29T18:52:01.123456Z", "UTC"), kUtc + 123);
  EXPECT_EQ(parse_time("2016-06-29T18:52:01+08:00", "UTC"), kShanghai);
  EXPECT_EQ(parse_time("2016-06-29T18:52:01+0800", "UTC"), kShanghai);
  EXPECT_EQ(parse_time("2016-06-29T13:52:01-05:00", "UTC"), kUtc);
}

TEST(ParseTime, OffsetBeatsZone) {
  EXPECT_EQ(parse_time("2016-06-29T18:52:01Z", "Asia/Shanghai"), kUtc);
}

TEST(ParseTime, SpaceSeparated) {
  EXPECT_EQ(parse_time("2016-06-29 18:52:01", "UTC"), kUtc);
  EXPECT_EQ(parse_time("2016-06-29 18:52:01", "Asia/Shanghai"), kShanghai);
  EXPECT_EQ(parse_time("  2016-06-29 18:52:01  ", "Asia/Shanghai"), kShanghai);
}

TEST(ParseTime, SlashesAndShortFields) {
  EXPECT_EQ(parse_time("2016/06/29 18:52:01", "UTC"), kUtc);
  EXPECT_EQ(parse_time("2016/6/29 18:52", "UTC"), kUtc - 1000);
  EXPECT_EQ(parse_time("2016年6月29日 18:52:01", "Asia/Shanghai"), kShanghai);
}

TEST(ParseTime, BareDate) {
  EXPECT_EQ(parse_time("2016-06-29", "UTC"), 1467158400000);
  EXPECT_EQ(parse_time("2016-06-29", "Asia/Shanghai"), 1467129600000);
  EXPECT_EQ(parse_time("2024-02-29", "UTC"), 1709164800000);
}

TEST(ParseTime, DaylightSavingZone) {
  EXPECT_EQ(parse_time("2024-07-01 12:00:00", "America/New_York"), 1719849600000);
  EXPECT_EQ(parse_time("2024-01-15 12:00:00", "America/New_York"), 1705338000000);
}

TEST(ParseTime, UnixSecondsAndMilliseconds) {
  EXPECT_EQ(parse_time("1467226321", "UTC"), kUtc);
  EXPECT_EQ(parse_time("1467226321000", "UTC"), kUtc);
  EXPECT_EQ(parse_time("1467226321", "Asia/Shanghai"), kUtc);
  EXPECT_EQ(parse_time("0", "UTC"), 0);
}

TEST(ParseTime, CompactDateIsMidnightInTheZone) {
  EXPECT_EQ(parse_time("20160629", "UTC"), 1467158400000);
  EXPECT_EQ(parse_time("20160629", "Asia/Shanghai"), 1467129600000);
  EXPECT_EQ(parse_time("20240229", "UTC"), 1709164800000);
  // Eight digits that are no date are not read as Unix seconds of 1970 either.
  EXPECT_EQ(parse_time("20261301", "UTC"), std::nullopt);
  EXPECT_EQ(parse_time("12345678", "UTC"), std::nullopt);
}

TEST(ParseTime, FractionalUnixSeconds) {
  EXPECT_EQ(parse_time("1467226321.5", "UTC"), kUtc + 500);
  EXPECT_EQ(parse_time("1467226321.25", "Asia/Shanghai"), kUtc + 250);
  EXPECT_EQ(parse_time("1.5e9", "UTC"), 1'500'000'000'000);
  EXPECT_EQ(parse_time("1500000000.0", "UTC"), 1'500'000'000'000);
  EXPECT_EQ(parse_time("1.4672263210005E12", "UTC"), kUtc + 1);
  // A decimal number far below 1973 is more likely a year and month than a time.
  EXPECT_EQ(parse_time("2026.07", "UTC"), std::nullopt);
  EXPECT_EQ(parse_time("2016.06.29", "UTC"), 1467158400000);
}

TEST(ParseTime, Invalid) {
  for (const char* text : {"", "yesterday", "2016-13-01", "2016-02-30", "2016-06-29 25:00:00", "2016-06-29 18:5",
                           "2016-06-29T18:52:01+8", "16-06-29", "2016-06-29 18:52:01 junk", "12ab",
                           "99999999999999999999", "1.5e9.5", "1e400", "-1.5e9", "1.5e9Z"}) {
    EXPECT_EQ(parse_time(text, "UTC"), std::nullopt) << text;
  }
}

TEST(ParseTime, UnknownZoneIsError) {
  EXPECT_THROW(parse_time("2016-06-29", "Nowhere/Land"), Error);
}

TEST(RejectsWriter, WritesQuotedCsv) {
  const std::string path = ::testing::TempDir() + "/ingest_rejects.csv";
  {
    RejectsWriter writer(path);
    Reject reject;
    reject.source = "in.csv";
    reject.line = 12;
    reject.field = "review";
    reject.reason = "invalid \"quoting\", here";
    reject.raw = "1,\"a\nb";
    writer.write(reject);
    EXPECT_EQ(writer.count(), 1);
  }

  std::ifstream file(path, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  EXPECT_EQ(contents.str(),
            "source,line,field,reason,raw\n"
            "\"in.csv\",12,\"review\",\"invalid \"\"quoting\"\", here\",\"1,\"\"a\nb\"\n");
}

TEST(RejectsWriter, EmptyPathOnlyCounts) {
  RejectsWriter writer("");
  writer.write(Reject());
  writer.write(Reject());
  EXPECT_EQ(writer.count(), 2);
}

TEST(RejectsWriter, UnwritablePathIsError) {
  EXPECT_THROW(RejectsWriter("/nonexistent/folder/rejects.csv"), Error);
}

}  // namespace
}  // namespace shopsight
