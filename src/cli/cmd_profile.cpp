// `shopsight profile` and `shopsight recommend`: user profiles and product
// recommendations from the analyzed items in a store.

#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "common/error.h"
#include "common/i18n.h"
#include "profile/profile.h"
#include "store/store.h"

namespace shopsight::cli {
namespace {

struct ProfileArguments {
  std::string user;
  std::string db;
  std::string format = "text";
  std::string output;
  bool all = false;
  int top = 10;
};

store::StoreOptions read_only_store(const std::string& path) {
  store::StoreOptions options;
  options.path = path;
  options.read_only = true;
  return options;
}

void export_all(const store::Store& store, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(tr("cannot write {}: check that the folder exists and is writable", path));
  const std::int64_t users = profile::export_profiles(store, out);
  out.close();
  if (!out) throw Error(tr("cannot write {}: the disk may be full", path));
  spdlog::info("{}", tr("profiles of {} users written to {}", users, path));
}

void run_profile(const ProfileArguments& args) {
  if (args.all == !args.user.empty()) throw Error(tr("name one USER, or give --all with --output"));
  if (args.all && args.output.empty()) throw Error(tr("--all writes JSON Lines and needs --output FILE"));
  check_outputs_differ_from_inputs({args.db}, {{"--output", args.output}});
  const store::Store store(read_only_store(args.db));
  if (args.all) {
    export_all(store, args.output);
    return;
  }
  const profile::UserProfile result = profile::user_profile(store, store.stored_user(args.user));
  std::cout << (args.format == "json" ? profile::to_json(result).dump(2) + "\n" : profile::format_text(result));
}

void run_recommend(const ProfileArguments& args) {
  const store::Store store(read_only_store(args.db));
  const auto result = profile::recommend(store, store.stored_user(args.user), args.top);
  std::cout << (args.format == "json" ? profile::to_json(result).dump(2) + "\n" : profile::format_text(result));
}

void add_common_options(CLI::App& command, ProfileArguments& args) {
  command.add_option("--db", args.db, tr("store file written by shopsight ingest"))->required();
  command.add_option("--format", args.format, tr("output format: text or json"))
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

}  // namespace

void add_profile_command(CLI::App& app) {
  auto args = std::make_shared<ProfileArguments>();
  CLI::App* command = app.add_subcommand(
      "profile", tr("show what a user reviews, how they judge and which aspects they care about"));
  command->add_option("user", args->user, tr("user id as in the source, or its pseudonym as stored"));
  add_common_options(*command, *args);
  command->add_flag("--all", args->all, tr("write the profile of every user to --output as JSON Lines"));
  command->add_option("-o,--output", args->output, tr("JSON Lines file for --all"));
  command->callback([args] { run_profile(*args); });
}

void add_recommend_command(CLI::App& app) {
  auto args = std::make_shared<ProfileArguments>();
  CLI::App* command = app.add_subcommand(
      "recommend", tr("recommend products a user has not reviewed that match their interests"));
  command->add_option("user", args->user, tr("user id as in the source, or its pseudonym as stored"))->required();
  add_common_options(*command, *args);
  command->add_option("--top", args->top, tr("products to recommend"))
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  command->callback([args] { run_recommend(*args); });
}

}  // namespace shopsight::cli
