// `wattcast store replay-spool SPOOL --store URL`: deliver what a monitor kept in its spool while
// the shared store was away (see src/store/spooling_store.h), then delete the spool.

#include <cstdio>
#include <filesystem>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "store/postgres_store.h"
#include "store/spool_file.h"

namespace wattcast::cli {

namespace {

struct ReplayOptions {
  std::string spool;
  std::string store;
};

void replay_spool(const ReplayOptions& options) {
  if (!is_postgres_url(options.store)) throw CliError("--store: expected a postgresql:// URL, got '" + options.store + "'");
  const SpoolContents contents = unwrap(read_spool(options.spool));
  // Ids in a spool mean something only in the database that handed them out.
  if (contents.store != mask_password(options.store)) {
    throw CliError(options.spool + ": spooled for " + contents.store + ", not " + mask_password(options.store));
  }
  auto store = unwrap(open_postgres_store(options.store));
  const ReplayProgress progress = replay_spool_records(contents.records, 0, *store);
  if (!progress.status) {
    // Delivering again is safe: batches already stored are skipped.
    throw CliError(progress.status.error().message + " (delivered " + std::to_string(progress.next) + " of " +
                       std::to_string(contents.records.size()) + " writes; run the command again)",
                   1);
  }
  std::error_code ec;
  std::filesystem::remove(options.spool, ec);
  if (ec) throw CliError(options.spool + ": delivered, but cannot remove it: " + ec.message(), 1);
  std::fprintf(stderr, "wattcast: delivered %zu writes of run %lld to %s%s; removed %s\n", contents.records.size(),
               static_cast<long long>(contents.run_id), contents.store.c_str(),
               contents.torn_tail ? " (the spool's last line was cut short when the monitor died; it was never accepted)" : "",
               options.spool.c_str());
}

}  // namespace

void add_store_commands(CLI::App& app) {
  auto* store = app.add_subcommand("store", "Maintain a run store");
  store->require_subcommand(1);
  auto options = std::make_shared<ReplayOptions>();
  auto* replay = store->add_subcommand("replay-spool", "Deliver a monitor's spool (kept while its PostgreSQL store was unreachable), then delete it");
  replay->add_option("spool", options->spool, "The spool file the monitor named")->required();
  replay->add_option("--store", options->store, "The postgresql:// URL the run was measured into")->required();
  replay->callback([options] { replay_spool(*options); });
}

}  // namespace wattcast::cli
