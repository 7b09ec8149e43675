// End-to-end tests of `shopsight analyze`: the real binary on small files.

#include <gtest/gtest.h>

#include "support/run_shopsight.h"
#include "support/scoped_variable.h"
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "text/text.h"

namespace {

namespace fs = std::filesystem;

using RunResult = shopsight::testing::CommandResult;
using shopsight::testing::ScopedVariable;

RunResult run(const std::string& arguments) { return shopsight::testing::run_shopsight(arguments); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<nlohmann::json> read_jsonl(const fs::path& path) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("shopsight_cli_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  fs::path dir_;
};

const char* kReviews =
    "id,time,product,category,user,rating,review\n"
    "r1,2024-05-01 10:00:00,p1,服装,u1,5,质量很好，物流也快，很满意\n"
    "r2,2024-05-01 11:00:00,p1,服装,u2,1,\"尺码偏小，退货了。\n客服电话13812345678一直打不通\"\n"
    "r3,2024-05-02 09:30:00,p2,数码,u3,2,\"Battery life is awful, and the charger gets hot.\"\n"
    "r4,2024-05-02 12:00:00,p2,数码,u4,5,\"Love it, the sound is amazing and it fits perfectly.\"\n";

TEST_F(CliTest, AnalyzeWritesOneJsonLinePerItem) {
  const fs::path input = write("reviews.csv", kReviews);
  const fs::path output = dir_ / "out.jsonl";
  const RunResult result = run("analyze " + input.string() + " --output " + output.string());
  ASSERT_EQ(result.status, 0) << result.output;

  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["id"], "r1");
  EXPECT_EQ(rows[0]["product"], "p1");
  EXPECT_EQ(rows[0]["time"], "2024-05-01T10:00:00Z");
  EXPECT_EQ(rows[0]["language"], "zh");
  EXPECT_EQ(rows[0]["sentiment"]["label"], "positive");
  EXPECT_EQ(rows[1]["line"], 3);
  EXPECT_EQ(rows[2]["language"], "en");
  EXPECT_EQ(rows[2]["sentiment"]["label"], "negative");
  EXPECT_EQ(rows[3]["sentiment"]["label"], "positive");
  EXPECT_TRUE(rows[0]["columns"].contains("rating"));
}

TEST_F(CliTest, AnalyzeMasksPersonalDataEverywhere) {
  const fs::path input = write("reviews.csv", kReviews);
  const fs::path output = dir_ / "out.jsonl";
  ASSERT_EQ(run("analyze " + input.string() + " --output " + output.string()).status, 0);
  const std::string written = read_file(output);
  EXPECT_EQ(written.find("13812345678"), std::string::npos);

  ASSERT_EQ(run("analyze " + input.string() + " --keep-personal-data --output " + output.string()).status, 0);
  EXPECT_NE(read_file(output).find("13812345678"), std::string::npos);
}

TEST_F(CliTest, AnalyzeMasksFullWidthForms) {
  const fs::path input = write("fw.csv",
                               "review\n"
                               "邮箱abc＠example.com质量差\n"
                               "ｅｍａｉｌ：ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ 质量差\n"
                               "身份证１１０１０５１９４９１２３１００２Ｘ\n");
  const fs::path output = dir_ / "out.jsonl";
  ASSERT_EQ(run("analyze " + input.string() + " --output " + output.string()).status, 0);
  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["text"], "邮箱***************质量差");
  EXPECT_EQ(rows[1]["text"], "ｅｍａｉｌ：*************** 质量差");
  EXPECT_EQ(rows[2]["text"], "身份证******************");
}

TEST_F(CliTest, RejectReasonsAreMasked) {
  const fs::path input = write("pii2.csv",
                               "id,review,time,rating\n"
                               "X2,好,2026-11-01,a@b.com\n"
                               "X3,好,tel 13812345678,5\n");
  const fs::path rejects = dir_ / "rejects.csv";
  const RunResult result = run("analyze " + input.string() + " --output /dev/null --rejects " + rejects.string());
  EXPECT_EQ(result.status, 3) << result.output;
  const std::string rejected = read_file(rejects);
  for (const std::string& text : {result.output, rejected}) {
    EXPECT_EQ(text.find("a@b.com"), std::string::npos) << text;
    EXPECT_EQ(text.find("13812345678"), std::string::npos) << text;
    EXPECT_NE(text.find("*******"), std::string::npos) << text;
  }
}

