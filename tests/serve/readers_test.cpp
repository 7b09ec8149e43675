// Read-only store connections of the server: lending, reuse, the in-memory
// fallback, and reads that run beside writes on a real server.

#include <atomic>
#include <thread>
#include <vector>

#include "serve/api.h"
#include "serve_fixture.h"

namespace shopsight::serve {
namespace {

using nlohmann::json;

// 2026-11-01T00:00:00Z.
constexpr std::int64_t kNovember1 = 1793491200000;

std::vector<Item> sample_items(int count) {
  std::vector<Item> items;
  for (int i = 0; i < count; ++i) {
    Item item;
    item.id = "r" + std::to_string(i);
    item.text = "质量很好，物流很快";
    item.product = "P1";
    item.time = kNovember1 + i * 1000;
    items.push_back(item);
  }
  return items;
}

// A store file with its writer and a pool of readers.
class FileReaders : public ::testing::Test {
 protected:
  static store::StoreOptions file_options(const TempFolder& folder) {
    store::StoreOptions options;
    options.path = folder.file("store.db");
    return options;
  }

  TempFolder folder;
  store::Store writer{file_options(folder)};
  StoreReaders readers{writer};
};

TEST_F(FileReaders, LendOtherConnectionsOfTheFile) {
  const store::Store* first = nullptr;
  {
    const StoreReaders::Lease one = readers.acquire();
    const StoreReaders::Lease two = readers.acquire();
    first = &*one;
    EXPECT_NE(&*one, &writer);
    EXPECT_NE(&*one, &*two);
    EXPECT_TRUE(one->options().read_only);
  }
  // A returned connection is lent again rather than a new one opened.
  const StoreReaders::Lease again = readers.acquire();
  const StoreReaders::Lease other = readers.acquire();
  EXPECT_TRUE(&*again == first || &*other == first);
}

TEST_F(FileReaders, SeeItemsCommittedByTheWriter) {
  const Engine engine{EngineOptions{}};

  // Lent and returned before the write, so the same connection reads after it.
  EXPECT_EQ(readers.acquire()->item_count(), 0);
  const std::vector<Item> items = sample_items(3);
  std::vector<Analysis> analyses;
  for (const Item& item : items) analyses.push_back(engine.analyze(item));
  writer.add(items, analyses, true);
  EXPECT_EQ(readers.acquire()->item_count(), 3);
}

TEST(StoreReaders, LendsAnInMemoryStoreItself) {
  store::StoreOptions options;
  options.path = ":memory:";
  store::Store writer(options);
  StoreReaders readers(writer);
  EXPECT_EQ(&*readers.acquire(), &writer);
  EXPECT_EQ(readers.open(), nullptr);
}

// Reads from four threads while items arrive through the API: every request
// succeeds and the reads end up seeing every item.
TEST_F(ServeTest, ReadsRunBesideWrites) {
  constexpr int kBatches = 10;
  constexpr int kPerBatch = 20;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", server_->port());
      const char* const paths[] = {"/api/v1/status", "/api/v1/series?dimension=shop&granularity=hour",
                                   "/api/v1/items?limit=5", "/api/v1/values?dimension=product"};
      while (writing) {
        const auto result = client.Get(paths[t]);
        if (!result || result->status != 200) ++failures;
      }
    });
  }
  for (int batch = 0; batch < kBatches; ++batch) {
    json items = json::array();
    for (int i = 0; i < kPerBatch; ++i) {
      const int n = batch * kPerBatch + i;
      items.push_back(review("w" + std::to_string(n), "P" + std::to_string(n % 3), "phones",
                             n % 2 == 0 ? "质量很好，物流很快" : "质量太差了，非常失望", kNovember1 + n * 60'000));
    }
    const auto result = post("/api/v1/items", items);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
  writing = false;
  for (auto& thread : readers) thread.join();

  EXPECT_EQ(failures, 0);
  const auto status = client_->Get("/api/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(body_json(status)["items"], kBatches * kPerBatch);
}

// A server over an in-memory store reads through its one connection.
TEST_F(ServeTest, InMemoryStoreServesItsItems) {
  client_.reset();
  server_.reset();
  store::StoreOptions memory;
  memory.path = ":memory:";
  store_ = std::make_unique<store::Store>(memory);
  restart();

  const auto added = post("/api/v1/items", json::array({review("m1", "P1", "phones", "物流很快", kNovember1)}));
  ASSERT_TRUE(added);
  ASSERT_EQ(added->status, 200) << added->body;
  const auto found = client_->Get("/api/v1/items?product=P1");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->status, 200) << found->body;
  ASSERT_EQ(body_json(found)["items"].size(), 1U);
  EXPECT_EQ(body_json(found)["items"][0]["id"], "m1");
}

}  // namespace
}  // namespace shopsight::serve
