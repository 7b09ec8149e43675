#include "text/chinese_conversion.h"

#include <opencc/Exception.hpp>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>
#include <opencc/SimpleConverter.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "common/utf8.h"

namespace shopsight::text_detail {

namespace {

// Han ideographs, including the supplementary planes, lie below this bound.
constexpr char32_t kTriggerLimit = 0x40000;

// The CJK blocks start here. OpenCC's t2s dictionaries have no key below it,
// so ASCII, Latin and general punctuation skip the conversion.
constexpr char32_t kCjkStart = 0x2E80;

std::string data_file(const char* name) { return std::string(SHOPSIGHT_OPENCC_DATA_DIR) + "/" + name; }

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

opencc::MarisaDictPtr load_dictionary(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw opencc::FileNotFound(path);
  return opencc::MarisaDict::NewFromFile(file.get());
}

// Marks the characters whose presence means OpenCC may change a text, so that
// texts without one skip OpenCC, which costs far more than this lookup.
// Characters that change alone come from the character table. A phrase adds
// its changed characters only when none of its characters changes alone
// (反覆 -> 反复 adds 覆). That keeps everyday Simplified characters such as 么
// (from the phrase 么麽) out of the set.
void mark_changing_characters(const std::string& characters_path, const std::string& phrases_path,
                              std::vector<bool>& changing) {
  const auto mark = [&](const opencc::MarisaDict& dictionary, bool only_unmarked_phrases) {
    for (const auto& entry : *dictionary.GetLexicon()) {
      const auto key = utf8::decode(entry->Key());
      const auto value = utf8::decode(entry->GetDefault());
      if (only_unmarked_phrases &&
          std::any_of(key.begin(), key.end(), [&](char32_t c) { return c < kTriggerLimit && changing[c]; })) {
        continue;
      }
      for (std::size_t i = 0; i < key.size(); ++i) {
        const bool changes = value.size() != key.size() || value[i] != key[i];
        if (changes && key[i] < kTriggerLimit) changing[key[i]] = true;
      }
    }
  };
  mark(*load_dictionary(characters_path), false);
  mark(*load_dictionary(phrases_path), true);
}

}  // namespace

struct SimplifiedConverter::Impl {
  std::unique_ptr<opencc::SimpleConverter> converter;
  std::vector<bool> changing = std::vector<bool>(kTriggerLimit, false);
};

SimplifiedConverter::SimplifiedConverter() : impl_(std::make_unique<Impl>()) {
  const std::string config = data_file("t2s.json");
  try {
    impl_->converter = std::make_unique<opencc::SimpleConverter>(config);
    mark_changing_characters(data_file("TSCharacters.ocd2"), data_file("TSPhrases.ocd2"), impl_->changing);
  } catch (const opencc::Exception& error) {
    throw Error(tr("Failed to load the OpenCC conversion {}: {}. Install the libopencc-data package.", config,
                   error.what()));
  }
}

SimplifiedConverter::~SimplifiedConverter() = default;

const SimplifiedConverter& SimplifiedConverter::instance() {
  static const SimplifiedConverter converter;
  return converter;
}

bool SimplifiedConverter::may_change(char32_t code_point) const {
  return code_point < kTriggerLimit && impl_->changing[code_point];
}

std::string SimplifiedConverter::convert(std::string_view text) const {
  return impl_->converter->Convert(text.data(), text.size());
}

void SimplifiedConverter::convert(MappedText& text) const {
  auto& code_points = text.code_points;
  std::size_t i = 0;
  std::string run_utf8;

  while (i < code_points.size()) {
    if (code_points[i] < kCjkStart) {
      ++i;
      continue;
    }

    // Converts one run of CJK code points at a time, so that a phrase that
    // changes length can only disturb its own run.
    std::size_t end = i;
    bool needs_conversion = false;
    while (end < code_points.size() && code_points[end] >= kCjkStart) {
      needs_conversion = needs_conversion || may_change(code_points[end]);
      ++end;
    }
    if (!needs_conversion) {
      i = end;
      continue;
    }

    run_utf8.clear();
    for (std::size_t k = i; k < end; ++k) utf8::append(run_utf8, code_points[k]);
    const auto converted = utf8::decode(convert(run_utf8));

    if (converted.size() == end - i) {
      std::copy(converted.begin(), converted.end(), code_points.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      // A phrase changed the length, so only single characters are converted.
      // NOTE: no entry of OpenCC 1.1.6's t2s dictionaries changes a length, so
      // tests never reach this branch.
      spdlog::debug("OpenCC changed the length of a phrase; converting characters one by one");
      for (std::size_t k = i; k < end; ++k) {
        if (!may_change(code_points[k])) continue;
        std::string single;
        utf8::append(single, code_points[k]);
        const auto converted_single = utf8::decode(convert(single));
        if (converted_single.size() == 1) code_points[k] = converted_single[0];
      }
    }
    i = end;
  }
}

}  // namespace shopsight::text_detail
