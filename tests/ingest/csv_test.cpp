#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"
#include "ingest/ingest.h"
#include "read_all.h"

namespace shopsight {
namespace {

using testing::expect_item;
using testing::expect_reject;
using testing::expect_texts;
using testing::read_all;
using testing::read_csv;
using testing::read_stdin;

TEST(Csv, QuotedNewlineKeepsLineNumbers) {
  const auto result = read_csv("id,review\n1,\"first line\nsecond line\"\n2,next\n");

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_TRUE(result.rejects.empty());
  expect_item(result, 0, "first line\nsecond line", 2);
  expect_item(result, 1, "next", 4);
  EXPECT_EQ(result.items[1].source, "test.csv");
}

TEST(Csv, DoubledQuotes) {
  const auto result = read_csv("id,review\n7,\"he said \"\"hi\"\", then left\"\n");

  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].text, "he said \"hi\", then left");
  EXPECT_EQ(result.items[0].id, "7");
}

TEST(Csv, BomAndCrlf) {
  const auto result = read_csv("\xEF\xBB\xBFid,review\r\n1,good\r\n2,\"a\r\nb\"\r\n\r\n3,x\r\n");

  ASSERT_EQ(result.header.size(), 2u);
  EXPECT_EQ(result.header[0], "id");
  EXPECT_EQ(result.resolved.id, "id");
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].line, 2);
  expect_item(result, 1, "a\r\nb", 3);
  EXPECT_EQ(result.items[2].line, 6);
  EXPECT_EQ(result.encoding, "UTF-8");
}

TEST(Csv, LoneCarriageReturnEndsLine) {
  const auto result = read_csv("id,review\r1,a\r2,b\r");

  ASSERT_EQ(result.items.size(), 2u);
  expect_item(result, 1, "b", 3);
}

TEST(Csv, LastRowWithoutLineBreak) {
  const auto result = read_csv("id,review\n1,a\n2,b");

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[1].text, "b");
}

TEST(Tsv, ByExtension) {
  ReaderOptions options;
  options.path = "data.tsv";
  const auto result = read_all("id\treview\n1\tgood, fine\n2\t\"quoted\ttab\"\n3\tbare \"quotes\" stay\n", options);

  expect_texts(result, {"good, fine", "quoted\ttab", "bare \"quotes\" stay"});
}

TEST(Tsv, SniffedFromContent) {
  const auto result = read_stdin("id\treview\n1\tgood, fine, great\n");

  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].text, "good, fine, great");
  EXPECT_EQ(result.items[0].source, "-");
}

TEST(CsvRejects, InvalidUtf8RowAlone) {
  const auto result = read_csv("id,review\n1,质量很好的\n2,bad \xFF\xFE bytes\n3,物流很快\n");

  expect_texts(result, {"质量很好的", "物流很快"});
  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
  EXPECT_NE(result.rejects[0].reason.find("UTF-8"), std::string::npos);
  EXPECT_EQ(result.rejects[0].raw, "2,bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  EXPECT_EQ(result.encoding, "UTF-8");
}

TEST(CsvRejects, UnterminatedQuoteRecovers) {
  const auto result = read_csv("id,review\n1,ok\n2,\"broken\n3,fine\n4,also fine\n");

  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
  EXPECT_NE(result.rejects[0].reason.find("quote"), std::string::npos);
  ASSERT_EQ(result.items.size(), 3u);
  expect_item(result, 1, "fine", 4);
  EXPECT_EQ(result.items[2].line, 5);
}

// A quote left open in the middle of a file swallows the lines up to the
// next quote. The reader goes back to the line after the quote's line.
TEST(CsvRejects, UnclosedQuoteRecoversAtTheNextLine) {
  const auto result = read_csv(
      "id,review\nB1,第一条很好\nB2,\"引号没闭合 坏行\nB3,第三条不错\nB4,第四条很差\nB5,\"正常\"\"引号\"\"\",\nB6,第六条\n",
      "broken.csv");

  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
  EXPECT_NE(result.rejects[0].reason.find("quote not closed"), std::string::npos) << result.rejects[0].reason;
  EXPECT_EQ(result.rejects[0].raw, "B2,\"引号没闭合 坏行");
  ASSERT_EQ(result.items.size(), 5u);
  EXPECT_EQ(result.items[1].id, "B3");
  EXPECT_EQ(result.items[1].line, 4);
  EXPECT_EQ(result.items[3].text, "正常\"引号\"");
  EXPECT_EQ(result.items[4].id, "B6");
  EXPECT_EQ(result.items[4].line, 7);
}

TEST(CsvRejects, TextAfterClosingQuote) {
  const auto result = read_csv("id,review\n1,\"ok\"junk\n2,good\n");

  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].raw, "1,\"ok\"junk");
  ASSERT_EQ(result.items.size(), 1u);
  expect_item(result, 0, "good", 3);
}

