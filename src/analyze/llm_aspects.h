#pragma once

// Generative aspect extraction: a decoder LLM reads each review through a
// prompt file and answers in JSON that a GBNF grammar, derived from a JSON
// schema, forces into shape. The schema support is a small subset (objects,
// arrays, strings, enums) chosen so that every output has a bounded length.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyze/analyze.h"

namespace shopsight {

/// Settings of the LLM extractor.
struct LlmAspectOptions {
  std::string model_path;                 ///< decoder GGUF file
  std::string prompt_path;                ///< prompt file for every language; empty picks the shipped one by language
  std::string schema_path;                ///< output schema; empty means the shipped prompts/aspects.schema.json
  std::vector<std::string> categories;    ///< allowed category keys; empty means the standard ones
  /// Tokens of prompt plus output per call; 0 means 4096, or the model's
  /// training context when that is smaller. A larger value than the training
  /// context is an error.
  int context = 0;
  int threads = 0;                        ///< llama.cpp threads per call; 0 means every core
  int max_tokens = 0;                     ///< generated tokens at most; 0 derives it from the grammar bound
  float temperature = 0;                  ///< 0 picks the most likely token
  std::uint32_t seed = 42;
  bool summary = false;                   ///< also ask for a one-line summary
};

/// One aspect as the LLM wrote it.
struct LlmAspect {
  std::string aspect;
  std::string opinion;
  std::string category;
  std::string polarity;
};

/// A validated LLM answer.
struct LlmAnswer {
  std::string sentiment;                  ///< positive, negative or neutral
  std::vector<LlmAspect> aspects;
  std::string summary;                    ///< empty unless a summary was requested
};

/// Everything the LLM extractor returns for one document.
struct LlmResult {
  bool valid = false;                     ///< false when the output failed the schema check
  LlmAnswer answer;
  std::vector<AspectSpan> spans;          ///< aspects located in the normalized text
};

/// A prompt file split into its sections.
struct PromptTemplate {
  std::string system;                     ///< [system] section
  std::string user;                       ///< [user] section; contains {text}
  std::string summary;                    ///< [summary] section, appended to the user message when a summary is requested
};

/// Folder of the shipped prompts and schema.
std::string default_prompt_dir();

/// Parses a prompt file's text; throws shopsight::Error naming `source` when
/// the [user] section or its {text} placeholder is missing.
PromptTemplate parse_prompt(std::string_view content, const std::string& source);

/// Reads and parses a prompt file.
PromptTemplate load_prompt(const std::string& path);

/// Substitutes {text} and {categories} in `prompt`'s user section.
std::string render_user_message(const PromptTemplate& prompt, std::string_view text,
                                const std::vector<std::string>& categories, bool summary);

/// Reads the aspects schema; throws shopsight::Error naming the file when it is not JSON.
nlohmann::ordered_json load_schema(const std::string& path);

/// Copy of the aspects schema with the category enum replaced by
/// `categories` and `summary` required or removed.
nlohmann::ordered_json adapt_schema(const nlohmann::ordered_json& schema, const std::vector<std::string>& categories,
                                    bool summary);

/// GBNF grammar (root rule "root") that accepts compact JSON matching
/// `schema`. Throws shopsight::Error when the schema uses a construct
/// outside the subset, or leaves a string or array without a maximum.
std::string schema_to_grammar(const nlohmann::ordered_json& schema);

/// Maximum bytes of any text the grammar of `schema` accepts.
std::size_t max_output_bytes(const nlohmann::ordered_json& schema);

/// Checks `value` against the schema subset; on failure returns false and
/// sets `reason` to the JSON path and the rule it breaks.
bool validate_against_schema(const nlohmann::json& value, const nlohmann::ordered_json& schema, std::string* reason);

/// Parses and validates LLM output; false (with `reason`) when it is not JSON
/// or breaks the schema.
bool parse_answer(const std::string& output, const nlohmann::ordered_json& schema, LlmAnswer* answer,
                  std::string* reason);

/// Code point span [begin, end) of `term` in `text`, searched exactly and
/// then ignoring ASCII case; the occurrence nearest to `near` wins. Returns
/// {-1, -1} when the term is empty or absent.
std::pair<std::int32_t, std::int32_t> find_term(std::u32string_view text, std::string_view term,
                                                std::int32_t near = 0);

/// Category keys a lexicon file names beyond the standard ones, in file order.
std::vector<std::string> lexicon_categories(const std::string& path);

/// Aspect extraction (and sentiment, and a summary) with a decoder LLM.
/// Thread-safe: each call borrows a llama.cpp context from a pool, making a
/// new one when every context is busy.
class LlmAspectExtractor final : public AspectExtractor {
 public:
  /// Loads the model, prompts and schema; throws shopsight::Error naming the file at fault.
  explicit LlmAspectExtractor(const LlmAspectOptions& options);
  ~LlmAspectExtractor() override;

  /// Aspect spans only, for callers of the AspectExtractor interface.
  std::vector<AspectSpan> extract(const Document& document) const override;

  /// Full result: sentiment, aspects and summary.
  LlmResult run(const Document& document) const;

  /// Outputs that failed the schema check so far.
  std::int64_t invalid_outputs() const;

  /// Outputs checked against the schema so far.
  std::int64_t checked_outputs() const;

  /// The grammar every call samples under.
  const std::string& grammar() const;

  /// Tokens each call may generate.
  int max_tokens() const;

  /// Tokens of prompt plus output per call, as options.context resolved against the model.
  int context() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shopsight
