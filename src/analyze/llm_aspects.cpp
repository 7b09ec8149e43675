#include "analyze/llm_aspects.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/i18n.h"
#include "common/paths.h"
#include "common/utf8.h"
#include "llm/llm.h"

namespace shopsight {
namespace {

using OrderedJson = nlohmann::ordered_json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(tr("Cannot open {}; check the path.", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// A GBNF string literal for `text`: quotes, backslashes and line breaks
// must be escaped, every other byte stands for itself.
std::string gbnf_literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string json_text(const std::string& value) { return nlohmann::json(value).dump(-1, ' ', false); }

std::string schema_type(const OrderedJson& schema, const std::string& where) {
  if (!schema.is_object() || !schema.contains("type") || !schema["type"].is_string()) {
    throw Error(tr("The output schema at {} has no \"type\"; give one of object, array or string.", where));
  }
  return schema["type"].get<std::string>();
}

std::size_t schema_size(const OrderedJson& schema, const char* key, const std::string& where) {
  if (!schema.contains(key)) {
    throw Error(tr("The output schema at {} needs \"{}\", because the grammar must bound the output length.", where, key));
  }
  const OrderedJson& value = schema[key];
  if (!value.is_number_unsigned()) {
    throw Error(tr("The output schema at {}: \"{}\" must be a non-negative integer.", where, key));
  }
  return value.get<std::size_t>();
}

// Properties the grammar writes: the required ones, in schema order.
std::vector<std::string> written_properties(const OrderedJson& schema, const std::string& where) {
  std::vector<std::string> names;
  if (!schema.contains("properties") || !schema["properties"].is_object()) {
    throw Error(tr("The output schema at {} is an object without \"properties\".", where));
  }
  const OrderedJson required = schema.value("required", OrderedJson::array());
  for (const auto& [name, unused] : schema["properties"].items()) {
    const bool is_required = std::find(required.begin(), required.end(), name) != required.end();
    if (is_required) names.push_back(name);
  }
  return names;
}

// Turns schema nodes into GBNF rules, one rule per node, named by its path.
class GrammarWriter {
 public:
  std::string write(const OrderedJson& schema) {
    const std::string root = node(schema, "root");
    rules_ += "char ::= [^\"\\\\\\x00-\\x1F\\x7F] | \"\\\\\" [\"\\\\/nrt]\n";
    if (root != "root") rules_ = "root ::= " + root + "\n" + rules_;
    return rules_;
  }

 private:
  std::string node(const OrderedJson& schema, const std::string& name) {
    const std::string type = schema_type(schema, name);
    std::string body;
    if (type == "object") {
      body = object_body(schema, name);
    } else if (type == "array") {
      body = array_body(schema, name);
    } else if (type == "string") {
      body = string_body(schema, name);
    } else {
      throw Error(tr("The output schema at {} has type \"{}\"; the grammar supports object, array and string.", name, type));
    }
    rules_ += name + " ::= " + body + "\n";
    return name;
  }

  std::string object_body(const OrderedJson& schema, const std::string& name) {
    std::string body = "\"{\"";
    bool first = true;
    for (const std::string& property : written_properties(schema, name)) {
      const std::string rule = node(schema["properties"][property], name + "-" + rule_name(property));
      body += " " + gbnf_literal((first ? "" : ",") + json_text(property) + ":") + " " + rule;
      first = false;
    }
    return body + " \"}\"";
  }

  std::string array_body(const OrderedJson& schema, const std::string& name) {
    const std::size_t max_items = schema_size(schema, "maxItems", name);
    const std::size_t min_items = schema.value("minItems", std::size_t{0});
    if (!schema.contains("items")) throw Error(tr("The output schema at {} is an array without \"items\".", name));
    if (max_items == 0) return "\"[]\"";

    const std::string item = node(schema["items"], name + "-item");
    const std::string more = "(\",\" " + item + ")";
    std::string list;
    if (min_items == 0) {
      list = "(" + item + " " + more + "{0," + std::to_string(max_items - 1) + "})?";
    } else {
      list = item + " " + more + "{" + std::to_string(min_items - 1) + "," + std::to_string(max_items - 1) + "}";
    }
    return "\"[\" " + list + " \"]\"";
  }

  static std::string string_body(const OrderedJson& schema, const std::string& name) {
    if (schema.contains("enum")) {
      std::string body;
      for (const auto& value : schema["enum"]) {
        if (!value.is_string()) throw Error(tr("The output schema at {} has a non-string enum value.", name));
        body += (body.empty() ? "" : " | ") + gbnf_literal(json_text(value.get<std::string>()));
      }
      if (body.empty()) throw Error(tr("The output schema at {} has an empty enum.", name));
      return "(" + body + ")";
    }
    const std::size_t max_length = schema_size(schema, "maxLength", name);
    const std::size_t min_length = schema.value("minLength", std::size_t{0});
    return "\"\\\"\" char{" + std::to_string(min_length) + "," + std::to_string(max_length) + "} \"\\\"\"";
  }

  // GBNF rule names allow letters, digits and '-'.
  static std::string rule_name(const std::string& property) {
    std::string out;
    for (const char c : property) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      out += plain ? c : '-';
    }
    return out;
  }

  std::string rules_;
};

std::size_t max_bytes(const OrderedJson& schema, const std::string& where) {
  const std::string type = schema_type(schema, where);
  if (type == "object") {
    std::size_t total = 2;
    bool first = true;
    for (const std::string& property : written_properties(schema, where)) {
      total += (first ? 0 : 1) + json_text(property).size() + 1;
      total += max_bytes(schema["properties"][property], where + "." + property);
      first = false;
    }
    return total;
  }
  if (type == "array") {
    const std::size_t items = schema_size(schema, "maxItems", where);
    if (items == 0) return 2;
    return 2 + items * max_bytes(schema["items"], where + "[]") + (items - 1);
  }
  if (schema.contains("enum")) {
    std::size_t longest = 0;
    for (const auto& value : schema["enum"]) longest = std::max(longest, json_text(value.get<std::string>()).size());
    return longest;
  }

  // A character is one escape (2 bytes) or one UTF-8 code point (at most 4).
  return 2 + 4 * schema_size(schema, "maxLength", where);
}

bool validate_node(const nlohmann::json& value, const OrderedJson& schema, const std::string& where,
                   std::string* reason) {
  const std::string type = schema.value("type", std::string());
  if (type == "object") {
    if (!value.is_object()) {
      *reason = where + ": expected an object";
      return false;
    }
    for (const auto& name : schema.value("required", OrderedJson::array())) {
      if (!value.contains(name.get<std::string>())) {
        *reason = where + ": missing \"" + name.get<std::string>() + "\"";
        return false;
      }
    }
    const OrderedJson& properties = schema["properties"];
    const bool closed = schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    for (const auto& [name, child] : value.items()) {
      if (!properties.contains(name)) {
        if (!closed) continue;
        *reason = where + ": unexpected property \"" + name + "\"";
        return false;
      }
      if (!validate_node(child, properties[name], where + "." + name, reason)) return false;
    }
    return true;
  }
  if (type == "array") {
    if (!value.is_array()) {
      *reason = where + ": expected an array";
      return false;
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
      *reason = where + ": more than maxItems items";
      return false;
    }
    if (value.size() < schema.value("minItems", std::size_t{0})) {
      *reason = where + ": fewer than minItems items";
      return false;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (!validate_node(value[i], schema["items"], where + "[" + std::to_string(i) + "]", reason)) return false;
    }
    return true;
  }
  if (type == "string") {
    if (!value.is_string()) {
      *reason = where + ": expected a string";
      return false;
    }
    const auto& text = value.get_ref<const std::string&>();
    if (schema.contains("enum")) {
      const auto& allowed = schema["enum"];
      if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
        *reason = where + ": value not in enum";
        return false;
      }
    }
    const auto length = static_cast<std::size_t>(utf8::length(text));
    if (schema.contains("maxLength") && length > schema["maxLength"].get<std::size_t>()) {
      *reason = where + ": longer than maxLength";
      return false;
    }
    if (length < schema.value("minLength", std::size_t{0})) {
      *reason = where + ": shorter than minLength";
      return false;
    }
    return true;
  }
  *reason = where + ": unsupported schema type \"" + type + "\"";
  return false;
}

std::u32string lower_ascii(std::u32string_view text) {
  std::u32string out(text);
  for (char32_t& c : out) {
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
  }
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::string join(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (const auto& value : values) {
    if (!out.empty()) out += separator;
    out += value;
  }
  return out;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string default_prompt_dir() { return data_path("prompts", "aspects.schema.json"); }

PromptTemplate parse_prompt(std::string_view content, const std::string& source) {
  // A misspelt header or placeholder would otherwise reach the model as
  // prompt text, so both are checked against the known names.
  static const std::regex header_pattern(R"(\[[A-Za-z_]+\])");
  static const std::regex placeholder_pattern(R"(\{[A-Za-z_]+\})");

  PromptTemplate prompt;
  std::string* section = nullptr;
  bool has_user = false;
  std::set<std::string> seen;
  std::istringstream lines{std::string(content)};
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '#') continue;

    const std::string header = trim(line);
    // A second section of one name would silently join the first.
    if ((header == "[system]" || header == "[user]" || header == "[summary]") && !seen.insert(header).second) {
      throw Error(tr("{}:{}: section {} appears a second time; keep one section of each name.", source, number,
                     header));
    }
    if (header == "[system]") {
      section = &prompt.system;
    } else if (header == "[user]") {
      section = &prompt.user;
      has_user = true;
    } else if (header == "[summary]") {
      section = &prompt.summary;
    } else if (std::regex_match(header, header_pattern)) {
      throw Error(tr("{}:{}: unknown section {}; the sections are [system], [user] and [summary].", source, number,
                     header));
    } else if (section != nullptr) {
      for (std::sregex_iterator found(line.begin(), line.end(), placeholder_pattern), end; found != end; ++found) {
        const std::string placeholder = found->str();
        if (placeholder != "{text}" && placeholder != "{categories}") {
          throw Error(tr("{}:{}: unknown placeholder {}; the placeholders are {{text}} and {{categories}}.", source,
                         number, placeholder));
        }
      }
      *section += line + "\n";
    } else if (!header.empty()) {
      throw Error(tr("{}: text before the first section; start the file with [system] or [user].", source));
    }
  }

  prompt.system = trim(prompt.system);
  prompt.user = trim(prompt.user);
  prompt.summary = trim(prompt.summary);
  if (!has_user || prompt.user.find("{text}") == std::string::npos) {
    throw Error(tr("{}: the prompt needs a [user] section that contains the {{text}} placeholder.", source));
  }
  return prompt;
}

PromptTemplate load_prompt(const std::string& path) { return parse_prompt(read_file(path), path); }

std::string render_user_message(const PromptTemplate& prompt, std::string_view text,
                                const std::vector<std::string>& categories, bool summary) {
  // {categories} goes first, so that a review quoting "{categories}" stays as written.
  std::string message = prompt.user;
  replace_all(message, "{categories}", join(categories, ", "));
  replace_all(message, "{text}", text);
  if (summary && !prompt.summary.empty()) message += "\n\n" + prompt.summary;
  return message;
}

OrderedJson load_schema(const std::string& path) {
  const std::string content = read_file(path);
  try {
    return OrderedJson::parse(content);
  } catch (const nlohmann::json::parse_error& error) {
    throw Error(tr("{} is not valid JSON: {}", path, error.what()));
  }
}

OrderedJson adapt_schema(const OrderedJson& schema, const std::vector<std::string>& categories, bool summary) {
  OrderedJson adapted = schema;
  const auto category = OrderedJson::json_pointer("/properties/aspects/items/properties/category");
  if (!categories.empty() && adapted.contains(category)) adapted[category]["enum"] = categories;

  OrderedJson& required = adapted["required"];
  if (!required.is_array()) required = OrderedJson::array();
  const auto listed = std::find(required.begin(), required.end(), "summary");
  if (summary && listed == required.end()) required.push_back("summary");
  if (!summary) {
    if (listed != required.end()) required.erase(listed);
    if (adapted.contains("properties")) adapted["properties"].erase("summary");
  }
  return adapted;
}

std::string schema_to_grammar(const OrderedJson& schema) { return GrammarWriter().write(schema); }

std::size_t max_output_bytes(const OrderedJson& schema) { return max_bytes(schema, "root"); }

bool validate_against_schema(const nlohmann::json& value, const OrderedJson& schema, std::string* reason) {
  return validate_node(value, schema, "$", reason);
}

bool parse_answer(const std::string& output, const OrderedJson& schema, LlmAnswer* answer, std::string* reason) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(output);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann's message quotes the text it read, which may repeat the review.
    *reason = "not JSON (parse error at byte " + std::to_string(error.byte) + ")";
    return false;
  }
  if (!validate_against_schema(value, schema, reason)) return false;