TEST(CsvRejects, OversizeField) {
  ReaderOptions options;
  options.path = "big.csv";
  options.max_field_bytes = 10;
  const std::string big(50, 'x');
  const auto result = read_all("id,review\n1,short\n2," + big + "\n3,after\n", options);

  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
  EXPECT_EQ(result.rejects[0].raw.substr(0, 4), "2,xx");
  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].text, "short");
  expect_item(result, 1, "after", 4);
}

// A quoted field that outgrows the limit is taken for a stray quote, and the
// lines it swallowed are read again as rows.
TEST(CsvRejects, QuotedOverflowRereadsLines) {
  ReaderOptions options;
  options.path = "stray.csv";
  options.max_field_bytes = 30;
  const auto result = read_all("id,review\n1,\"stray quote\n2,second row\n3,third row\n4,fourth\n", options);

  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 2, "review");
  ASSERT_EQ(result.items.size(), 3u);
  expect_item(result, 0, "second row", 3);
  expect_item(result, 2, "fourth", 5);
}

// A quoted field on one line that is merely too large is one reject, not a
// stray quote, and the rows after it are read as usual.
TEST(CsvRejects, OversizeQuotedFieldIsOneReject) {
  ReaderOptions options;
  options.path = "bigf.csv";
  options.max_field_bytes = 1000;
  options.buffer_bytes = 7;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "很";
  const auto result = read_all("id,review\nA1,好\nA2,\"" + big + "\"\nA3,差\n", options);

  ASSERT_EQ(result.rejects.size(), 1u);
  expect_reject(result, 0, 3, "review");
  EXPECT_NE(result.rejects[0].reason.find("field larger than 1000 bytes"), std::string::npos)
      << result.rejects[0].reason;
  EXPECT_EQ(result.rejects[0].raw.substr(0, 4), "A2,\"");
  EXPECT_TRUE(utf8::is_valid(result.rejects[0].raw));
  ASSERT_EQ(result.items.size(), 2u);
  expect_item(result, 1, "差", 4);
}

// A stray quote on a line that outgrows the limit costs that line only.
TEST(CsvRejects, OversizeStrayQuoteEndsAtItsLine) {
  ReaderOptions options;
  options.path = "stray.csv";
  options.max_field_bytes = 10;
  const auto result = read_all("id,review\n1,\"stray " + std::string(50, 'x') + "\n2,next\n3,last\n", options);

  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 2);
  ASSERT_EQ(result.items.size(), 2u);
  expect_item(result, 0, "next", 3);
}

TEST(CsvRejects, RawExcerptIsBounded) {
  const std::string long_text(500, 'a');
  const auto result = read_csv("id,review,rating\n1," + long_text + ",bad\n");

  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].raw.size(), 200u);
}

TEST(CsvRejects, RawExcerptKeepsWholeCharacters) {
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += "好";
  const auto result = read_csv("id,review,rating\n1," + long_text + ",bad\n");

  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_LE(result.rejects[0].raw.size(), 200u);
  EXPECT_GE(result.rejects[0].raw.size(), 197u);
  EXPECT_TRUE(utf8::is_valid(result.rejects[0].raw));
}

TEST(CsvRejects, ReasonsInChinese) {
  set_language(Language::zh);
  const auto result = read_csv("id,review,rating\n1,,5\n2,ok,abc\n");
  std::string error_message;
  try {
    read_csv("id,score\n1,5\n");
  } catch (const Error& error) {
    error_message = error.what();
  }
  set_language(Language::en);

  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].reason, "文本为空");
  EXPECT_EQ(result.rejects[1].reason, "评分“abc”无效：应为数字");
  EXPECT_NE(error_message.find("找不到文本列"), std::string::npos);
}

