#pragma once

// Aspect extraction: finds (aspect term, opinion term, category, polarity)
// mentions in a Document. A lexicon extractor covers every language and domain;
// a learned extractor, trained by `shopsight train-aspects`, is used for the
// languages it was trained on.

#include <memory>
#include <string>

#include "analyze/analyze.h"

namespace shopsight {

/// Loads the aspect extractor of a model folder: the learned models it contains
/// and its lexicon, or `lexicon_override` when that is not empty. Throws
/// shopsight::Error naming the file when a model or lexicon file is invalid.
std::unique_ptr<AspectExtractor> load_aspect_extractor(const std::string& model_dir,
                                                       const std::string& lexicon_override);

}  // namespace shopsight