  // The shipped schema's fields are read here, so a custom schema must keep them.
  LlmAnswer parsed;
  parsed.sentiment = value.value("sentiment", std::string());
  parsed.summary = value.value("summary", std::string());
  for (const auto& item : value.value("aspects", nlohmann::json::array())) {
    parsed.aspects.push_back({item.value("aspect", std::string()), item.value("opinion", std::string()),
                              item.value("category", std::string()), item.value("polarity", std::string())});
  }
  *answer = std::move(parsed);
  return true;
}

std::pair<std::int32_t, std::int32_t> find_term(std::u32string_view text, std::string_view term,
                                                std::int32_t near) {
  const std::string trimmed = trim(term);
  if (trimmed.empty() || !utf8::is_valid(trimmed)) return {-1, -1};
  const std::vector<char32_t> code_points = utf8::decode(trimmed);
  const std::u32string needle(code_points.begin(), code_points.end());

  auto nearest = [&](std::u32string_view haystack, std::u32string_view pattern) {
    std::int64_t best = -1;
    for (std::size_t at = haystack.find(pattern); at != std::u32string_view::npos; at = haystack.find(pattern, at + 1)) {
      const auto position = static_cast<std::int64_t>(at);
      if (best < 0 || std::llabs(position - near) < std::llabs(best - near)) best = position;
    }
    return best;
  };

  std::int64_t begin = nearest(text, needle);
  if (begin < 0) begin = nearest(lower_ascii(text), lower_ascii(needle));
  if (begin < 0) return {-1, -1};
  return {static_cast<std::int32_t>(begin), static_cast<std::int32_t>(begin + static_cast<std::int64_t>(needle.size()))};
}

