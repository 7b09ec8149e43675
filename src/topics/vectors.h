#pragma once

// Review vectors for topic discovery and the nearest-neighbour queries the
// similarity graph needs. Internal to the topics stage.

#include <cstddef>
#include <memory>
#include <vector>

#include "text/text.h"
#include "topics/topics.h"

namespace shopsight {

/// A neighbouring review and its cosine similarity.
struct Neighbour {
  std::size_t index = 0;
  double similarity = 0;
};

/// L2-normalized vectors of every review; queries are thread-safe.
class ReviewVectors {
 public:
  virtual ~ReviewVectors() = default;

  /// The `k` reviews most similar to review `i` (itself excluded) with a
  /// similarity of at least `min_similarity`, most similar first.
  virtual std::vector<Neighbour> nearest(std::size_t i, std::size_t k, double min_similarity) const = 0;

  /// Similarity of each member to the members' mean vector, in member order;
  /// only the order matters, so the mean is not normalized.
  virtual std::vector<double> similarity_to_centre(const std::vector<std::size_t>& members) const = 0;
};

/// Sublinear TF-IDF over the segmented words (stop words and masked runs
/// left out), with the IDF of the reviews themselves.
std::unique_ptr<ReviewVectors> make_tfidf_vectors(const std::vector<Document>& documents);

/// Embeddings of the normalized texts from options.embedding_model.
std::unique_ptr<ReviewVectors> make_embedding_vectors(const std::vector<Document>& documents,
                                                      const TopicOptions& options);

}  // namespace shopsight