const char* kPhoneUsers =
    "id,user,review\n"
    "p1,13812345678,质量很好\n"
    "p2,13812345678,物流太慢\n"
    "p3,alice,还不错\n";

TEST_F(CliTest, AnalyzeUserPseudonymsAreKeyed) {
  const fs::path input = write("users.csv", kPhoneUsers);
  const fs::path key = write("key.txt", "a-secret-key-for-this-shop\n");
  const fs::path output = dir_ / "out.jsonl";
  const auto users_of_run = [&](const std::string& options) {
    const RunResult result = run("analyze " + input.string() + " --output " + output.string() + options);
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_EQ(result.output.find("a-secret-key"), std::string::npos) << "the key is never logged";
    std::vector<std::string> users;
    for (const auto& row : read_jsonl(output)) users.push_back(row["user"]);
    return users;
  };
  const auto keyed = users_of_run(" --pseudonym-key-file " + key.string());
  ASSERT_EQ(keyed.size(), 3u);
  EXPECT_TRUE(keyed[0].starts_with("user-")) << keyed[0];
  EXPECT_EQ(keyed[0], keyed[1]) << "one user's items stay together";
  EXPECT_NE(keyed[0], shopsight::unkeyed_pseudonym("13812345678"));
  EXPECT_EQ(keyed[2], "alice");
  EXPECT_EQ(users_of_run(" --pseudonym-key-file " + key.string()), keyed) << "a key file gives the same pseudonyms";
  {
    const ScopedVariable variable("SHOPSIGHT_PSEUDONYM_KEY", "a-secret-key-for-this-shop");
    EXPECT_EQ(users_of_run(""), keyed) << "the variable works as the file does";
  }
  EXPECT_NE(users_of_run("")[0], users_of_run("")[0]) << "without a key every run draws a new one";
}

TEST_F(CliTest, EmptySecretsAreErrors) {
  const fs::path input = write("users.csv", kPhoneUsers);
  {
    const ScopedVariable variable("SHOPSIGHT_PSEUDONYM_KEY", "");
    const RunResult result = run("--lang en analyze " + input.string() + " --output /dev/null");
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.output.find("SHOPSIGHT_PSEUDONYM_KEY is empty"), std::string::npos) << result.output;
  }
  const fs::path empty_key = write("empty.txt", "\n");
  RunResult result = run("--lang en analyze " + input.string() + " --output /dev/null --pseudonym-key-file " +
                         empty_key.string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("is empty"), std::string::npos) << result.output;

  const ScopedVariable variable("SHOPSIGHT_TOKEN", "");
  result = run("--lang en serve --port 0 --db " + (dir_ / "store.db").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("SHOPSIGHT_TOKEN is empty"), std::string::npos) << result.output;
}

TEST_F(CliTest, ProfileAcceptsRawUserId) {
  const fs::path input = write("users.csv", kPhoneUsers);
  const std::string db = (dir_ / "store.db").string();
  RunResult result = run("--lang en ingest " + input.string() + " --db " + db + " --no-detect");
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* command : {"profile", "recommend"}) {
    result = run(std::string("--lang en ") + command + " 13812345678 --db " + db + " --format json");
    EXPECT_EQ(result.output.find("has no items"), std::string::npos) << command << ": " << result.output;
    EXPECT_EQ(result.output.find("13812345678"), std::string::npos) << command << ": " << result.output;
  }
  result = run("--lang en profile 13812345678 --db " + db + " --format json");
  const auto body = nlohmann::json::parse(result.output, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << result.output;
  const std::string pseudonym = body["user"];
  EXPECT_TRUE(pseudonym.starts_with("user-")) << pseudonym;
  EXPECT_EQ(run("--lang en profile " + pseudonym + " --db " + db + " --format json").status, 0)
      << "the pseudonym is accepted too";
}

