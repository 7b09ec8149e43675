// Embeds every line of a text file with shopsight's Embedder and prints one
// JSON object with the counts and times, for bench/embed_vs_llama_embedding.sh.
//
// Usage: shopsight_bench_embed MODEL TEXTS [--texts-per-call N] [--decode-tokens N]
//          [--max-sequences N] [--threads N] [--no-flash-attention] [--input-order]

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
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
  std::size_t texts_per_call = 0;
  app.add_option("--texts-per-call", texts_per_call,
                 "texts per Embedder::embed call, as a caller would hand them over (0: the whole file in one call)")
      ->capture_default_str();
  app.add_option("--decode-tokens", options.decode_tokens,
                 "maximum tokens per llama_decode call; the Embedder splits each embed call into calls of this size")
      ->capture_default_str();
  app.add_option("--max-sequences", options.max_sequences,
                 "maximum texts per llama_decode call (llama.cpp allows at most 256)")
      ->capture_default_str();
  app.add_option("--threads", options.threads, "CPU threads (0: every core)")->capture_default_str();
  bool no_flash_attention = false;
  app.add_flag("--no-flash-attention", no_flash_attention, "turn llama.cpp's flash attention off");
  bool input_order = false;
  app.add_flag("--input-order", input_order, "batch texts in input order instead of by length");
  CLI11_PARSE(app, argc, argv);
  options.group_by_length = !input_order;
  options.flash_attention = !no_flash_attention;

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
  const std::size_t step = texts_per_call > 0 ? texts_per_call : std::max<std::size_t>(texts.size(), 1);
  std::size_t embedded = 0;
  std::size_t decode_calls = 0;
  std::size_t largest_call = 0;
  for (std::size_t start = 0; start < texts.size(); start += step) {
    const std::size_t end = std::min(texts.size(), start + step);
    const std::vector<std::string> request(texts.begin() + static_cast<std::ptrdiff_t>(start),
                                           texts.begin() + static_cast<std::ptrdiff_t>(end));
    embedded += embedder.embed(request).size();
    for (const auto& call : embedder.last_decode_calls()) {
      ++decode_calls;
      largest_call = std::max(largest_call, call.tokens);
    }
  }
  const auto finished = std::chrono::steady_clock::now();

  const auto seconds = [](auto duration) { return std::chrono::duration<double>(duration).count(); };
  nlohmann::json report = {{"texts", embedded},
                           {"tokens", tokens},
                           {"decode_calls", decode_calls},
                           {"largest_decode_call_tokens", largest_call},
                           {"dimension", embedder.dimension()},
                           {"seconds_total", seconds(finished - started)},
                           {"seconds_embed", seconds(finished - embed_started)}};
  std::cout << report.dump() << '\n';
  return 0;
}
