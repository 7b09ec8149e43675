// `shopsight watch`: follows a growing file, a folder of arriving files or
// standard input, and adds what arrives to the store.
//
// Each round reads the complete records past the saved position, hands them
// to store::ingest behind the header line, and saves the new position in the
// transaction of their last batch. A crash therefore re-reads at most the
// records after the last saved position, and the store's item keys keep
// those from being counted twice.

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/store_options.h"
#include "common/error.h"
#include "common/i18n.h"
#include "common/log.h"

namespace shopsight::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};

void request_stop(int) { g_stop = true; }

struct WatchArguments {
  std::string path;
  store::StoreOptions store;
  FeedArguments feed;
  DetectArguments detect;
  double poll_seconds = 1.0;
  std::size_t chunk_bytes = 16 << 20;
  bool once = false;
};

/// Everything one round needs besides the bytes.
struct WatchContext {
  WatchArguments& args;
  store::Store& store;
  const Engine& engine;
  RejectsWriter& rejects;
  detect::Monitor* monitor;                   ///< null with --no-detect
  store::IngestStats total;
  std::set<std::string> warned_without_time;  ///< sources already warned about, once per run
  std::map<std::string, std::string> failed;  ///< error last logged for each file of a folder
};

/// Record delimiting of a source, from --input-format or the file name.
struct Layout {
  bool quoted = true;       ///< CSV: line breaks inside double quotes belong to the field
  bool has_header = true;   ///< CSV and TSV start with a header record
};

Layout layout_of(const ReaderOptions& options, const std::string& path) {
  std::string format = options.format;
  if (format == "auto") {
    const std::string extension = fs::path(path).extension().string();
    if (extension == ".jsonl" || extension == ".json" || extension == ".ndjson") format = "jsonl";
    else if (extension == ".tsv") format = "tsv";
    else format = "csv";
  }
  return {format == "csv", format != "jsonl"};
}

// End of the last complete record in `bytes`: just past a line break that
// is outside double quotes (CSV fields may hold line breaks), or 0.
std::size_t complete_end(std::string_view bytes, bool quoted, std::size_t* first_end = nullptr) {
  bool in_quotes = false;
  std::size_t end = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (quoted && c == '"') in_quotes = !in_quotes;
    if (c == '\n' && !in_quotes) {
      end = i + 1;
      if (first_end != nullptr && *first_end == 0) *first_end = end;
    }
  }
  return end;
}

std::string file_identity(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino);
}

// Maximum bytes of a file's start that a saved position keeps a hash of. A
// file rewritten in place keeps its inode and may grow past the saved offset,
// so only its content shows that it is not the file that was read.
constexpr std::size_t kHeadBytes = 4096;

// "device:inode head=LENGTH:HASH", the identity saved with a position.
// Positions saved before the head was kept have no " head=" part.
std::string identity_with_head(const std::string& identity, std::string_view head) {
  return fmt::format("{} head={}:{:016x}", identity, head.size(), XXH3_64bits(head.data(), head.size()));
}

// Length of the head hashed in a saved identity, or nullopt for an old one.
std::optional<std::size_t> head_length(std::string_view identity) {
  const std::size_t at = identity.find(" head=");
  if (at == std::string_view::npos) return std::nullopt;
  return static_cast<std::size_t>(std::strtoull(std::string(identity.substr(at + 6)).c_str(), nullptr, 10));
}

// Returns the canonical form of `path`, so that a file named relatively and
// absolutely keeps one position, or `path` when it cannot be resolved.
std::string position_key(const std::string& path) {
  std::error_code error;
  const fs::path canonical = fs::canonical(path, error);
  return error ? path : canonical.string();
}

