// Embeds every line of a text file with shopsight's Embedder and prints one
// JSON object with the counts and times, for bench/embed_vs_llama_embedding.sh.
//
// Usage: shopsight_bench_embed MODEL TEXTS [--max-sequences N] [--batch-tokens N]
//          [--threads N] [--input-order]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "llm/llm.h"

int main(int argc, char** argv) {
  std::string model_path;
  std::string texts_path;
  shopsight::llm::EncodeOptions options = shopsight::llm::default_encode_options();
  CLI::App app{"Embeds each line of a file with shopsight's Embedder and prints the throughput as JSON"};
  app.add_option("model", model_path, "GGUF encoder model")->required();
  app.add_option("texts", texts_path, "text file, one text per line")->required();
  app.add_option("--max-sequences", options.max_sequences,
                 "maximum texts per llama.cpp call (llama.cpp allows at most 256)")
      ->capture_default_str();
  app.add_option("--batch-tokens", options.batch_tokens,
                 "maximum tokens per llama.cpp call; texts sorted by token count fill each call up to it "
                 "(kept between the context length and the context length x --max-sequences)")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "CPU threads (0: every core)")->capture_default_str();
  bool input_order = false;
  app.add_flag("--input-order", input_order, "batch texts in input order instead of by length");
  CLI11_PARSE(app, argc, argv);
  options.group_by_length = !input_order;

  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> texts;
  std::ifstream input(texts_path);
  for (std::string line; std::getline(input, line);) texts.push_back(line);

  const auto model = shopsight::llm::Model::load(model_path, shopsight::llm::default_model_options());
  shopsight::llm::Embedder embedder(*model, options);

  // Token counts include the start and end tokens, as llama.cpp sees them.
  std::size_t tokens = 0;
  for (const std::string& text : texts) {
    tokens += std::min<std::size_t>(model->tokenize(text, true).size(),
                                    static_cast<std::size_t>(model->info().context_length));
  }

  const auto embed_started = std::chrono::steady_clock::now();
  const auto vectors = embedder.embed(texts);
  const auto finished = std::chrono::steady_clock::now();

  const auto seconds = [](auto duration) { return std::chrono::duration<double>(duration).count(); };
  nlohmann::json report = {{"texts", vectors.size()},
                           {"tokens", tokens},
                           {"dimension", embedder.dimension()},
                           {"seconds_total", seconds(finished - started)},
                           {"seconds_embed", seconds(finished - embed_started)}};
  std::cout << report.dump() << '\n';
  return 0;
}