TEST(CsvRejects, EmptyText) {
  const auto result = read_csv("id,review\n1,   \n2,\"\"\n3,ok\n");

  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].field, "review");
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[1].line, 3);
  ASSERT_EQ(result.items.size(), 1u);
}

TEST(CsvRejects, EmptyTextAllowed) {
  ReaderOptions options;
  options.path = "a.csv";
  options.require_text = false;
  const auto result = read_all("id,review\n1,\n", options);

  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_TRUE(result.items[0].text.empty());
}

TEST(CsvRejects, MoreFieldsThanHeader) {
  const auto result = read_csv("id,review\n1,a,extra\n2,b,\n3\n");

  ASSERT_EQ(result.rejects.size(), 2u);
  expect_reject(result, 0, 2, "");
  // "3" alone has an empty text; a trailing empty field is ignored.
  EXPECT_EQ(result.rejects[1].line, 4);
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].text, "b");
}

TEST(CsvRejects, BadRatingTimeChannel) {
  const auto result = read_csv(
      "id,review,rating,time,channel\n"
      "1,a,five,,\n"
      "2,b,4,yesterday,\n"
      "3,c,4,,email\n"
      "4,d,4.5,2016-06-29,chat\n");

  ASSERT_EQ(result.rejects.size(), 3u);
  EXPECT_EQ(result.rejects[0].field, "rating");
  EXPECT_EQ(result.rejects[1].field, "time");
  EXPECT_EQ(result.rejects[2].field, "channel");
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].rating, 4.5);
  EXPECT_EQ(result.items[0].time, 1467158400000);
  EXPECT_EQ(result.items[0].channel, "chat");
}

TEST(Csv, CompactDatesAndFractionalSeconds) {
  ReaderOptions options;
  options.path = "t.csv";
  options.timezone = "Asia/Shanghai";
  const auto result = read_all("id,time,review\nT7,20260701,compact\nT8,1751371200.5,fraction\nT9,1.5e9,exponent\n",
                               options);

  ASSERT_TRUE(result.rejects.empty()) << result.rejects[0].reason;
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[0].time, 1782835200000);  // 2026-07-01T00:00:00+08:00
  EXPECT_EQ(result.items[1].time, 1751371200500);
  EXPECT_EQ(result.items[2].time, 1500000000000);
}

TEST(Csv, RatingsOutsideOneToFiveWarn) {
  testing::LogCapture log;
  const auto result = read_csv("id,review,rating\n1,a,7\n2,b,-3\n3,c,-1e308\n4,d,5\n5,e,0.5\n6,f,5.4\n", "r.csv");

  EXPECT_TRUE(result.rejects.empty());
  ASSERT_EQ(result.items.size(), 6u);
  EXPECT_EQ(result.items[0].rating, 7.0);
  EXPECT_NE(log.text().find("r.csv: 3 ratings are outside 1 to 5, the first on line 2"), std::string::npos)
      << log.text();

  testing::LogCapture quiet;
  read_csv("id,review,rating\n1,a,1\n2,b,4.5\n", "ok.csv");
  EXPECT_EQ(quiet.text().find("ratings are outside"), std::string::npos) << quiet.text();
}

TEST(CsvRejects, ImplausibleTimes) {
  const auto result = read_csv(
      "id,review,time\n"
      "1,a,1793491200000000\n"
      "2,b,1900-01-01\n"
      "3,c,2150-01-01 00:00:00\n"
      "4,d,1793491200\n");

  ASSERT_EQ(result.rejects.size(), 3u) << "microseconds and dates before 1970 or after 2099 are mistakes";
  for (const auto& reject : result.rejects) EXPECT_EQ(reject.field, "time");
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].time, 1793491200000);
}

// Item fields that the column detection tests check.
struct Fields {
  std::string_view id;
  std::int64_t time;
  std::string_view product;
  std::string_view category;
  std::string_view user;
  std::string_view label;
  std::string_view text;
};