TEST_F(CliTest, AspectOffsetsIndexTheWrittenText) {
  const fs::path input = write("reviews.csv", kReviews);
  const fs::path output = dir_ / "out.jsonl";
  ASSERT_EQ(run("analyze " + input.string() + " --output " + output.string()).status, 0);
  int spans = 0;
  for (const auto& row : read_jsonl(output)) {
    const std::string text = row["text"];
    for (const auto& aspect : row["aspects"]) {
      if (aspect["aspect"].is_string()) {
        EXPECT_EQ(aspect["aspect"], shopsight::utf8::substr(text, aspect["aspect_begin"], aspect["aspect_end"]));
        ++spans;
      }
      if (aspect["opinion"].is_string()) {
        EXPECT_EQ(aspect["opinion"], shopsight::utf8::substr(text, aspect["opinion_begin"], aspect["opinion_end"]));
        ++spans;
      }
    }
  }
  EXPECT_GT(spans, 3);
}

TEST_F(CliTest, BadRowIsRejectedAndOthersSurvive) {
  // Row 4 has bytes that are valid in neither UTF-8 nor GB18030; the other
  // rows carry enough UTF-8 for the file to be read as UTF-8.
  const fs::path input = write("reviews.csv",
                               "id,review\n"
                               "1,物流很快，包装完好，客服态度也很好\n"
                               "2,\"\"\n"
                               "3,质量不错，价格实惠，推荐购买\n"
                               "4,\xFF\xFF broken bytes\n"
                               "5,\"Fast shipping, nice box\"\n");
  const fs::path output = dir_ / "out.jsonl";
  const fs::path rejects = dir_ / "rejects.csv";
  const RunResult result =
      run("analyze " + input.string() + " --output " + output.string() + " --rejects " + rejects.string());
  EXPECT_EQ(result.status, 3) << result.output;
  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["id"], "1");
  EXPECT_EQ(rows[0]["text"], "物流很快，包装完好，客服态度也很好");
  EXPECT_EQ(rows[1]["id"], "3");
  EXPECT_EQ(rows[2]["id"], "5");
  const std::string rejected = read_file(rejects);
  EXPECT_NE(rejected.find(input.string()), std::string::npos) << rejected;
  EXPECT_NE(rejected.find(",3,"), std::string::npos) << rejected;
  EXPECT_NE(rejected.find(",5,"), std::string::npos) << rejected;
}

TEST_F(CliTest, ReadsStandardInput) {
  const fs::path input = write("reviews.jsonl",
                               "{\"id\": \"a\", \"text\": \"包装很用心，好评\"}\n"
                               "{\"id\": \"b\", \"text\": \"Arrived broken.\"}\n");
  const fs::path output = dir_ / "out.jsonl";
  const RunResult result = run("analyze - --input-format jsonl --output " + output.string() + " < " + input.string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["id"], "b");
  EXPECT_EQ(rows[1]["source"], "-");
}

TEST_F(CliTest, DecodesGb18030Export) {
  // "评论\n质量很好\n" in GB18030, as a spreadsheet exports it.
  const fs::path input = write("gbk.csv", "\xC6\xC0\xC2\xDB\n\xD6\xCA\xC1\xBF\xBA\xDC\xBA\xC3\n");
  const fs::path output = dir_ / "out.jsonl";
  const RunResult result = run("analyze " + input.string() + " --output " + output.string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["text"], "质量很好");
}

TEST_F(CliTest, MissingColumnListsTheColumns) {
  const fs::path input = write("reviews.csv", "id,body_text\n1,hello\n");
  const RunResult result = run("analyze " + input.string() + " --text review");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("body_text"), std::string::npos) << result.output;
}

TEST_F(CliTest, MessagesFollowLang) {
  const RunResult result = run("--lang zh analyze /nonexistent/reviews.csv");
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("/nonexistent/reviews.csv"), std::string::npos) << result.output;
  // Any CJK character shows that the message was translated.
  EXPECT_NE(result.output.find("\xE6"), std::string::npos) << result.output;
}