std::vector<std::string> lexicon_categories(const std::string& path) {
  std::vector<std::string> extra;
  const auto& standard = standard_aspect_categories();
  auto add = [&](const std::string& key) {
    if (key.empty() || key == "-") return;
    if (std::find(standard.begin(), standard.end(), key) != standard.end()) return;
    if (std::find(extra.begin(), extra.end(), key) != extra.end()) return;
    extra.push_back(key);
  };

  // Fields: kind, language, key, terms, optional implied category. Aspect
  // lines name a category in the key; opinion lines in the fifth field.
  std::istringstream lines(read_file(path));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    if (line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::istringstream columns(line);
    for (std::string field; std::getline(columns, field, '\t');) fields.push_back(trim(field));
    if (fields.size() >= 3 && fields[0] == "aspect") add(fields[2]);
    if (fields.size() >= 5 && fields[0] == "opinion") add(fields[4]);
  }
  return extra;
}

struct LlmAspectExtractor::Impl {
  LlmAspectOptions options;
  std::unique_ptr<llm::Model> model;
  llm::GenerateOptions generate_options;
  std::vector<std::string> categories;
  OrderedJson schema;
  std::string grammar;
  PromptTemplate custom_prompt;
  PromptTemplate chinese_prompt;
  PromptTemplate english_prompt;

  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<llm::Generator>> idle;
  mutable std::atomic<std::int64_t> checked{0};
  mutable std::atomic<std::int64_t> invalid{0};
  mutable std::atomic<std::int64_t> cut{0};

