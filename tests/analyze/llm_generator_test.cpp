// Generator and LLM extractor tests with a generated random-weight decoder:
// the weights are noise, so these tests check determinism, the grammar's
// guarantees and the errors, not the quality of answers.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "analyze/analyze.h"
#include "analyze/llm_aspects.h"
#include "common/error.h"
#include "common/utf8.h"
#include "llm/llm.h"
#include "llm/test_models.h"

namespace shopsight {
namespace {

using testing::generated_model;

std::string decoder_path() { return testing::long_context_decoder(); }

const llm::Model& decoder() {
  static const std::unique_ptr<llm::Model> model = llm::Model::load(decoder_path(), llm::default_model_options());
  return *model;
}

llm::GenerateOptions small_options(float temperature, std::uint32_t seed) {
  llm::GenerateOptions options = llm::default_generate_options();
  options.threads = 1;
  options.context = 512;
  options.max_tokens = 24;
  options.temperature = temperature;
  options.seed = seed;
  return options;
}

std::string chat_prompt(const llm::Generator& generator, const std::string& text) {
  return generator.apply_chat_template({{"system", "Answer in JSON."}, {"user", text}});
}

TEST(LlmGenerator, ChatTemplateIsChatMl) {
  llm::Generator generator(decoder(), small_options(0, 1));
  const std::string prompt = chat_prompt(generator, "物流很快");
  EXPECT_NE(prompt.find("<|im_start|>user\n物流很快<|im_end|>"), std::string::npos) << prompt;
  EXPECT_EQ(prompt.substr(prompt.size() - 22), "<|im_start|>assistant\n");
}

TEST(LlmGenerator, GreedyIsRepeatable) {
  llm::Generator generator(decoder(), small_options(0, 1));
  const std::string prompt = chat_prompt(generator, "battery is great");
  const std::string first = generator.generate(prompt, "");
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(generator.generate(prompt, ""), first);
}

TEST(LlmGenerator, SeedFixesSampling) {
  llm::Generator generator(decoder(), small_options(1.0f, 7));
  llm::Generator twin(decoder(), small_options(1.0f, 7));
  llm::Generator other(decoder(), small_options(1.0f, 8));
  const std::string prompt = chat_prompt(generator, "包装破损，客服态度差");
  const std::string first = generator.generate(prompt, "");
  EXPECT_EQ(generator.generate(prompt, ""), first);
  EXPECT_EQ(twin.generate(prompt, ""), first);
  EXPECT_NE(other.generate(prompt, ""), first);
}

TEST(LlmGenerator, GrammarConstrainsOutput) {
  llm::Generator generator(decoder(), small_options(1.0f, 3));
  const std::string prompt = chat_prompt(generator, "ok");
  for (int i = 0; i < 5; ++i) {
    const std::string output = generator.generate(prompt, "root ::= (\"yes\" | \"no\") \" \" [0-9]{1,3}");
    EXPECT_TRUE(output.rfind("yes ", 0) == 0 || output.rfind("no ", 0) == 0) << output;
  }
}

TEST(LlmGenerator, ControlTokensRemoved) {
  const llm::Generator generator(decoder(), small_options(0, 1));
  EXPECT_EQ(generator.remove_control_tokens("good<|im_end|>\n<|im_start|>system"), "good\nsystem");
  EXPECT_EQ(generator.remove_control_tokens("a<|im_<|im_end|>end|>b"), "ab");
  EXPECT_EQ(generator.remove_control_tokens("物流很快 <b>ok</b>"), "物流很快 <b>ok</b>");

  // What is left tokenizes the same with and without special parsing.
  const std::string cleaned = generator.remove_control_tokens("x<|endoftext|>y<|im_end|>z");
  EXPECT_EQ(decoder().tokenize(cleaned, false, true), decoder().tokenize(cleaned, false, false));
}

TEST(LlmGenerator, InvalidGrammarThrows) {
  llm::Generator generator(decoder(), small_options(0, 1));
  const std::string prompt = chat_prompt(generator, "ok");
  EXPECT_THROW(generator.generate(prompt, "root ::= (\"unclosed\""), Error);
  EXPECT_THROW(generator.generate(prompt, "start ::= \"a\""), Error);
}

TEST(LlmGenerator, LongPromptThrows) {
  llm::Generator generator(decoder(), small_options(0, 1));
  std::string text;
  for (int i = 0; i < 400; ++i) text += "很好 ";
  EXPECT_THROW(generator.generate(chat_prompt(generator, text), ""), Error);
}

TEST(LlmGenerator, EncoderModelThrows) {
  const auto encoder = llm::Model::load(generated_model("bert"), llm::default_model_options());
  EXPECT_THROW(llm::Generator(*encoder, small_options(0, 1)), Error);
}

// Every answer that the schema grammar lets the random model write must
// parse and validate, also at temperature 1 where the noise explores the
// grammar widely.
TEST(LlmGenerator, SchemaAnswersAlwaysValidate) {
  const nlohmann::ordered_json schema = adapt_schema(load_schema(default_prompt_dir() + "/aspects.schema.json"),
                                                     standard_aspect_categories(), true);
  const std::string grammar = schema_to_grammar(schema);
  llm::GenerateOptions options = small_options(1.0f, 11);
  options.context = 4096;
  options.max_tokens = static_cast<int>(max_output_bytes(schema)) + 1;
  llm::Generator generator(decoder(), options);

  std::set<std::string> distinct;
  for (int i = 0; i < 50; ++i) {
    const std::string review = (i % 2 == 0 ? "第" + std::to_string(i) + "次购买，质量不错，发货慢"
                                           : "Order " + std::to_string(i) + ": the screen is sharp but the price is high");
    const std::string output = generator.generate(chat_prompt(generator, review), grammar);
    LlmAnswer answer;
    std::string reason;
    EXPECT_TRUE(utf8::is_valid(output)) << output;
    EXPECT_TRUE(parse_answer(output, schema, &answer, &reason)) << reason << "\n" << output;
    distinct.insert(output);
  }
  EXPECT_GT(distinct.size(), 40u);
}

TEST(LlmExtractor, RunsOnDocument) {
  LlmAspectOptions options;
  options.model_path = decoder_path();
  options.threads = 1;
  options.temperature = 1.0f;
  options.seed = 5;
  options.summary = true;
  const LlmAspectExtractor extractor(options);
  EXPECT_GT(extractor.max_tokens(), 1000);

  Normalizer normalizer(NormalizeOptions{});
  const Document document = make_document(normalizer, "屏幕很清晰，但是电池不耐用");
  const LlmResult first = extractor.run(document);
  EXPECT_TRUE(first.valid);
  EXPECT_EQ(extractor.invalid_outputs(), 0);
  EXPECT_EQ(first.spans.size(), first.answer.aspects.size());
  for (const AspectSpan& span : first.spans) {
    EXPECT_GE(span.aspect_end, span.aspect_begin);
    if (span.aspect_begin < 0) {
      EXPECT_EQ(span.aspect_end, -1);
    }
  }

  const LlmResult second = extractor.run(document);
  EXPECT_EQ(second.answer.summary, first.answer.summary);
  EXPECT_EQ(second.answer.sentiment, first.answer.sentiment);
}

TEST(LlmExtractor, MissingModelThrows) {
  LlmAspectOptions options;
  options.model_path = ::testing::TempDir() + "/no-such-model.gguf";
  EXPECT_THROW(LlmAspectExtractor{options}, Error);
}

TEST(LlmExtractor, SmallContextThrows) {
  LlmAspectOptions options;
  options.model_path = decoder_path();
  options.context = 1024;
  EXPECT_THROW(LlmAspectExtractor{options}, Error);
}

TEST(LlmExtractor, DefaultContextCappedAtTrainingContext) {
  LlmAspectOptions options;
  options.model_path = generated_model("llama", "--context 3584");
  options.threads = 1;
  EXPECT_EQ(LlmAspectExtractor(options).context(), 3584);

  options.model_path = decoder_path();
  EXPECT_EQ(LlmAspectExtractor(options).context(), 4096);
}

TEST(LlmExtractor, ContextAboveTrainingContextThrows) {
  LlmAspectOptions options;
  options.model_path = generated_model("llama", "--context 2048");
  options.context = 3000;
  try {
    const LlmAspectExtractor extractor(options);
    ADD_FAILURE() << "--llm-context above the training context was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("above the 2048 tokens"), std::string::npos) << error.what();
  }
}

TEST(LlmExtractor, ShortTrainingContextExplainsTheLimit) {
  LlmAspectOptions options;
  options.model_path = generated_model("llama");
  try {
    const LlmAspectExtractor extractor(options);
    ADD_FAILURE() << "a training context of 512 tokens was accepted for the whole output grammar";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("trained on a context of 512 tokens"), std::string::npos)
        << error.what();
  }
}

TEST(LlmExtractor, CustomPromptIsUsed) {
  const std::string path = ::testing::TempDir() + "/llm_prompt.txt";
  std::ofstream(path) << "[user]\nRate: {text}\n";
  LlmAspectOptions options;
  options.model_path = decoder_path();
  options.prompt_path = path;
  options.threads = 1;
  const LlmAspectExtractor extractor(options);
  Normalizer normalizer(NormalizeOptions{});
  EXPECT_TRUE(extractor.run(make_document(normalizer, "fine")).valid);

  std::ofstream(path) << "[user]\nno placeholder\n";
  EXPECT_THROW(LlmAspectExtractor{options}, Error);
}

TEST(LlmExtractor, LongPromptFailsAtStart) {
  const std::string path = ::testing::TempDir() + "/llm_long_prompt.txt";
  std::string padding;
  for (int i = 0; i < 8000; ++i) padding += "padding ";
  std::ofstream(path) << "[user]\n" << padding << "\n{text}\n";
  LlmAspectOptions options;
  options.model_path = decoder_path();
  options.prompt_path = path;
  options.threads = 1;
  try {
    const LlmAspectExtractor extractor(options);
    ADD_FAILURE() << "a prompt longer than the context was accepted";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("without a review"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace shopsight
