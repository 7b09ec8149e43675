// `shopsight model info PATH`: what a GGUF model holds, read from its metadata.

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "llm/llm.h"

namespace shopsight::cli {
namespace {

/// Options of `model info`.
struct ModelInfoArguments {
  std::string path;
  std::string output_format = "text";
};

nlohmann::json to_json(const llm::ModelInfo& info) {
  return {{"path", info.path},
          {"architecture", info.architecture},
          {"name", info.name},
          {"description", info.description},
          {"parameters", info.parameters},
          {"size_bytes", info.size_bytes},
          {"context_length", info.context_length},
          {"embedding_size", info.embedding_size},
          {"layers", info.layers},
          {"vocabulary_size", info.vocabulary_size},
          {"vocabulary_type", info.vocabulary_type},
          {"pooling", info.pooling},
          {"has_encoder", info.has_encoder},
          {"has_decoder", info.has_decoder},
          {"class_labels", info.class_labels},
          {"chat_template", info.chat_template},
          {"loadable", info.load_error.empty()},
          {"load_error", info.load_error}};
}

std::string yes_no(bool value) { return value ? tr("yes") : tr("no"); }

std::string join_labels(const std::vector<std::string>& labels) {
  std::string joined;
  for (const std::string& label : labels) joined += (joined.empty() ? "" : ", ") + label;
  return joined;
}

void print_text(const llm::ModelInfo& info) {
  const auto line = [](const std::string& label, const auto& value) {
    std::cout << fmt::format("{:<18} {}\n", label + ":", value);
  };
  const std::string none = tr("(none)");

  line(tr("path"), info.path);
  if (!info.load_error.empty()) line(tr("loadable"), tr("no, read from the GGUF header only: {}", info.load_error));
  line(tr("architecture"), info.architecture);
  line(tr("name"), info.name.empty() ? none : info.name);
  line(tr("description"), info.description);
  line(tr("parameters"), info.parameters);
  line(tr("size"), tr("{} bytes ({:.1f} MiB)", info.size_bytes, static_cast<double>(info.size_bytes) / (1 << 20)));
  line(tr("context length"), info.context_length);
  line(tr("embedding size"), info.embedding_size);
  line(tr("layers"), info.layers);
  line(tr("vocabulary"), tr("{} tokens, {}", info.vocabulary_size, info.vocabulary_type));
  line(tr("pooling"), info.pooling);
  line(tr("encoder"), yes_no(info.has_encoder));
  line(tr("decoder"), yes_no(info.has_decoder));
  line(tr("class labels"), info.class_labels.empty() ? none : join_labels(info.class_labels));

  // The template is Jinja over many lines, so it follows its label indented.
  if (info.chat_template.empty()) {
    line(tr("chat template"), none);
    return;
  }
  std::cout << tr("chat template") << ":\n";
  std::istringstream lines(info.chat_template);
  for (std::string text; std::getline(lines, text);) std::cout << "  " << text << '\n';
}

// A model that this llama.cpp build cannot load (a newer architecture, say)
// is still described from its GGUF header, with the reason it cannot load.
// When the header cannot be read either, the load error is raised, because
// it names the real problem (not GGUF, missing file).
llm::ModelInfo model_info(const std::string& path) {
  try {
    return llm::Model::load(path, llm::default_model_options())->info();
  } catch (const Error& load_error) {
    llm::ModelInfo info;
    try {
      info = llm::read_gguf_info(path);
    } catch (const Error&) {
      throw load_error;
    }
    info.load_error = load_error.what();
    return info;
  }
}

void run_model_info(const ModelInfoArguments& args) {
  const llm::ModelInfo info = model_info(args.path);
  if (args.output_format == "json") {
    std::cout << to_json(info).dump(2) << '\n';
  } else {
    print_text(info);
  }
  // The metadata is printed, but a script must still learn that the model cannot be used.
  set_exit_status(info.load_error.empty() ? kExitOk : kExitFailure);
}

}  // namespace

void add_model_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("model", tr("inspect GGUF models (llama.cpp format)"));
  command->require_subcommand(1);

  auto args = std::make_shared<ModelInfoArguments>();
  CLI::App* info = command->add_subcommand("info", tr("print what a GGUF model holds: architecture, size, "
                                                      "context, vocabulary, pooling, labels, chat template"));
  info->add_option("path", args->path, tr("GGUF model file"))->required();
  info->add_option("--format,--output-format", args->output_format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  info->callback([args] { run_model_info(*args); });
}

}  // namespace shopsight::cli
