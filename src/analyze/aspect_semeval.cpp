// SemEval-2014 reading lives in its own file because it needs pugixml: only
// programs that read SemEval data link it.
#include <pugixml.hpp>

#include "analyze/aspect_eval.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/utf8.h"

namespace shopsight {

std::vector<AspectReview> read_semeval_aspects(const std::string& path) {
  pugi::xml_document xml;
  const pugi::xml_parse_result parsed = xml.load_file(path.c_str(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    throw Error(tr("Cannot read the SemEval file {}: {} at byte {}.", path, parsed.description(), parsed.offset));
  }
  const pugi::xml_node root = xml.child("sentences");
  if (!root) throw Error(tr("{} is not SemEval aspect data: the root element <sentences> is missing.", path));

  std::vector<AspectReview> reviews;
  for (const pugi::xml_node sentence : root.children("sentence")) {
    AspectReview review;
    review.id = sentence.attribute("id").as_string();
    review.text = sentence.child_value("text");
    const std::int32_t length = utf8::length(review.text);
    for (const pugi::xml_node term : sentence.child("aspectTerms").children("aspectTerm")) {
      AspectSpan span;
      span.aspect_begin = term.attribute("from").as_int(-1);
      span.aspect_end = term.attribute("to").as_int(-1);
      if (span.aspect_begin < 0 || span.aspect_end > length || span.aspect_begin >= span.aspect_end) {
        throw Error(tr("{}: sentence {} has an aspect term with invalid from/to offsets {}-{}.", path, review.id,
                       span.aspect_begin, span.aspect_end));
      }
      const std::string polarity = term.attribute("polarity").as_string();
      // "conflict" (both polarities at once) has no place in the three-way scheme.
      if (polarity == "positive" || polarity == "negative" || polarity == "neutral") span.polarity = polarity;
      review.gold.push_back(std::move(span));
    }
    reviews.push_back(std::move(review));
  }
  return reviews;
}

}  // namespace shopsight