TEST_F(CliTest, ReadingAndReportMessagesInChinese) {
  const fs::path input = write("reviews.csv", kReviews);
  const RunResult result = run("--lang zh analyze " + input.string() + " --output " + (dir_ / "out.jsonl").string() +
                               " --report " + (dir_ / "r.md").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("各字段使用的列：text: review"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("columns of the fields"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("已将 4 条数据的报告写入"), std::string::npos) << result.output;
}

TEST_F(CliTest, WritesReportsInEveryFormat) {
  const fs::path input = write("reviews.csv", kReviews);
  const RunResult result = run("analyze " + input.string() + " --output " + (dir_ / "out.jsonl").string() +
                               " --report " + (dir_ / "r.md").string() + " --report " + (dir_ / "r.html").string() +
                               " --report " + (dir_ / "r.json").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(read_file(dir_ / "r.md").find("p1"), std::string::npos);
  EXPECT_NE(read_file(dir_ / "r.html").find("<svg"), std::string::npos);
  const auto report = nlohmann::json::parse(read_file(dir_ / "r.json"));
  EXPECT_FALSE(report.empty());
}

TEST_F(CliTest, ReportShowsDecodedTextAndTakesOptions) {
  // Scraped reviews with HTML character references, some escaped twice.
  const fs::path input = write(
      "scraped.csv",
      "id,time,product,category,review\n"
      "s1,2016-03-01 10:00:00,w1,洗衣机,物流太慢了&hellip;&hellip;客服说&amp;quot;正常&amp;quot;，太差了\n"
      "s2,2016-03-02 10:00:00,w1,洗衣机,&ldquo;噪音&rdquo;太大了，质量很差\n"
      "s3,2016-03-03 10:00:00,w2,洗衣机,很好用，很满意\n");
  const fs::path output = dir_ / "out.jsonl";
  const RunResult result =
      run("analyze " + input.string() + " --output " + output.string() + " --report " + (dir_ / "r.json").string() +
          " --report " + (dir_ / "r.html").string() + " --report " + (dir_ / "r.md").string() +
          " --report-title 'Washers & dryers' --report-aspects 1 --report-examples 1 --report-snippet-chars 12"
          " --report-keywords 3 --report-products 1 --report-categories 0");
  ASSERT_EQ(result.status, 0) << result.output;

  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["text"], "物流太慢了……客服说\"正常\"，太差了");
  EXPECT_EQ(rows[1]["text"], "“噪音”太大了，质量很差");
  // Other columns stay as they came.
  EXPECT_EQ(rows[1]["columns"]["review"], "&ldquo;噪音&rdquo;太大了，质量很差");
  EXPECT_EQ(rows[2]["columns"]["review"], rows[2]["text"]);

  const auto report = nlohmann::json::parse(read_file(dir_ / "r.json"));
  EXPECT_EQ(report["title"], "Washers & dryers");
  EXPECT_EQ(report["options"]["top_aspects"], 1);
  EXPECT_EQ(report["options"]["examples_per_aspect"], 1);
  EXPECT_EQ(report["options"]["snippet_chars"], 12);
  EXPECT_EQ(report["options"]["top_keywords"], 3);
  EXPECT_EQ(report["options"]["top_products"], 1);
  EXPECT_EQ(report["options"]["top_categories"], 0);
  EXPECT_EQ(report["products"].size(), 1u);
  EXPECT_EQ(report["product_count"], 2);
  const auto& aspects = report["totals"]["negative_aspects"];
  ASSERT_EQ(aspects.size(), 1u);
  ASSERT_EQ(aspects[0]["examples"].size(), 1u);
  const std::string snippet = aspects[0]["examples"][0]["text"];
  EXPECT_LE(shopsight::utf8::length(snippet), 14) << snippet;

  const std::string all_reports = read_file(dir_ / "r.json") + read_file(dir_ / "r.html") + read_file(dir_ / "r.md");
  for (const char* literal : {"&hellip;", "&ldquo;", "&amp;quot;", "&amp;amp;", "&amp;#39;"}) {
    EXPECT_EQ(all_reports.find(literal), std::string::npos) << literal;
  }
  const std::string html = read_file(dir_ / "r.html");
  EXPECT_NE(html.find("<title>Washers &amp; dryers</title>"), std::string::npos);
  // No category gets a section of its own.
  EXPECT_EQ(html.find("Category: "), std::string::npos);
}

TEST_F(CliTest, ReportOptionsWithoutReportWarn) {
  const fs::path input = write("reviews.csv", kReviews);
  const RunResult result =
      run("analyze " + input.string() + " --output " + (dir_ / "out.jsonl").string() + " --report-aspects 3");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("--report-aspects has no effect without --report"), std::string::npos)
      << result.output;
}

TEST_F(CliTest, ReportOptionOutOfRangeRejected) {
  const fs::path input = write("reviews.csv", kReviews);
  const RunResult result = run("analyze " + input.string() + " --report-snippet-chars 0");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("--report-snippet-chars"), std::string::npos) << result.output;
}

