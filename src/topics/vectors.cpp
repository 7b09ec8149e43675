// TF-IDF and embedding vectors of reviews, with exact nearest neighbours:
// an inverted index for the sparse TF-IDF vectors, a full scan for the
// dense embeddings. Both are exact, and fast enough for tens of thousands
// of reviews because each query touches only what can be similar.

#include "topics/vectors.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include "common/i18n.h"
#include "common/log.h"
#include "model/model.h"

namespace shopsight {
namespace {

// Keeps the k most similar of `scored`, most similar first.
std::vector<Neighbour> top_k(std::vector<Neighbour> scored, std::size_t k) {
  const auto by_similarity = [](const Neighbour& a, const Neighbour& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.index < b.index;
  };
  if (scored.size() > k) {
    std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(), by_similarity);
    scored.resize(k);
  } else {
    std::sort(scored.begin(), scored.end(), by_similarity);
  }
  return scored;
}

bool is_vector_term(const Token& token) {
  if (!token.is_word || is_stop_word(token.text)) return false;
  return !std::all_of(token.text.begin(), token.text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Sparse vectors with an inverted index from term to (review, weight).
class TfidfVectors final : public ReviewVectors {
 public:
  explicit TfidfVectors(const std::vector<Document>& documents) {
    std::unordered_map<std::string, std::uint32_t> vocabulary;
    std::vector<std::unordered_map<std::uint32_t, double>> counts(documents.size());
    std::vector<double> document_frequency;
    for (std::size_t i = 0; i < documents.size(); ++i) {
      for (const Token& token : documents[i].tokens) {
        if (!is_vector_term(token)) continue;
        const auto [entry, added] = vocabulary.emplace(token.text, static_cast<std::uint32_t>(vocabulary.size()));
        if (added) document_frequency.push_back(0);
        if (counts[i][entry->second]++ == 0) document_frequency[entry->second] += 1;
      }
    }

    // Smoothed IDF, ln((1 + n) / (1 + df)) + 1, and 1 + ln(count) for the term frequency.
    const auto n = static_cast<double>(documents.size());
    rows_.resize(documents.size());
    postings_.resize(vocabulary.size());
    for (std::size_t i = 0; i < documents.size(); ++i) {
      double norm = 0;
      for (const auto& [term, count] : counts[i]) {
        const double weight = (1.0 + std::log(count)) * (std::log((1.0 + n) / (1.0 + document_frequency[term])) + 1.0);
        rows_[i].push_back({term, weight});
        norm += weight * weight;
      }
      for (auto& entry : rows_[i]) entry.weight /= std::sqrt(norm);
      for (const auto& entry : rows_[i]) postings_[entry.term].push_back({static_cast<std::uint32_t>(i), entry.weight});
    }
  }

  std::vector<Neighbour> nearest(std::size_t i, std::size_t k, double min_similarity) const override {
    thread_local std::vector<double> scores;
    thread_local std::vector<std::uint32_t> touched;
    scores.assign(rows_.size(), 0.0);
    touched.clear();
    for (const Entry& entry : rows_[i]) {
      for (const Posting& posting : postings_[entry.term]) {
        if (scores[posting.review] == 0.0) touched.push_back(posting.review);
        scores[posting.review] += entry.weight * posting.weight;
      }
    }
    std::vector<Neighbour> scored;
    for (std::uint32_t j : touched) {
      if (j != i && scores[j] >= min_similarity) scored.push_back({j, scores[j]});
    }
    return top_k(std::move(scored), k);
  }

  std::vector<double> similarity_to_centre(const std::vector<std::size_t>& members) const override {
    std::unordered_map<std::uint32_t, double> centre;
    for (std::size_t member : members) {
      for (const Entry& entry : rows_[member]) centre[entry.term] += entry.weight;
    }
    std::vector<double> out;
    for (std::size_t member : members) {
      double sum = 0;
      for (const Entry& entry : rows_[member]) sum += entry.weight * centre[entry.term];
      out.push_back(sum);
    }
    return out;
  }

 private:
  struct Entry {
    std::uint32_t term;
    double weight;
  };
  struct Posting {
    std::uint32_t review;
    double weight;
  };
  std::vector<std::vector<Entry>> rows_;
  std::vector<std::vector<Posting>> postings_;
};

/// Dense, L2-normalized embeddings.
class DenseVectors final : public ReviewVectors {
 public:
  explicit DenseVectors(std::vector<std::vector<float>> rows) : rows_(std::move(rows)) {}

  std::vector<Neighbour> nearest(std::size_t i, std::size_t k, double min_similarity) const override {
    std::vector<Neighbour> scored;
    for (std::size_t j = 0; j < rows_.size(); ++j) {
      if (j == i) continue;
      const double similarity = dot(rows_[i], rows_[j]);
      if (similarity >= min_similarity) scored.push_back({j, similarity});
    }
    return top_k(std::move(scored), k);
  }

  std::vector<double> similarity_to_centre(const std::vector<std::size_t>& members) const override {
    std::vector<float> centre(rows_.empty() ? 0 : rows_[0].size(), 0.0f);
    for (std::size_t member : members) {
      for (std::size_t d = 0; d < centre.size(); ++d) centre[d] += rows_[member][d];
    }
    std::vector<double> out;
    for (std::size_t member : members) out.push_back(dot(rows_[member], centre));
    return out;
  }

 private:
  static double dot(const std::vector<float>& a, const std::vector<float>& b) {
    float sum = 0;
    for (std::size_t d = 0; d < a.size(); ++d) sum += a[d] * b[d];
    return sum;
  }

  std::vector<std::vector<float>> rows_;
};

}  // namespace

std::unique_ptr<ReviewVectors> make_tfidf_vectors(const std::vector<Document>& documents) {
  return std::make_unique<TfidfVectors>(documents);
}

std::unique_ptr<ReviewVectors> make_embedding_vectors(const std::vector<Document>& documents,
                                                      const TopicOptions& options) {
  CachedEmbedder embedder(options.embedding_model, options.embedding_cache, options.threads);
  std::vector<std::string> texts;
  texts.reserve(documents.size());
  for (const Document& document : documents) texts.push_back(embedding_text(document));
  const std::string step = tr("embedding");
  std::vector<std::vector<float>> rows = embedder.embed(texts, [&](long long done, long long total) {
    if (options.progress) options.progress(step, done, total);
  });
  spdlog::info("{}", tr("{} embeddings computed, {} read from the cache", embedder.computed(), embedder.cached()));
  return std::make_unique<DenseVectors>(std::move(rows));
}

}  // namespace shopsight
