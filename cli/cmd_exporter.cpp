// `wattcast exporter --store STORE [--listen ADDR:PORT] [--runs live|all|ID...]`: serve the
// runs of a store to Prometheus, following live runs as `measure` writes them.

#include <signal.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "cli/cli_error.h"
#include "cli/commands.h"
#include "cli/metrics_endpoint.h"
#include "cli/run_output.h"
#include "export/metrics_server.h"
#include "export/store_follower.h"
#include "monitor/sampler.h"
#include "store/open_store.h"
#include "store/postgres_store.h"

namespace wattcast::cli {

namespace {

struct ExporterOptions {
  std::string store = default_store_path();
  std::string listen = "127.0.0.1:9464";
  std::vector<std::string> runs = {"live"};
};

FollowOptions parse_runs(const std::vector<std::string>& runs) {
  FollowOptions follow;
  if (runs.size() == 1 && runs[0] == "live") return follow;
  if (runs.size() == 1 && runs[0] == "all") {
    follow.selection = RunSelection::kAll;
    return follow;
  }
  follow.selection = RunSelection::kListed;
  for (const auto& id : runs) {
    size_t used = 0;
    long long value = -1;
    try {
      value = std::stoll(id, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != id.size() || value <= 0) throw CliError("--runs: expected live, all or run ids, got '" + id + "'");
    follow.run_ids.push_back(value);
  }
  return follow;
}

// Until SIGINT, SIGTERM or SIGHUP; blocked before the HTTP threads start so only this one waits for them.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// The store, opened once it exists: an exporter may start before the first run is measured
// into its store, and then serves no runs until there is one.
class StoreWhenThere {
 public:
  StoreWhenThere(std::string location, FollowOptions follow) : location_(std::move(location)), follow_(std::move(follow)) {}

  // Tries to open it if not yet open. A store that is not there is not an error.
  Status open() {
    if (follower_) return ok_status();
    bool absent = false;
    auto opened = open_store_for_reading(location_, &absent);
    if (!opened) {
      if (absent) return ok_status();
      return opened.error();
    }
    store_ = std::move(opened).value();
    follower_ = std::make_unique<StoreFollower>(*store_, follow_);
    return ok_status();
  }
  bool is_open() const { return follower_ != nullptr; }
  Status poll(double now_s) { return follower_ ? follower_->poll(now_s) : ok_status(); }
  MetricsSnapshot snapshot(double now_s) const { return follower_ ? follower_->snapshot(now_s) : MetricsSnapshot{}; }

 private:
  std::string location_;
  FollowOptions follow_;
  std::unique_ptr<RunStore> store_;
  std::unique_ptr<StoreFollower> follower_;
};

void run_exporter(const ExporterOptions& options) {
  const FollowOptions follow = parse_runs(options.runs);
  const ListenAddress address = unwrap(parse_listen_address(options.listen, "--listen"));
  const std::string store_name = mask_password(options.store);
  StoreWhenThere store(options.store, follow);
  // A store that is there but cannot be read, or a run id that is not in it, is found before
  // anything is served.
  check(store.open());
  if (store.is_open()) {
    check(store.poll(unix_time_s()));
  } else {
    std::fprintf(stderr, "wattcast: %s: no run store there yet; serving no runs until one is measured into it\n", store_name.c_str());
  }

  const sigset_t signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::mutex mutex;  // one scrape at a time reads the store
  std::string last_error;
  auto server = unwrap(MetricsServer::start(address, [&] {
    const std::lock_guard<std::mutex> lock(mutex);
    const double now_s = unix_time_s();
    // A store that cannot be read for a moment: keep serving what was read, say so once.
    Status polled = store.open();
    if (polled) polled = store.poll(now_s);
    if (!polled && polled.error().message != last_error) {
      last_error = polled.error().message;
      std::fprintf(stderr, "wattcast: %s: %s\n", store_name.c_str(), last_error.c_str());
    }
    return render_metrics(store.snapshot(now_s), WATTCAST_VERSION);
  }));
  announce_metrics_address(server->address());
  int signal = 0;
  sigwait(&signals, &signal);
}

}  // namespace

void add_exporter_command(CLI::App& app) {
  auto options = std::make_shared<ExporterOptions>();
  auto* command = app.add_subcommand("exporter", "Serve the runs of a store to Prometheus (/metrics), following live runs");
  command->add_option("--store", options->store, "Run store: an SQLite file or a postgresql:// URL")->capture_default_str();
  command->add_option("--listen", options->listen, "[ADDR:]PORT to serve /metrics at (default address 127.0.0.1)")->capture_default_str();
  command->add_option("--runs", options->runs, "live (running, and new runs), all, or run ids")->capture_default_str();
  command->callback([options] { run_exporter(*options); });
}

}  // namespace wattcast::cli