std::string read_range(const std::string& path, std::int64_t offset, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(tr("cannot read {}", path));
  in.seekg(offset);
  std::string data(bytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(bytes));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

std::int64_t count_lines(std::string_view bytes) { return std::count(bytes.begin(), bytes.end(), '\n'); }

// Ingests `records` (complete records) of `source`, behind `header` unless
// they start the source, and saves `position`, when given, with the last batch.
void ingest_records(WatchContext& context, const std::string& source, const std::string& header,
                    const std::string& records, const store::SourcePosition* position, std::int64_t first_line) {
  std::istringstream stream(header + records);
  ReaderOptions options = context.args.feed.reader;
  options.path = source;
  auto reader = Reader::open(stream, options);
  if (context.warned_without_time.insert(source).second) warn_without_time_column(*reader, source);
  const std::int64_t header_lines = count_lines(header);
  const store::IngestStats stats = store::ingest(
      *reader, context.engine, context.store, context.args.feed.ingest, position,
      [&](const Reject& reject) {
        // Lines count from the chunk; report them as lines of the source.
        Reject shifted = reject;
        shifted.line = reject.line - header_lines - 1 + first_line;
        report_reject(context.rejects, shifted);
      });
  add_stats(context.total, stats);
  warn_rows_without_id(*reader, source, stats);
  if (stats.read > 0 || stats.rejected > 0) {
    spdlog::info("{}", tr("{}: {} new items stored, {} already stored, {} rows rejected", source, stats.added,
                          stats.duplicates, stats.rejected));
  }
}

// Returns where reading `path` resumes: its saved position, or its start when
// the file was replaced, truncated or rewritten. `head` receives the file's
// first bytes up to that position, at most kHeadBytes.
store::SourcePosition resume_position(const store::Store& store, const std::string& path,
                                      const std::string& identity, std::int64_t size, std::string& head) {
  const std::string key = position_key(path);
  const store::SourcePosition from_start{key, identity, 0, 0};
  // Positions saved before they were keyed by the canonical path are found
  // under the path as typed.
  std::optional<store::SourcePosition> saved = store.position(key);
  if (!saved && key != path) saved = store.position(path);
  store::SourcePosition position = saved.value_or(from_start);
  position.source = key;
  head.clear();
  if (position.offset == 0) return position;

  const std::size_t length = head_length(position.identity)
                                 .value_or(std::min<std::size_t>(static_cast<std::size_t>(position.offset), kHeadBytes));
  head = read_range(path, 0, std::min<std::size_t>(length, static_cast<std::size_t>(size)));
  // An identity saved without a head cannot show a rewrite, so it takes the
  // head that the file has now.
  if (!head_length(position.identity) && position.identity == identity) {
    position.identity = identity_with_head(identity, head);
  }
  if (position.identity == identity_with_head(identity, head) && size >= position.offset) return position;

  // A replaced, truncated or rewritten file starts over. Item keys keep the
  // records it shares with the old one from being counted twice.
  spdlog::warn("{}", tr("{} was replaced, truncated or rewritten; reading it from the start", path));
  head.clear();
  return from_start;
}

// Reads what `path` gained since its saved position; returns true when it
// ingested something.
bool follow_file(WatchContext& context, const std::string& path) {
  const std::string identity = file_identity(path);
  if (identity.empty()) return false;
  const auto size = static_cast<std::int64_t>(fs::file_size(path));
  std::string head;
  store::SourcePosition position = resume_position(context.store, path, identity, size, head);
  if (position.offset >= size) return false;
  const Layout layout = layout_of(context.args.feed.reader, path);

  // Records past the start are read behind the source's header record,
  // which is read once per round, and only when the file has grown.
  std::string header;
  if (layout.has_header) {
    const std::string start = read_range(path, 0, std::min<std::size_t>(static_cast<std::size_t>(size), 1 << 20));
    std::size_t header_end = 0;
    complete_end(start, layout.quoted, &header_end);
    header = start.substr(0, header_end);
  }

  bool ingested = false;
  while (!g_stop && position.offset < size) {
    const std::size_t length = std::min<std::size_t>(static_cast<std::size_t>(size - position.offset),
                                                     context.args.chunk_bytes);
    const std::string bytes = read_range(path, position.offset, length);
    const std::size_t end = complete_end(bytes, layout.quoted);
    if (end == 0 && position.offset + static_cast<std::int64_t>(bytes.size()) == size) break;  // record still being written
    if (end == 0) throw Error(tr("{}: a record at byte {} is longer than --chunk-bytes", path, position.offset));
    const std::string records = bytes.substr(0, end);
    store::SourcePosition next = position;
    next.offset += static_cast<std::int64_t>(end);
    next.line += count_lines(records);
    if (head.size() < kHeadBytes) head += records.substr(0, kHeadBytes - head.size());
    next.identity = identity_with_head(identity, head);
    ingest_records(context, path, position.offset > 0 ? header : std::string(), records, &next, position.line + 1);
    position = next;
    ingested = true;
  }
  return ingested;
}

bool follow_folder(WatchContext& context, const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    // Files being copied in usually carry a temporary name until complete.
    if (!entry.is_regular_file() || name.starts_with('.') || name.ends_with(".tmp") || name.ends_with(".part")) {
      continue;
    }
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  bool ingested = false;
  for (const std::string& file : files) {
    if (g_stop) break;
    try {
      ingested = follow_file(context, file) || ingested;
      context.failed.erase(file);
    } catch (const Error& error) {
      // One file that lacks a column must not stop the others. It is tried
      // again each round, because it may be fixed, but logged once per error.
      set_exit_status(kExitRowsRejected);
      std::string& logged = context.failed[file];
      if (logged != error.what()) {
        logged = error.what();
        spdlog::error("{}", tr("{}; skipping this file and reading the other files of the folder", error.what()));
      }
    }
  }
  return ingested;
}

// Standard input has no position to keep: records are ingested as they
// arrive, and a replay of the same stream is caught by the item keys.
void follow_input(WatchContext& context) {
  std::string pending;
  std::string header;
  std::int64_t line = 0;
  const Layout layout = layout_of(context.args.feed.reader, "-");
  bool open = true;
  while (open && !g_stop) {
    pollfd input{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&input, 1, static_cast<int>(context.args.poll_seconds * 1000));
    if (ready > 0) {
      char buffer[65536];
      const ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (count <= 0) open = false;
      else pending.append(buffer, static_cast<std::size_t>(count));
    }
    // Records go in when the input pauses, ends, or has piled up.
    if (ready > 0 && open && pending.size() < context.args.chunk_bytes) continue;
    std::size_t header_end = 0;
    std::size_t end = complete_end(pending, layout.quoted, &header_end);
    if (!open && end < pending.size()) {
      pending += '\n';
      end = pending.size();
    }
    if (end == 0) continue;
    const bool starts = line == 0;
    if (starts && layout.has_header) header = pending.substr(0, header_end);
    const std::string records = pending.substr(0, end);
    ingest_records(context, "-", starts ? std::string() : header, records, nullptr, line + 1);
    run_detectors(context.monitor);
    line += count_lines(records);
    pending.erase(0, end);
  }
}

void sleep_a_while(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void run_watch(WatchArguments& args) {
  check_outputs_differ_from_inputs({args.path}, {{"--rejects", args.feed.rejects}});
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  store::Store store(args.store);
  const std::unique_ptr<Engine> engine = load_engine(args.feed);
  RejectsWriter rejects(args.feed.rejects);
  // One monitor for the whole watch: its delivery threads and circuit
  // breakers live across runs, and its shutdown waits for the sinks once.
  const std::unique_ptr<detect::Monitor> monitor = make_monitor(store, args.detect);
  WatchContext context{args, store, *engine, rejects, monitor.get(), {}, {}, {}};

  if (args.path == "-") {
    follow_input(context);
  } else {
    if (!fs::exists(args.path)) throw Error(tr("{} does not exist; watch needs a file, a folder or -", args.path));
    const bool folder = fs::is_directory(args.path);
    if (args.once) spdlog::info("{}", tr("reading {} once", args.path));
    else spdlog::info("{}", tr("watching {}; stop with Ctrl-C", args.path));
    while (!g_stop) {
      const bool ingested = folder ? follow_folder(context, args.path) : follow_file(context, args.path);
      if (ingested) {
        store.apply_retention();
        run_detectors(monitor.get());
      }
      if (args.once) break;
      sleep_a_while(args.poll_seconds);
    }
  }
  finish_ingest(context.total, args.feed.rejects);
}

}  // namespace

void add_watch_command(CLI::App& app) {
  auto args = std::make_shared<WatchArguments>();
  CLI::App* command = app.add_subcommand(
      "watch", tr("follow a growing file, a folder of arriving files, or standard input (-) into the store; the read position survives restarts"));
  command->add_option("path", args->path, tr("file, folder or - for standard input"))->required();
  add_store_options(*command, args->store);
  add_detect_options(*command, args->detect);
  command->add_option("--poll", args->poll_seconds, tr("seconds between looks for new data"))
      ->check(CLI::Range(0.05, 3600.0))
      ->capture_default_str();
  command->add_flag("--once", args->once, tr("read what is there now, then exit"));
  command->add_option("--chunk-bytes", args->chunk_bytes, tr("bytes read per round at most; a record must fit"))
      ->check(CLI::Range(1 << 10, 1 << 30))
      ->capture_default_str();
  add_feed_options(*command, args->feed);
  command->callback([args] { run_watch(*args); });
}

}  // namespace shopsight::cli