TEST_F(CliTest, HelpListsReportOptions) {
  const RunResult result = run("analyze --help");
  ASSERT_EQ(result.status, 0);
  for (const char* option : {"--report-title", "--report-aspects", "--report-examples", "--report-snippet-chars",
                             "--report-keywords", "--report-products", "--report-categories"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option;
  }
  EXPECT_NE(result.output.find("in characters (Unicode code points)"), std::string::npos) << result.output;

  const RunResult chinese = run("--lang zh analyze --help");
  ASSERT_EQ(chinese.status, 0);
  EXPECT_NE(chinese.output.find("示例片段的最大长度，单位为字符"), std::string::npos) << chinese.output;
}

TEST_F(CliTest, HelpExplainsOptions) {
  const RunResult result = run("analyze --help");
  EXPECT_EQ(result.status, 0);
  for (const char* option : {"--output", "--rejects", "--report", "--text", "--encoding", "--timezone",
                             "--neutral-threshold", "--keep-personal-data", "--threads"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option;
  }
}

TEST_F(CliTest, HelpInChinese) {
  for (const char* command : {"--help", "analyze --help", "model info --help"}) {
    const RunResult result = run(std::string("--lang zh ") + command);
    EXPECT_EQ(result.status, 0) << command;
    EXPECT_NE(result.output.find("用法"), std::string::npos) << command << "\n" << result.output;
    EXPECT_NE(result.output.find("显示此帮助信息并退出"), std::string::npos) << command << "\n" << result.output;
    EXPECT_EQ(result.output.find("Usage"), std::string::npos) << command << "\n" << result.output;
    EXPECT_EQ(result.output.find("Print this help"), std::string::npos) << command << "\n" << result.output;
    EXPECT_EQ(result.output.find("Options:"), std::string::npos) << command << "\n" << result.output;
  }
}

TEST_F(CliTest, LangHelpNamesTheLocale) {
  const ScopedVariable all("LC_ALL", nullptr);
  const ScopedVariable messages("LC_MESSAGES", nullptr);
  const ScopedVariable lang("LANG", "zh_CN.UTF-8");
  // --lang en sets the help language but not the default it describes.
  const RunResult result = run("--lang en --help");
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.output.find("the first of LC_ALL, LC_MESSAGES and LANG that is set"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("now zh, from LANG=zh_CN.UTF-8"), std::string::npos) << result.output;

  const ScopedVariable unset_lang("LANG", nullptr);
  const RunResult english = run("--help");
  EXPECT_NE(english.output.find("now en, as none of them is set"), std::string::npos) << english.output;
}

// Display column at which the description of an option line in help starts,
// or std::string::npos for other lines.
std::size_t description_column(const std::string& line) {
  if (!line.starts_with("  -")) return std::string::npos;
  std::size_t column = 2;
  std::size_t spaces = 0;
  for (const char32_t code_point : shopsight::utf8::decode(line.substr(2))) {
    if (code_point == U' ') {
      ++spaces;
    } else {
      // Option names contain single spaces only, so two spaces end the name
      // column, and so does one that ends exactly at the column's width.
      if (spaces >= 2 || (spaces == 1 && column == 30)) return column;
      spaces = 0;
    }
    std::string character;
    shopsight::utf8::append(character, code_point);
    column += shopsight::utf8::display_width(character);
  }
  return std::string::npos;
}

TEST_F(CliTest, ChineseHelpColumnsLineUp) {
  for (const char* command : {"topics --help", "analyze --help"}) {
    const RunResult result = run(std::string("--lang zh ") + command);
    ASSERT_EQ(result.status, 0) << command << "\n" << result.output;
    std::istringstream lines(result.output);
    std::string line;
    int checked = 0;
    int with_chinese_names = 0;
    while (std::getline(lines, line)) {
      const std::size_t column = description_column(line);
      if (column == std::string::npos) continue;
      ++checked;
      if (line.find("需要") != std::string::npos || line.find("必需") != std::string::npos) ++with_chinese_names;
      EXPECT_EQ(column, 30u) << command << ": " << line;
    }
    EXPECT_GT(checked, 2) << command << "\n" << result.output;
    if (std::string(command) == "topics --help") {
      EXPECT_GT(with_chinese_names, 0) << result.output;
    }
  }
}

TEST_F(CliTest, NonNumericValueIsNotANumber) {
  RunResult result = run("--lang en analyze reviews.csv --threads abc");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--threads: value abc is not a number"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("range"), std::string::npos) << result.output;

  result = run("--lang zh ingest reviews.csv --db store.db --threads abc");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--threads：取值 abc 不是数字"), std::string::npos) << result.output;

  // A number outside the range keeps the range message.
  result = run("--lang en analyze reviews.csv --threads 999");
  EXPECT_NE(result.output.find("--threads: Value 999 not in range 0 to 256"), std::string::npos) << result.output;
}

TEST_F(CliTest, KeepItemsHelpSaysItemsAreDeletedWhole) {
  const RunResult result = run("--lang en ingest --help");
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.output.find("deleted whole"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("/api/v1/items"), std::string::npos) << result.output;
}

TEST_F(CliTest, CommandLineErrorsFollowLang) {
  const std::string out_of_range = "ingest reviews.csv --db store.db --analyzer-nice 20";
  RunResult result = run("--lang zh " + out_of_range);
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--analyzer-nice：取值 20 超出范围 0 到 19"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("运行 --help 查看更多信息。"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("not in range"), std::string::npos) << result.output;

  result = run("--lang zh analyze reviews.csv --bogus");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("无法识别的参数：--bogus"), std::string::npos) << result.output;

  result = run("--lang zh --log-level loud analyze reviews.csv");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--log-level：loud 不在可选值"), std::string::npos) << result.output;

  result = run("--lang zh analyze reviews.csv --output");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--output：缺少 1 个 TEXT 类型的取值"), std::string::npos) << result.output;

  result = run("--lang en " + out_of_range);
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--analyzer-nice: Value 20 not in range 0 to 19"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Run with --help for more information."), std::string::npos) << result.output;
}