  // Takes an idle generator, or makes one: a llama.cpp context serves one thread at a time.
  std::unique_ptr<llm::Generator> acquire() const {
    {
      std::lock_guard lock(pool_mutex);
      if (!idle.empty()) {
        auto generator = std::move(idle.back());
        idle.pop_back();
        return generator;
      }
    }
    return std::make_unique<llm::Generator>(*model, generate_options);
  }

  void release(std::unique_ptr<llm::Generator> generator) const {
    std::lock_guard lock(pool_mutex);
    idle.push_back(std::move(generator));
  }

  const PromptTemplate& prompt_for(const std::string& language) const {
    if (!options.prompt_path.empty()) return custom_prompt;
    return language == "zh" ? chinese_prompt : english_prompt;
  }

  std::string build_prompt(const llm::Generator& generator, const Document& document) const;
};

std::string LlmAspectExtractor::Impl::build_prompt(const llm::Generator& generator, const Document& document) const {
  const PromptTemplate& prompt = prompt_for(document.language);
  const std::vector<char32_t> text = utf8::decode(document.normalized.text);

  // A review too long for the context is cut at its end, by the share of
  // tokens that overflow, until the prompt fits. The model then reads only
  // the start of the review.
  std::size_t keep = text.size();
  for (int attempt = 0;; ++attempt) {
    const std::string kept_text = generator.remove_control_tokens(
        utf8::encode(std::vector<char32_t>(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(keep))));
    std::vector<llm::ChatMessage> messages;
    if (!prompt.system.empty()) messages.push_back({"system", prompt.system});
    messages.push_back({"user", render_user_message(prompt, kept_text, categories, options.summary)});
    std::string rendered = generator.apply_chat_template(messages);

    const auto tokens = static_cast<int>(model->tokenize(rendered, true).size());
    const int room = generate_options.context - generate_options.max_tokens;
    if (tokens <= room || keep == 0 || attempt == 8) return rendered;

    if (cut.fetch_add(1) == 0) {
      spdlog::warn("a review does not fit the LLM context of {} tokens and is cut; raise --llm-context to keep whole reviews",
                   generate_options.context);
    }
    const double share = static_cast<double>(room) / static_cast<double>(tokens);
    keep = static_cast<std::size_t>(static_cast<double>(keep) * std::max(0.0, share - 0.05));
  }
}

