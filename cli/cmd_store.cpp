// `wattcast store replay-spool SPOOL --store URL`: deliver what a monitor kept in its spool while
// the shared store was away (see src/store/spooling_store.h), then delete the spool.
// `wattcast store import SAMPLES.csv [--epochs EPOCHS.csv] --store S`: a run that `wattcast
// export` wrote, back into a store as a new run.

#include <cstdio>
#include <filesystem>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/run_output.h"
#include "store/open_store.h"
#include "store/postgres_store.h"
#include "store/run_import.h"
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

// An export does not carry the run's exit status; a run that failed says so with --exit-code, so
// that `compare` leaves it out as it does measured failures.
int parse_exit_code(const std::string& text) {
  size_t used = 0;
  int code = -1;
  try {
    code = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || code < 0 || code > 255) throw CliError("--exit-code: expected a whole number from 0 to 255, got '" + text + "'");
  return code;
}

struct ImportOptions {
  std::string samples;
  std::optional<std::string> epochs;
  std::string store = default_store_path();
  std::vector<std::string> tags;
  std::string exit_code = "0";
};

void import_run(const ImportOptions& options) {
  // Both files are read and checked before the store is opened: a bad file writes nothing.
  ImportedRun imported = unwrap(read_exported_run(options.samples, options.epochs));
  for (const auto& tag : options.tags) {
    const auto eq = tag.find('=');
    if (eq == std::string::npos || eq == 0) throw CliError("--tag: expected KEY=VALUE, got '" + tag + "'");
    imported.run.tags[tag.substr(0, eq)] = tag.substr(eq + 1);
  }
  imported.run.exit_code = parse_exit_code(options.exit_code);
  auto store = unwrap(open_store(options.store));
  const int64_t run_id = unwrap(store_imported_run(*store, imported));
  std::printf("%lld\n", static_cast<long long>(run_id));
  std::fprintf(stderr, "wattcast: imported %s as run %lld in %s\n", options.samples.c_str(), static_cast<long long>(run_id),
               mask_password(options.store).c_str());
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

  auto imported = std::make_shared<ImportOptions>();
  auto* import_command = store->add_subcommand("import", "Add a run that 'wattcast export' wrote to a store, as a new run; prints its id");
  import_command->add_option("samples", imported->samples, "The samples CSV ('wattcast export RUN')")->required();
  import_command->add_option("--epochs", imported->epochs, "The epochs CSV with their metrics ('wattcast export RUN --what epochs')");
  import_command->add_option("--store", imported->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  import_command->add_option("--tag", imported->tags, "KEY=VALUE recorded with the run (repeatable)")->allow_extra_args(false);
  import_command->add_option("--exit-code", imported->exit_code, "The run's exit code, which the export does not carry (default 0; compare counts only runs that exited 0)");
  import_command->callback([imported] { import_run(*imported); });
}

}  // namespace wattcast::cli