TEST_F(CliTest, InvalidOptionIsUsageError) {
  EXPECT_EQ(run("analyze --no-such-option x.csv").status, 2);
  const RunResult zero = run("analyze x.csv --max-field-bytes 0");
  EXPECT_EQ(zero.status, 2);
  EXPECT_NE(zero.output.find("--max-field-bytes: Value 0 not in range 1 to"), std::string::npos) << zero.output;
}

// Opening an output truncates it, so an output that is also an input would
// destroy the input before a row is read. Every spelling of the path counts.
TEST_F(CliTest, OutputNamingAnInputIsRefused) {
  const fs::path input = write("same.csv", kReviews);
  fs::create_directories(dir_ / "sub");
  fs::create_symlink(input, dir_ / "link.csv");
  const std::string other_spelling = (dir_ / "sub" / ".." / "same.csv").string();
  const std::string fresh = (dir_ / "out.jsonl").string();
  for (const std::string& options : {"-o " + input.string(), "--rejects " + other_spelling,
                                     "--report " + (dir_ / "link.csv").string(),
                                     "--output " + fresh + " --rejects " + input.string()}) {
    const RunResult result = run("analyze " + input.string() + " " + options);
    EXPECT_EQ(result.status, 2) << options << "\n" << result.output;
    EXPECT_NE(result.output.find("is also an input file"), std::string::npos) << result.output;
    EXPECT_EQ(read_file(input), kReviews) << options;
  }
  EXPECT_FALSE(fs::exists(fresh)) << "nothing is opened before the check";

  const std::string db = (dir_ / "store.db").string();
  for (const std::string command : {"ingest", "watch", "backtest"}) {
    const std::string store = command == "backtest" ? "" : " --db " + db;
    const RunResult result = run(command + " " + input.string() + store + " --rejects " + other_spelling);
    EXPECT_EQ(result.status, 2) << command << "\n" << result.output;
    EXPECT_EQ(read_file(input), kReviews) << command;
  }
  EXPECT_FALSE(fs::exists(db)) << "the store is not opened either";
  EXPECT_EQ(run("idf " + input.string() + " -o " + input.string()).status, 2);
  EXPECT_EQ(run("topics " + input.string() + " --assignments " + input.string()).status, 2);
  EXPECT_EQ(run("train --data " + input.string() + " --label rating --out " + input.string()).status, 2);
  EXPECT_EQ(read_file(input), kReviews);

  // A watched folder reads every file that lands in it, a rejects file too.
  const RunResult folder = run("watch " + dir_.string() + " --db " + db + " --rejects " + fresh);
  EXPECT_EQ(folder.status, 2) << folder.output;
  EXPECT_NE(folder.output.find("is in the watched folder"), std::string::npos) << folder.output;

  const RunResult chinese = run("--lang zh analyze " + input.string() + " -o " + input.string());
  EXPECT_EQ(chinese.status, 2);
  EXPECT_NE(chinese.output.find("同时也是输入文件"), std::string::npos) << chinese.output;
}

