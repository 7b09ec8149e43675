#include "analyze/aspects.h"

#include <filesystem>

#include "analyze/aspect_lexicon.h"
#include "analyze/aspect_model.h"
#include "common/log.h"

namespace shopsight {

std::unique_ptr<AspectExtractor> load_aspect_extractor(const std::string& model_dir,
                                                       const std::string& lexicon_override) {
  const std::string folder = model_dir.empty() ? default_model_dir() : model_dir;
  const std::string lexicon_path = lexicon_override.empty() ? default_aspect_lexicon_path(folder) : lexicon_override;
  auto lexicon = std::make_shared<const AspectLexicon>(AspectLexicon::load(lexicon_path));
  spdlog::debug("aspect lexicon {}: {} terms", lexicon_path, lexicon->size());

  // A folder without learned models still works, with the lexicon alone.
  std::vector<LearnedAspectModel> models;
  for (const char* language : {"zh", "en"}) {
    const std::string path = aspect_model_path(folder, language);
    if (!std::filesystem::exists(path)) continue;
    models.push_back(LearnedAspectModel::load(path));
    spdlog::debug("aspect model {} loaded for {}", path, language);
  }
  return std::make_unique<CombinedAspectExtractor>(std::move(lexicon), std::move(models));
}

}  // namespace shopsight
