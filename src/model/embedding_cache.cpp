// CachedEmbedder: llm::Embedder behind a SQLite table of earlier vectors.

#include <sqlite3.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>

#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"
#include "llm/llm.h"
#include "model/model.h"

namespace shopsight {
namespace {

// Bytes read at a time while hashing a model file.
constexpr std::size_t kHashChunk = 1u << 20;

// Texts handed to llama.cpp in one call; also the cache's write transaction size.
constexpr std::size_t kEmbedBatch = 64;

// 64-bit FNV-1a; the cache stores two of them with different offset bases so
// that a collision would need both to agree.
std::uint64_t fnv1a(std::string_view text, std::uint64_t basis) {
  std::uint64_t hash = basis;
  for (const char byte : text) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

struct HashStateDeleter {
  void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
};

/// SQLite table of vectors keyed by model fingerprint and text hash.
class EmbeddingCache {
 public:
  EmbeddingCache(const std::string& path, std::string model_key) : path_(path), model_key_(std::move(model_key)) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      const std::string reason = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw Error(tr("cannot open the embedding cache {}: {}; pass another file with --embedding-cache", path,
                     reason));
    }
    // Several processes may share one cache file, so writers wait for each other.
    sqlite3_busy_timeout(db_, 30000);
    execute("PRAGMA journal_mode=WAL");
    execute("PRAGMA synchronous=NORMAL");
    execute(
        "CREATE TABLE IF NOT EXISTS embeddings (model TEXT NOT NULL, text_hash INTEGER NOT NULL, "
        "text_check INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, text_hash, text_check)) "
        "WITHOUT ROWID");
    prepare("SELECT vector FROM embeddings WHERE model = ?1 AND text_hash = ?2 AND text_check = ?3", &select_);
    prepare("INSERT OR REPLACE INTO embeddings (model, text_hash, text_check, vector) VALUES (?1, ?2, ?3, ?4)",
            &insert_);
  }

  ~EmbeddingCache() {
    sqlite3_finalize(select_);
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  EmbeddingCache(const EmbeddingCache&) = delete;
  EmbeddingCache& operator=(const EmbeddingCache&) = delete;

  /// Fills `vector` and returns true when the text's vector of `dimension` floats is stored.
  bool find(std::string_view text, int dimension, std::vector<float>& vector) {
    bind_key(select_, text);
    bool found = false;
    if (sqlite3_step(select_) == SQLITE_ROW) {
      const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(select_, 0));
      if (bytes == static_cast<std::size_t>(dimension) * sizeof(float)) {
        vector.resize(static_cast<std::size_t>(dimension));
        std::memcpy(vector.data(), sqlite3_column_blob(select_, 0), bytes);
        // Older versions stored the NaN vectors of broken models, so those are computed again.
        found = all_finite(vector);
      }
    }
    sqlite3_reset(select_);
    return found;
  }

  /// Starts a read transaction, so that many find() calls share one lock instead of taking one each.
  void begin_read() { execute("BEGIN"); }

  /// Ends the read transaction that begin_read() started.
  void end_read() { execute("COMMIT"); }

  /// Stores the vectors of `texts` in one transaction.
  void store(const std::vector<std::string_view>& texts, const std::vector<std::vector<float>>& vectors) {
    execute("BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (!all_finite(vectors[i])) continue;
      bind_key(insert_, texts[i]);
      sqlite3_bind_blob(insert_, 4, vectors[i].data(), static_cast<int>(vectors[i].size() * sizeof(float)),
                        SQLITE_STATIC);
      const int status = sqlite3_step(insert_);
      sqlite3_reset(insert_);
      if (status != SQLITE_DONE) {
        execute("ROLLBACK");
        fail();
      }
    }
    execute("COMMIT");
  }

 private:
  void bind_key(sqlite3_stmt* statement, std::string_view text) {
    sqlite3_bind_text(statement, 1, model_key_.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 2, static_cast<sqlite3_int64>(fnv1a(text, 0xcbf29ce484222325ULL)));
    sqlite3_bind_int64(statement, 3, static_cast<sqlite3_int64>(fnv1a(text, 0x84222325cbf29ce4ULL)));
  }

  void execute(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail();
  }

  void prepare(const char* sql, sqlite3_stmt** statement) {
    if (sqlite3_prepare_v2(db_, sql, -1, statement, nullptr) != SQLITE_OK) fail();
  }