namespace {

// Context of the LLM calls when --llm-context is not given.
constexpr int kDefaultLlmContext = 4096;

// Returns the context of the LLM calls. Positions past the model's training context
// are outside what it learned, and llama.cpp only warns about them in its own
// log, so the default is capped there and a larger explicit value is rejected.
int llm_context(const LlmAspectOptions& options, int trained) {
  if (options.context > 0) {
    if (trained > 0 && options.context > trained) {
      throw Error(tr("--llm-context {} is above the {} tokens that the LLM {} was trained on; give at most "
                     "--llm-context {}.",
                     options.context, trained, options.model_path, trained));
    }
    return options.context;
  }
  if (trained > 0 && trained < kDefaultLlmContext) {
    spdlog::warn("{}", tr("The LLM {} was trained on a context of {} tokens, so the LLM context is {} tokens instead "
                          "of the default {}.",
                          options.model_path, trained, trained, kDefaultLlmContext));
    return trained;
  }
  return kDefaultLlmContext;
}

}  // namespace

LlmAspectExtractor::LlmAspectExtractor(const LlmAspectOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.options = options;
  impl.categories = options.categories.empty() ? standard_aspect_categories() : options.categories;

  const std::string dir = default_prompt_dir();
  const std::string schema_path = options.schema_path.empty() ? dir + "/aspects.schema.json" : options.schema_path;
  impl.schema = adapt_schema(load_schema(schema_path), impl.categories, options.summary);
  impl.grammar = schema_to_grammar(impl.schema);
  std::vector<std::pair<const PromptTemplate*, std::string>> prompts;
  if (options.prompt_path.empty()) {
    impl.chinese_prompt = load_prompt(dir + "/aspects.zh.txt");
    impl.english_prompt = load_prompt(dir + "/aspects.en.txt");
    prompts = {{&impl.chinese_prompt, dir + "/aspects.zh.txt"}, {&impl.english_prompt, dir + "/aspects.en.txt"}};
  } else {
    impl.custom_prompt = load_prompt(options.prompt_path);
    prompts = {{&impl.custom_prompt, options.prompt_path}};
  }

  // Every output the grammar allows must fit in max_tokens. A token carries
  // at least one byte under a grammar (llama.cpp rejects empty pieces), so
  // the byte bound plus the end token is enough.
  const auto bound = static_cast<int>(max_output_bytes(impl.schema)) + 1;
  impl.generate_options = llm::default_generate_options();
  impl.generate_options.threads = options.threads;
  impl.generate_options.temperature = options.temperature;
  impl.generate_options.seed = options.seed;
  impl.generate_options.max_tokens = options.max_tokens > 0 ? options.max_tokens : bound;
  if (options.max_tokens > 0 && options.max_tokens < bound) {
    spdlog::warn("--llm-max-tokens {} is below the {} tokens the output grammar allows, so long answers may be cut off and fail validation",
                 options.max_tokens, bound);
  }

  impl.model = llm::Model::load(options.model_path, llm::default_model_options());
  const llm::ModelInfo& info = impl.model->info();
  const int trained = info.context_length;
  // An encoder gets the generator's error below rather than advice on its context.
  const bool generates = info.has_decoder && !info.has_encoder;
  impl.generate_options.context = generates ? llm_context(options, trained) : kDefaultLlmContext;
  const int context = impl.generate_options.context;
  if (impl.generate_options.max_tokens + 64 > context && options.context == 0 && context == trained) {
    throw Error(tr("The LLM {} was trained on a context of {} tokens, which leaves no room for the prompt next to {} "
                   "output tokens; lower --llm-max-tokens or use a model with a longer context.",
                   options.model_path, trained, impl.generate_options.max_tokens));
  }
  if (impl.generate_options.max_tokens + 64 > context) {
    throw Error(tr("--llm-context {} leaves no room for the prompt next to {} output tokens; raise --llm-context to at least {}.",
                   context, impl.generate_options.max_tokens, impl.generate_options.max_tokens + 512));
  }

  // Making one generator now reports an encoder model or a missing chat
  // template before the first review is read, and so does rendering each
  // prompt with an empty review for a prompt that leaves no room for one.
  auto generator = impl.acquire();
  generator->apply_chat_template({{"user", "?"}});
  const int room = impl.generate_options.context - impl.generate_options.max_tokens;
  for (const auto& [prompt, path] : prompts) {
    std::vector<llm::ChatMessage> messages;
    if (!prompt->system.empty()) messages.push_back({"system", prompt->system});
    messages.push_back({"user", render_user_message(*prompt, "", impl.categories, options.summary)});
    const auto tokens = static_cast<int>(impl.model->tokenize(generator->apply_chat_template(messages), true).size());
    if (tokens >= room) {
      impl.release(std::move(generator));
      throw Error(tr("The prompt {} takes {} tokens without a review, but --llm-context {} leaves {} next to {} "
                     "output tokens. Raise --llm-context or shorten the prompt.",
                     path, tokens, context, room, impl.generate_options.max_tokens));
    }
  }
  impl.release(std::move(generator));
  spdlog::info("LLM extractor ready: {} ({}), up to {} output tokens per review", options.model_path,
               impl.model->info().description, impl.generate_options.max_tokens);
}