// Checks each of the `expected` fields of `item`.
void expect_fields(const Item& item, const Fields& expected) {
  EXPECT_EQ(item.id, expected.id);
  EXPECT_EQ(item.time, expected.time);
  EXPECT_EQ(item.product, expected.product);
  EXPECT_EQ(item.category, expected.category);
  EXPECT_EQ(item.user, expected.user);
  EXPECT_EQ(item.label, expected.label);
  EXPECT_EQ(item.text, expected.text);
}

TEST(Columns, DetectedInEnglish) {
  const auto result = read_csv(
      "Review_ID,Created_At,Product_ID,Department,Class,Rating,Label,Title,Review Text,User_ID\n"
      "r1,2016-06-29T18:52:01Z,p9,Tops,Knits,5,1,Nice,Love it,u3\n");

  EXPECT_EQ(result.resolved.text, "Review Text");
  EXPECT_EQ(result.resolved.id, "Review_ID");
  EXPECT_EQ(result.resolved.category, "Department");
  ASSERT_EQ(result.items.size(), 1u);
  const Item& item = result.items[0];
  expect_fields(item, {"r1", 1467226321000, "p9", "Tops", "u3", "1", "Love it"});
  EXPECT_EQ(item.rating, 5.0);
  ASSERT_EQ(item.columns.size(), 10u);
  EXPECT_EQ(item.columns[7].first, "Title");
  EXPECT_EQ(item.columns[7].second, "Nice");
}

TEST(Columns, CategoryPreferredOverClass) {
  const auto result = read_csv("class,category,text\nKnits,Tops,ok\n");

  EXPECT_EQ(result.resolved.category, "category");
}

TEST(Columns, DetectedInChinese) {
  ReaderOptions options;
  options.path = "zh.csv";
  options.timezone = "Asia/Shanghai";
  const auto result = read_all(
      "编号,评论时间,商品ID,类目,昵称,评分,标签,评论内容\n"
      "c1,2016-06-29 18:52:01,1015650,洗衣机,小王,5,正面,送货很快\n",
      options);

  EXPECT_EQ(result.resolved.text, "评论内容");
  EXPECT_EQ(result.resolved.time, "评论时间");
  EXPECT_EQ(result.resolved.product, "商品ID");
  ASSERT_EQ(result.items.size(), 1u);
  expect_fields(result.items[0], {"c1", 1467197521000, "1015650", "洗衣机", "小王", "正面", "送货很快"});
}

TEST(Columns, DetectedFromShopExportNames) {
  ReaderOptions options;
  options.path = "h.csv";
  options.timezone = "Asia/Shanghai";
  testing::LogCapture log;
  const auto result = read_all(
      "评价内容,评价时间,商品ID,商品类目,买家昵称,星级\n"
      "很好用,2026-11-01 10:00:00,P1,数码,u1,5\n",
      options);

  EXPECT_EQ(result.resolved.text, "评价内容");
  EXPECT_EQ(result.resolved.time, "评价时间");
  EXPECT_EQ(result.resolved.category, "商品类目");
  EXPECT_EQ(result.resolved.user, "买家昵称");
  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].time, 1793498400000);
  EXPECT_EQ(result.items[0].category, "数码");
  EXPECT_EQ(result.items[0].user, "u1");
  EXPECT_EQ(result.items[0].rating, 5.0);
  // Every field's column is logged, and so are the fields without one.
  EXPECT_NE(log.text().find("text: 评价内容, time: 评价时间, product: 商品ID, category: 商品类目, user: 买家昵称, "
                            "rating: 星级; not found: id, label, channel"),
            std::string::npos)
      << log.text();

  for (const char* header : {"创建时间", "下单时间", "日期"}) {
    EXPECT_EQ(read_csv(std::string(header) + ",review\n20261101,ok\n").resolved.time, header);
  }
  EXPECT_EQ(read_csv("用户名,review\nu1,ok\n").resolved.user, "用户名");
  for (const char* header : {"商品评价", "买家评论"}) {
    EXPECT_EQ(read_csv(std::string("id,") + header + "\n1,ok\n").resolved.text, header);
  }
}

TEST(Columns, IdDefaultsToLine) {
  const auto result = read_csv("comment_id,content\n,first\nx7,second\n");

  ASSERT_EQ(result.items.size(), 2u);
  EXPECT_EQ(result.items[0].id, "2");
  EXPECT_EQ(result.items[1].id, "x7");

  const auto without = read_csv("content\nfirst\n\nsecond\n");
  ASSERT_EQ(without.items.size(), 2u);
  EXPECT_EQ(without.items[1].id, "4");
}