// A requested column that one of several files lacks costs that file only:
// the error names it and lists its columns, the others are read, and the
// exit status says that something was skipped.
TEST_F(CliTest, MissingColumnInOneOfSeveralFilesSkipsThatFile) {
  const fs::path without = write("a.csv", kReviews);
  const fs::path with = write("b.jsonl", "{\"id\":\"q1\",\"review\":\"物流太慢了\",\"channel\":\"query\"}\n"
                                           "{\"id\":\"q2\",\"review\":\"质量很好\",\"channel\":\"chat\"}\n");
  const fs::path output = dir_ / "out.jsonl";
  RunResult result =
      run("analyze " + without.string() + " " + with.string() + " --channel channel -o " + output.string());
  EXPECT_EQ(result.status, 3) << result.output;
  EXPECT_NE(result.output.find("a.csv: column 'channel' (requested for the channel field) not found; the columns "
                               "are: id, time, product, category, user, rating, review"),
            std::string::npos)
      << result.output;
  const auto rows = read_jsonl(output);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["channel"], "query");
  EXPECT_EQ(rows[1]["channel"], "chat");

  const std::string db = (dir_ / "store.db").string();
  result = run("ingest " + without.string() + " " + with.string() + " --channel channel --db " + db + " --no-detect");
  EXPECT_EQ(result.status, 3) << result.output;
  EXPECT_NE(result.output.find("a.csv: column 'channel'"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("2 items read"), std::string::npos) << result.output;

  // With one input, or when no input can be read, the command fails as before.
  EXPECT_EQ(run("analyze " + without.string() + " --channel channel -o " + output.string()).status, 1);
  result = run("analyze " + without.string() + " " + without.string() + " --channel channel -o " + output.string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("all 2 input files failed to open"), std::string::npos) << result.output;
}

// Two outputs naming one file would truncate each other when opened and
// interleave their lines; every spelling of the path counts here too.
TEST_F(CliTest, TwoOutputsNamingOneFileAreRefused) {
  const fs::path input = write("reviews.csv", kReviews);
  const fs::path kept = write("kept.jsonl", "kept\n");
  fs::create_directories(dir_ / "sub");
  fs::create_symlink(kept, dir_ / "link.jsonl");
  const std::string fresh = (dir_ / "out.jsonl").string();
  const std::string fresh_spelling = (dir_ / "sub" / ".." / "out.jsonl").string();
  for (const std::string& options :
       {"-o " + fresh + " --rejects " + fresh, "-o " + fresh + " --report " + fresh_spelling,
        "-o " + kept.string() + " --rejects " + (dir_ / "link.jsonl").string()}) {
    const RunResult result = run("analyze " + input.string() + " " + options);
    EXPECT_EQ(result.status, 2) << options << "\n" << result.output;
    EXPECT_NE(result.output.find("name the same file"), std::string::npos) << result.output;
  }
  EXPECT_FALSE(fs::exists(fresh)) << "nothing is opened before the check";
  EXPECT_EQ(read_file(kept), "kept\n");
  EXPECT_EQ(run("topics " + input.string() + " -o " + fresh + " --assignments " + fresh_spelling).status, 2);

  const RunResult chinese = run("--lang zh analyze " + input.string() + " -o " + fresh + " --rejects " + fresh);
  EXPECT_EQ(chinese.status, 2);
  EXPECT_NE(chinese.output.find("指向同一个文件"), std::string::npos) << chinese.output;
}

}  // namespace
