// Schema, grammar, validator, prompt and offset tests of the LLM extractor;
// none of them loads a model.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/llm_aspects.h"
#include "common/error.h"
#include "common/utf8.h"

namespace shopsight {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson shipped_schema(bool summary) {
  return adapt_schema(load_schema(default_prompt_dir() + "/aspects.schema.json"), standard_aspect_categories(), summary);
}

std::u32string u32(const std::string& text) {
  const std::vector<char32_t> code_points = utf8::decode(text);
  return std::u32string(code_points.begin(), code_points.end());
}

TEST(LlmSchema, ShippedSchemaLoads) {
  const OrderedJson schema = shipped_schema(false);
  EXPECT_EQ(schema["type"], "object");
  EXPECT_FALSE(schema["properties"].contains("summary"));
  EXPECT_EQ(schema["required"], OrderedJson::array({"sentiment", "aspects"}));
}

TEST(LlmSchema, SummaryBecomesRequired) {
  const OrderedJson schema = shipped_schema(true);
  EXPECT_TRUE(schema["properties"].contains("summary"));
  EXPECT_EQ(schema["required"].back(), "summary");
}

TEST(LlmSchema, ShopCategoriesReplaceEnum) {
  std::vector<std::string> categories = standard_aspect_categories();
  categories.push_back("battery");
  const OrderedJson schema = shipped_schema(false);
  const OrderedJson adapted = adapt_schema(schema, categories, false);
  const auto& allowed = adapted["properties"]["aspects"]["items"]["properties"]["category"]["enum"];
  EXPECT_EQ(allowed.size(), categories.size());
  EXPECT_EQ(allowed.back(), "battery");
}

TEST(LlmGrammar, BoundsEveryRepetition) {
  const std::string grammar = schema_to_grammar(shipped_schema(true));
  EXPECT_NE(grammar.find("root ::= "), std::string::npos);
  EXPECT_NE(grammar.find("char{0,24}"), std::string::npos);
  EXPECT_NE(grammar.find("char{0,80}"), std::string::npos);
  EXPECT_NE(grammar.find("{0,7}"), std::string::npos);

  // No unbounded repetition operators outside character classes.
  for (const std::string op : {")*", ")+", "char*", "char+"}) {
    EXPECT_EQ(grammar.find(op), std::string::npos) << op;
  }
  EXPECT_NE(grammar.find("\\x00-\\x1F"), std::string::npos);
}

TEST(LlmGrammar, EnumValuesAreLiterals) {
  const std::string grammar = schema_to_grammar(shipped_schema(false));
  EXPECT_NE(grammar.find("\"\\\"positive\\\"\""), std::string::npos) << grammar;
  EXPECT_NE(grammar.find("\"\\\"freshness_taste\\\"\""), std::string::npos);
  EXPECT_EQ(grammar.find("summary"), std::string::npos);
}

TEST(LlmGrammar, RejectsUnboundedString) {
  const OrderedJson schema = OrderedJson::parse(R"({"type":"object","required":["a"],"properties":{"a":{"type":"string"}}})");
  EXPECT_THROW(schema_to_grammar(schema), Error);
}

TEST(LlmGrammar, RejectsUnboundedArray) {
  const OrderedJson schema = OrderedJson::parse(
      R"({"type":"object","required":["a"],"properties":{"a":{"type":"array","items":{"type":"string","maxLength":3}}}})");
  EXPECT_THROW(schema_to_grammar(schema), Error);
}

TEST(LlmGrammar, RejectsNumberType) {
  const OrderedJson schema = OrderedJson::parse(R"({"type":"object","required":["a"],"properties":{"a":{"type":"number"}}})");
  EXPECT_THROW(schema_to_grammar(schema), Error);
}

TEST(LlmGrammar, MaxBytesOfSmallSchema) {
  // {"a":"xx"} with two 4-byte characters at most: 2 + 4 + 2 + 8 = 16 bytes.
  const OrderedJson schema = OrderedJson::parse(
      R"({"type":"object","required":["a"],"properties":{"a":{"type":"string","maxLength":2}}})");
  EXPECT_EQ(max_output_bytes(schema), 16u);
}

TEST(LlmGrammar, MaxBytesCoversLongestAnswer) {
  const OrderedJson schema = shipped_schema(true);
  OrderedJson longest = {{"sentiment", "negative"}, {"aspects", OrderedJson::array()}, {"summary", std::string(80 * 3, 'x')}};
  const std::string term(24 * 3, 'x');
  for (int i = 0; i < 8; ++i) {
    longest["aspects"].push_back({{"aspect", term}, {"opinion", term}, {"category", "freshness_taste"}, {"polarity", "negative"}});
  }
  EXPECT_GE(max_output_bytes(schema), longest.dump().size());
  EXPECT_LT(max_output_bytes(schema), 4000u);
}

TEST(LlmValidator, AcceptsValidAnswer) {
  LlmAnswer answer;
  std::string reason;
  const std::string output =
      R"({"sentiment":"positive","aspects":[{"aspect":"电池","opinion":"耐用","category":"quality","polarity":"positive"}]})";
  ASSERT_TRUE(parse_answer(output, shipped_schema(false), &answer, &reason)) << reason;
  EXPECT_EQ(answer.sentiment, "positive");
  ASSERT_EQ(answer.aspects.size(), 1u);
  EXPECT_EQ(answer.aspects[0].aspect, "电池");
  EXPECT_EQ(answer.aspects[0].category, "quality");
}

TEST(LlmValidator, RejectsBadAnswers) {
  const OrderedJson schema = shipped_schema(false);
  const std::vector<std::string> bad = {
      R"({"sentiment":"positive","aspects":[)",
      R"({"sentiment":"happy","aspects":[]})",
      R"({"aspects":[]})",
      R"({"sentiment":"neutral","aspects":[],"extra":1})",
      R"({"sentiment":"neutral","aspects":[{"aspect":"a","opinion":"b","category":"colour","polarity":"positive"}]})",
      R"({"sentiment":"neutral","aspects":[{"aspect":"a","opinion":"b","category":"price"}]})",
      R"({"sentiment":"neutral","aspects":[{"aspect":"aaaaaaaaaaaaaaaaaaaaaaaaa","opinion":"b","category":"price","polarity":"neutral"}]})",
      R"({"sentiment":"neutral","aspects":{}})",
      R"({"sentiment":"neutral","aspects":[],"summary":"no summary was requested"})",
  };
  for (const std::string& output : bad) {
    LlmAnswer answer;
    std::string reason;
    EXPECT_FALSE(parse_answer(output, schema, &answer, &reason)) << output;
    EXPECT_FALSE(reason.empty()) << output;
  }
}

TEST(LlmValidator, RejectsTooManyAspects) {
  OrderedJson value = {{"sentiment", "neutral"}, {"aspects", OrderedJson::array()}};
  for (int i = 0; i < 9; ++i) {
    value["aspects"].push_back({{"aspect", ""}, {"opinion", ""}, {"category", "other"}, {"polarity", "neutral"}});
  }
  std::string reason;
  EXPECT_FALSE(validate_against_schema(nlohmann::json::parse(value.dump()), shipped_schema(false), &reason));
  EXPECT_NE(reason.find("maxItems"), std::string::npos);
}

TEST(LlmValidator, CountsCodePointsNotBytes) {
  // 24 Chinese characters are 72 bytes but within maxLength 24.
  std::string term;
  for (int i = 0; i < 24; ++i) term += "好";
  const OrderedJson value = {{"sentiment", "neutral"},
                             {"aspects", {{{"aspect", term}, {"opinion", ""}, {"category", "other"}, {"polarity", "neutral"}}}}};
  std::string reason;
  EXPECT_TRUE(validate_against_schema(nlohmann::json::parse(value.dump()), shipped_schema(false), &reason)) << reason;
}

TEST(LlmOffsets, FindsChineseTerm) {
  const auto span = find_term(u32("物流很快，电池很耐用"), "电池");
  EXPECT_EQ(span.first, 5);
  EXPECT_EQ(span.second, 7);
}

TEST(LlmOffsets, IgnoresAsciiCase) {
  const auto span = find_term(u32("The Battery lasts long"), "battery");
  EXPECT_EQ(span.first, 4);
  EXPECT_EQ(span.second, 11);
}

TEST(LlmOffsets, PicksOccurrenceNearest) {
  const std::u32string text = u32("good screen, bad price, good battery");
  EXPECT_EQ(find_term(text, "good", 0).first, 0);
  EXPECT_EQ(find_term(text, "good", 30).first, 24);
}

TEST(LlmOffsets, AbsentTermIsMinusOne) {
  EXPECT_EQ(find_term(u32("物流很快"), "价格").first, -1);
  EXPECT_EQ(find_term(u32("物流很快"), "").first, -1);
  EXPECT_EQ(find_term(u32("物流很快"), "  ").second, -1);
}

TEST(LlmOffsets, TrimsSpaces) {
  const auto span = find_term(u32("fast delivery"), " delivery ");
  EXPECT_EQ(span.first, 5);
  EXPECT_EQ(span.second, 13);
}

TEST(LlmPrompt, ParsesSections) {
  const PromptTemplate prompt = parse_prompt("# comment\n[system]\nBe brief.\n[user]\nReview: {text}\nPick {categories}.\n[summary]\nSum it up.\n", "p.txt");
  EXPECT_EQ(prompt.system, "Be brief.");
  EXPECT_EQ(prompt.summary, "Sum it up.");
  const std::string message = render_user_message(prompt, "nice {categories}", {"price", "logistics"}, true);
  EXPECT_EQ(message, "Review: nice {categories}\nPick price, logistics.\n\nSum it up.");
}

TEST(LlmPrompt, SummaryOnlyWhenAsked) {
  const PromptTemplate prompt = parse_prompt("[user]\n{text}\n[summary]\nSum it up.\n", "p.txt");
  EXPECT_EQ(render_user_message(prompt, "ok", {}, false), "ok");
}

TEST(LlmPrompt, MissingPlaceholderThrows) {
  EXPECT_THROW(parse_prompt("[system]\nhi\n[user]\nno placeholder\n", "p.txt"), Error);
  EXPECT_THROW(parse_prompt("[system]\n{text}\n", "p.txt"), Error);
  EXPECT_THROW(parse_prompt("stray\n[user]\n{text}\n", "p.txt"), Error);
}

// Expects parse_prompt() to refuse `content` with a message that names the
// line `location` (file:line) and contains `fragment`.
void expect_prompt_error(const std::string& content, const std::string& location, const std::string& fragment) {
  try {
    parse_prompt(content, "p.txt");
    ADD_FAILURE() << "accepted: " << content;
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(location), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(LlmPrompt, RepeatedSectionNamesLine) {
  expect_prompt_error("[user]\n{text}\n[summary]\none\n[summary]\ntwo\n", "p.txt:5", "[summary] appears a second time");
}

TEST(LlmPrompt, UnknownSectionNamesLine) {
  expect_prompt_error("[system]\nhi\n[sytem]\n[user]\n{text}\n", "p.txt:3", "[sytem]");
}

TEST(LlmPrompt, UnknownPlaceholderNamesLine) {
  expect_prompt_error("[user]\n{text}\nPick one of {categorys}.\n", "p.txt:3", "{categorys}");
}

TEST(LlmPrompt, JsonExampleIsNotPlaceholder) {
  const PromptTemplate prompt = parse_prompt("[user]\n{text}\nAnswer like {\"aspects\": []}.\n", "p.txt");
  EXPECT_NE(prompt.user.find("{\"aspects\": []}"), std::string::npos) << prompt.user;
}

TEST(LlmPrompt, ShippedPromptsLoad) {
  for (const char* name : {"/aspects.zh.txt", "/aspects.en.txt"}) {
    const PromptTemplate prompt = load_prompt(default_prompt_dir() + name);
    EXPECT_FALSE(prompt.system.empty()) << name;
    EXPECT_NE(prompt.user.find("{categories}"), std::string::npos) << name;
    EXPECT_FALSE(prompt.summary.empty()) << name;
  }
}

TEST(LlmLabels, MapsNamedLabels) {
  EXPECT_EQ(map_sentiment_labels({"NEGATIVE", "Neutral", "positive"}, "m.gguf"),
            (std::vector<std::string>{"negative", "neutral", "positive"}));
  EXPECT_EQ(map_sentiment_labels({"pos", "neg"}, "m.gguf"), (std::vector<std::string>{"positive", "negative"}));
  EXPECT_EQ(map_sentiment_labels({"负面", "中性", "正面"}, "m.gguf"),
            (std::vector<std::string>{"negative", "neutral", "positive"}));
}

TEST(LlmLabels, UnnamedPairIsNegativePositive) {
  EXPECT_EQ(map_sentiment_labels({"LABEL_0", "LABEL_1"}, "m.gguf"), (std::vector<std::string>{"negative", "positive"}));
}

TEST(LlmLabels, UnknownLabelsThrow) {
  EXPECT_THROW(map_sentiment_labels({"LABEL_0", "LABEL_1", "LABEL_2"}, "m.gguf"), Error);
  EXPECT_THROW(map_sentiment_labels({"sports", "politics"}, "m.gguf"), Error);
  try {
    map_sentiment_labels({"sports", "politics"}, "m.gguf");
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("sports, politics"), std::string::npos);
  }
}

TEST(LlmLexicon, ReadsExtraCategories) {
  const std::string path = ::testing::TempDir() + "/llm_lexicon.tsv";
  {
    std::FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("# test\naspect\tzh\tbattery\t电池|续航\naspect\tzh\tprice\t价格\nopinion\tzh\tpositive\t耐用\tdurability\n", file);
    std::fclose(file);
  }
  EXPECT_EQ(lexicon_categories(path), (std::vector<std::string>{"battery", "durability"}));
}

}  // namespace
}  // namespace shopsight