TEST(Columns, MissingExplicitColumnListsColumns) {
  ReaderOptions options;
  options.path = "a.csv";
  options.columns.time = "when";
  try {
    read_all("id,review,stars\n1,a,5\n", options);
    FAIL() << "expected shopsight::Error";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("when"), std::string::npos);
    EXPECT_NE(message.find("id, review, stars"), std::string::npos);
  }
}

TEST(Columns, NoTextColumnListsColumns) {
  try {
    read_csv("id,score\n1,5\n");
    FAIL() << "expected shopsight::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("id, score"), std::string::npos);
  }
}

TEST(Columns, TsvNamedCsvGetsAHint) {
  for (const char* request : {"", "review"}) {
    ReaderOptions options;
    options.path = "tab.csv";
    options.columns.text = request;
    try {
      read_all("id\treview\n1\tgood\n", options);
      FAIL() << "expected shopsight::Error";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("--input-format tsv"), std::string::npos) << error.what();
    }
  }
  try {
    read_csv("id,score\n1,5\n");
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).find("--input-format"), std::string::npos) << error.what();
  }
}

TEST(Columns, TitlePlusReview) {
  ReaderOptions options;
  options.path = "en.csv";
  options.columns.text = "title+review";
  const auto result = read_all("title,review\nGreat fit,Runs small though\n,Only body\n", options);

  EXPECT_EQ(result.resolved.text, "title+review");
  expect_texts(result, {"Great fit\nRuns small though", "Only body"});

  options.columns.text = "title+body";
  EXPECT_THROW(read_all("title,review\na,b\n", options), Error);
}

TEST(Columns, ExplicitNameIgnoresCase) {
  ReaderOptions options;
  options.path = "a.csv";
  options.columns.text = "BODY";
  options.columns.label = "Sentiment";
  const auto result = read_all("body,sentiment\nfine,pos\n", options);

  ASSERT_EQ(result.items.size(), 1u);
  EXPECT_EQ(result.items[0].label, "pos");
}

TEST(Csv, EmptyFileIsError) {
  EXPECT_THROW(read_csv(""), Error);
  EXPECT_THROW(read_csv("\n\n"), Error);
}

TEST(Csv, UnknownTimeZoneIsError) {
  ReaderOptions options;
  options.path = "a.csv";
  options.timezone = "Mars/Olympus";
  EXPECT_THROW(read_all("review\nok\n", options), Error);
}

// Every buffer size must split the same source into the same records,
// whichever byte a chunk boundary falls on.
TEST(Csv, TinyBuffersGiveSameResult) {
  const std::string source =
      "\xEF\xBB\xBFid,review,time\r\n"
      "1,\"多行\r\n评论 \"\"引号\"\"\",2016-06-29 18:52:01\r\n"
      "2,bad \xFF row,\r\n"
      "3,\"unterminated\r\n"
      "4,好\r\n";
  ReaderOptions options;
  options.path = "a.csv";
  const auto expected = read_all(source, options);
  ASSERT_EQ(expected.items.size(), 2u);
  ASSERT_EQ(expected.rejects.size(), 2u);

  for (std::size_t size = 1; size <= 9; ++size) {
    options.buffer_bytes = size;
    const auto result = read_all(source, options);
    ASSERT_EQ(result.items.size(), expected.items.size()) << "buffer " << size;
    for (std::size_t i = 0; i < result.items.size(); ++i) {
      EXPECT_EQ(result.items[i].text, expected.items[i].text) << "buffer " << size;
      EXPECT_EQ(result.items[i].line, expected.items[i].line) << "buffer " << size;
    }
    ASSERT_EQ(result.rejects.size(), expected.rejects.size()) << "buffer " << size;
    for (std::size_t i = 0; i < result.rejects.size(); ++i) {
      EXPECT_EQ(result.rejects[i].line, expected.rejects[i].line) << "buffer " << size;
    }
  }
  EXPECT_EQ(expected.items[0].text, "多行\r\n评论 \"引号\"");
  EXPECT_EQ(expected.items[1].line, 6);
}

}  // namespace
}  // namespace shopsight
