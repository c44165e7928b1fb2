#include "export/store_follower.h"

#include "store/run_state.h"

namespace wattcast {

Status StoreFollower::poll(double now_s) {
  if (!discovered_once_ || now_s - last_discovery_s_ >= options_.discover_every_s) {
    if (auto found = discover(now_s); !found) return found;
  }
  for (auto& [id, follower] : runs_) {
    if (complete_.count(id) || retired_.count(id)) continue;
    if (auto read = read_new(follower); !read) return read;
  }
  if (options_.selection == RunSelection::kLive) {
    for (auto it = runs_.begin(); it != runs_.end();) {
      const auto end_s = run_over_at(it->second.run(), now_s);
      if (end_s && now_s - *end_s > options_.keep_ended_s) {
        retired_.insert(it->first);
        complete_.erase(it->first);
        it = runs_.erase(it);
      } else {
        ++it;
      }
    }
  }
  return ok_status();
}

Status StoreFollower::discover(double now_s) {
  const bool first = !discovered_once_;
  discovered_once_ = true;
  last_discovery_s_ = now_s;
  if (options_.selection == RunSelection::kListed) {
    // Looked up again until followed: a run named just as it began may not have its devices yet.
    for (const int64_t id : options_.run_ids) {
      if (runs_.count(id)) continue;
      auto run = store_.run(id);
      if (!run) return Error{"run " + std::to_string(id) + ": " + run.error().message};
      if (auto started = start_following(*run); !started) return started;
    }
    return ok_status();
  }
  auto runs = store_.runs();
  if (!runs) return runs.error();
  for (const RunRecord& run : *runs) {
    if (runs_.count(run.id) || retired_.count(run.id)) continue;
    // Live: a run that had already ended when the exporter started is history, not live.
    if (options_.selection == RunSelection::kLive && run.end_s && first) continue;
    if (options_.selection == RunSelection::kLive && run.end_s && now_s - *run.end_s > options_.keep_ended_s) continue;
    if (auto started = start_following(run); !started) return started;
  }
  return ok_status();
}

Status StoreFollower::start_following(const RunRecord& run) {
  auto devices = store_.devices(run.id);
  if (!devices) return Error{"run " + std::to_string(run.id) + ": " + devices.error().message};
  // `measure` adds its devices just after the run itself: wait for them rather than follow a
  // run that would seem to have none.
  if (devices->empty() && !run.end_s) return ok_status();
  runs_.emplace(run.id, RunFollower(run, *devices));
  return ok_status();
}

// The record first: if the run had ended by then, the samples read next are its last ones (the
// monitor writes its last samples before it marks the run finished).
Status StoreFollower::read_new(RunFollower& follower) {
  const int64_t id = follower.run().id;
  auto failed = [id](const Error& e) { return Error{"run " + std::to_string(id) + ": " + e.message}; };
  auto run = store_.run(id);
  if (!run) return failed(run.error());
  const bool ended = run->end_s.has_value();
  follower.update_run(std::move(run).value());
  auto markers = store_.markers(id);
  if (!markers) return failed(markers.error());
  follower.set_markers(std::move(markers).value());
  auto samples = store_.samples_after(id, follower.last_tick());
  if (!samples) return failed(samples.error());
  follower.add_samples(*samples);
  if (ended) complete_.insert(id);
  return ok_status();
}

MetricsSnapshot StoreFollower::snapshot(double now_s) const {
  MetricsSnapshot out;
  for (const auto& [id, follower] : runs_) out.runs.push_back(follower.metrics(now_s));
  return out;
}

}  // namespace wattcast
