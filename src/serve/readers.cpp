// Read-only store connections for the request threads.

#include "serve/api.h"

namespace shopsight::serve {

StoreReaders::Lease::~Lease() {
  if (owned_) pool_->release(std::move(owned_));
}

StoreReaders::StoreReaders(const store::Store& store) : store_(store) {
  const std::string& path = store.options().path;
  // SQLite opens "", ":memory:" and memory URIs as private databases, which
  // a second connection would not see.
  shared_file_ = !path.empty() && path != ":memory:" && !path.starts_with("file:");
}

StoreReaders::Lease StoreReaders::acquire() {
  if (!shared_file_) return Lease(this, nullptr, store_);
  std::unique_ptr<store::Store> reader;
  {
    const std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      reader = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!reader) reader = open();
  const store::Store& connection = *reader;
  return Lease(this, std::move(reader), connection);
}

std::unique_ptr<store::Store> StoreReaders::open() const {
  if (!shared_file_) return nullptr;
  store::StoreOptions options = store_.options();
  options.read_only = true;
  return std::make_unique<store::Store>(options);
}

void StoreReaders::release(std::unique_ptr<store::Store> reader) {
  const std::lock_guard lock(mutex_);
  idle_.push_back(std::move(reader));
}

}  // namespace shopsight::serve