  [[noreturn]] void fail() {
    throw Error(tr("the embedding cache {} cannot be used: {}; delete it or pass another file with "
                   "--embedding-cache",
                   path_, sqlite3_errmsg(db_)));
  }

  std::string path_;
  std::string model_key_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

// The "xxh3-" prefix keeps these keys apart from the size-and-CRC keys of
// older versions, whose vectors are then computed again, never reused.
std::string ModelFingerprint::key() const { return fmt::format("xxh3-{}-{:016x}", size, hash); }

// The whole file, because a fine-tune can change only the middle layers.
// docs/llm.md gives the time this takes.
ModelFingerprint fingerprint_model_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(tr("cannot open the embedding model {}: check the path", path));
  const std::unique_ptr<XXH3_state_t, HashStateDeleter> state(XXH3_createState());
  if (!state || XXH3_64bits_reset(state.get()) != XXH_OK) throw std::bad_alloc();
  ModelFingerprint fingerprint;
  std::vector<char> chunk(kHashChunk);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto bytes_read = static_cast<std::size_t>(in.gcount());
    XXH3_64bits_update(state.get(), chunk.data(), bytes_read);
    fingerprint.size += bytes_read;
  }
  if (in.bad()) throw Error(tr("cannot read the embedding model {}: check the path", path));
  fingerprint.hash = XXH3_64bits_digest(state.get());
  return fingerprint;
}

const std::string& embedding_text(const Document& document) { return document.normalized.text; }

struct CachedEmbedder::Impl {
  std::unique_ptr<llm::Model> model;
  std::unique_ptr<llm::Embedder> embedder;
  std::unique_ptr<EmbeddingCache> cache;
  ModelFingerprint fingerprint;
  std::int64_t computed = 0;
  std::int64_t cached = 0;
};

CachedEmbedder::CachedEmbedder(const std::string& model_path, const std::string& cache_path, int threads)
    : impl_(std::make_unique<Impl>()) {
  impl_->fingerprint = fingerprint_model_file(model_path);
  impl_->model = llm::Model::load(model_path, llm::default_model_options());
  llm::EncodeOptions options = llm::default_encode_options();
  options.threads = threads;
  impl_->embedder = std::make_unique<llm::Embedder>(*impl_->model, options);
  if (!cache_path.empty()) {
    impl_->cache = std::make_unique<EmbeddingCache>(cache_path, impl_->fingerprint.key());
  }
}

CachedEmbedder::~CachedEmbedder() = default;

int CachedEmbedder::dimension() const { return impl_->embedder->dimension(); }

const ModelFingerprint& CachedEmbedder::fingerprint() const { return impl_->fingerprint; }

std::int64_t CachedEmbedder::computed() const { return impl_->computed; }

std::int64_t CachedEmbedder::cached() const { return impl_->cached; }

std::vector<std::vector<float>> CachedEmbedder::embed(const std::vector<std::string>& texts,
                                                      const std::function<void(long long, long long)>& progress) {
  const int dimension = impl_->embedder->dimension();
  std::vector<std::vector<float>> vectors(texts.size());
  const auto total = static_cast<long long>(texts.size());

  // Look everything up first, so that the model only embeds the texts the cache lacks.
  std::vector<std::size_t> missing;
  if (impl_->cache) impl_->cache->begin_read();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (impl_->cache && impl_->cache->find(texts[i], dimension, vectors[i])) {
      ++impl_->cached;
    } else {
      missing.push_back(i);
    }
  }
  if (impl_->cache) impl_->cache->end_read();
  long long done = total - static_cast<long long>(missing.size());
  if (progress) progress(done, total);

  for (std::size_t start = 0; start < missing.size(); start += kEmbedBatch) {
    const std::size_t end = std::min(missing.size(), start + kEmbedBatch);
    std::vector<std::string> batch;
    for (std::size_t i = start; i < end; ++i) batch.push_back(texts[missing[i]]);
    std::vector<std::vector<float>> computed = impl_->embedder->embed(batch);
    impl_->computed += static_cast<std::int64_t>(computed.size());

    if (impl_->cache) {
      std::vector<std::string_view> keys(batch.begin(), batch.end());
      impl_->cache->store(keys, computed);
    }
    for (std::size_t i = start; i < end; ++i) vectors[missing[i]] = std::move(computed[i - start]);
    done += static_cast<long long>(end - start);
    if (progress) progress(done, total);
  }
  return vectors;
}

}  // namespace shopsight