LlmAspectExtractor::~LlmAspectExtractor() {
  // bench/llm_schema_validity.sh reads this line.
  spdlog::info("LLM outputs: {} checked against the schema, {} invalid", impl_->checked.load(), impl_->invalid.load());
  if (impl_->invalid > 0) {
    spdlog::warn("{} LLM outputs failed the schema check; their reviews have no aspects", impl_->invalid.load());
  }
}

std::vector<AspectSpan> LlmAspectExtractor::extract(const Document& document) const { return run(document).spans; }

LlmResult LlmAspectExtractor::run(const Document& document) const {
  const Impl& impl = *impl_;
  auto generator = impl.acquire();
  std::string output;
  try {
    output = generator->generate(impl.build_prompt(*generator, document), impl.grammar);
  } catch (...) {
    impl.release(std::move(generator));
    throw;
  }
  impl.release(std::move(generator));

  LlmResult result;
  std::string reason;
  result.valid = parse_answer(output, impl.schema, &result.answer, &reason);
  impl.checked.fetch_add(1);
  if (!result.valid) {
    // The reason names a JSON path and a rule, never review text.
    if (impl.invalid.fetch_add(1) < 5) spdlog::warn("LLM output failed the schema check: {}", reason);
    return result;
  }

  const std::vector<char32_t> code_points = utf8::decode(document.normalized.text);
  const std::u32string_view text(code_points.data(), code_points.size());
  for (const LlmAspect& aspect : result.answer.aspects) {
    AspectSpan span;
    span.category = aspect.category;
    span.polarity = aspect.polarity;
    span.aspect_term = aspect.aspect;
    span.opinion_term = aspect.opinion;
    std::tie(span.aspect_begin, span.aspect_end) = find_term(text, aspect.aspect);
    std::tie(span.opinion_begin, span.opinion_end) =
        find_term(text, aspect.opinion, span.aspect_begin >= 0 ? span.aspect_end : 0);
    result.spans.push_back(std::move(span));
  }
  return result;
}

std::int64_t LlmAspectExtractor::invalid_outputs() const { return impl_->invalid.load(); }

std::int64_t LlmAspectExtractor::checked_outputs() const { return impl_->checked.load(); }

const std::string& LlmAspectExtractor::grammar() const { return impl_->grammar; }

int LlmAspectExtractor::max_tokens() const { return impl_->generate_options.max_tokens; }

int LlmAspectExtractor::context() const { return impl_->generate_options.context; }

}  // namespace shopsight
