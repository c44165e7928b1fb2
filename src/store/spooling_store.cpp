#include "store/spooling_store.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace wattcast {

SpoolingStore::SpoolingStore(std::unique_ptr<RemoteStore> remote, SpoolOptions options)
    : remote_(std::move(remote)), options_(std::move(options)) {}

Result<int64_t> SpoolingStore::begin_run(const RunRecord& run) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto id = remote_->begin_run(run);
  if (id) run_id_ = *id;
  return id;
}

Result<int64_t> SpoolingStore::add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->add_device(run_id, sensor, info);
}

Status SpoolingStore::append_samples(const std::vector<SampleRecord>& samples) {
  if (samples.empty()) return ok_status();
  SpoolRecord record;
  record.kind = SpoolRecord::Kind::kSamples;
  record.samples = samples;
  return write(std::move(record));
}

Status SpoolingStore::append_markers(const std::vector<MarkerRecord>& markers) {
  if (markers.empty()) return ok_status();
  SpoolRecord record;
  record.kind = SpoolRecord::Kind::kMarkers;
  record.markers = markers;
  return write(std::move(record));
}

Status SpoolingStore::finish_run(int64_t run_id, double end_s, std::optional<int> exit_code, const std::string& end_reason) {
  SpoolRecord record;
  record.kind = SpoolRecord::Kind::kFinish;
  record.run_id = run_id;
  record.end_s = end_s;
  record.exit_code = exit_code;
  record.end_reason = end_reason;
  return write(std::move(record));
}

Status SpoolingStore::replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (spool_) return Error{remote_->display_name() + ": the server is away, so the run's tags stay as they were (its markers record the same)"};
  return remote_->replace_tags(run_id, tags);
}

Status SpoolingStore::record_heartbeat(int64_t run_id, double t_s) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (spool_) return ok_status();
  return remote_->record_heartbeat(run_id, t_s);
}

Status SpoolingStore::deliver(const SpoolRecord& record) {
  switch (record.kind) {
    case SpoolRecord::Kind::kSamples:
      return remote_->append_samples(record.samples);
    case SpoolRecord::Kind::kMarkers:
      return remote_->append_markers(record.markers);
    case SpoolRecord::Kind::kFinish:
      return remote_->finish_run(record.run_id, record.end_s, record.exit_code, record.end_reason);
  }
  return ok_status();
}

std::string SpoolingStore::spool_path() const {
  return options_.dir + "/run-" + std::to_string(run_id_) + "-" + std::to_string(::getpid()) + ".spool";
}

Status SpoolingStore::write(SpoolRecord record) {
  const std::lock_guard<std::mutex> lock(mutex_);
  if (!spool_) {
    Status delivered = deliver(record);
    if (delivered || !remote_->connection_lost()) return delivered;
    auto created = SpoolWriter::create(spool_path(), remote_->display_name(), run_id_);
    if (!created) return Error{delivered.error().message + "; and cannot spool: " + created.error().message};
    spool_.emplace(std::move(created).value());
    delivered_records_ = 0;
    delivery_refused_ = false;
    backoff_ = options_.first_retry;
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    tell(delivered.error().message + "; keeping this run's writes in " + spool_->path() + " until the server answers again");
  }
  if (auto spooled = spool_->append(record); !spooled) return spooled;
  try_delivery(false);
  return ok_status();
}

void SpoolingStore::try_delivery(bool forced) {
  if (!spool_ || delivery_refused_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!forced && now < next_attempt_) return;
  // From when the attempt failed: an attempt on a server that does not answer takes its bound.
  auto retry_later = [&] {
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    backoff_ = std::min(backoff_ * 2, options_.longest_retry);
  };
  if (!remote_->reconnect()) return retry_later();
  auto contents = read_spool(spool_->path());
  if (!contents) {
    delivery_refused_ = true;
    tell(contents.error().message);
    return;
  }
  const ReplayProgress progress = replay_spool_records(contents->records, delivered_records_, *remote_);
  delivered_records_ = progress.next;
  if (!progress.status) {
    if (remote_->connection_lost()) return retry_later();
    // The server is back but will not take one of the writes: keep everything in the spool
    // for a person to look at rather than drop it.
    delivery_refused_ = true;
    tell(progress.status.error().message + "; the spool " + spool_->path() + " keeps the rest of the run");
    return;
  }
  const std::string path = spool_->path();
  spool_.reset();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  tell(remote_->display_name() + " answers again; delivered " + std::to_string(delivered_records_) + " spooled writes" +
       (ec ? " (could not remove " + path + ": " + ec.message() + ")" : ""));
}

std::optional<std::string> SpoolingStore::deliver_spool() {
  const std::lock_guard<std::mutex> lock(mutex_);
  try_delivery(true);
  if (spool_) return spool_->path();
  return std::nullopt;
}

void SpoolingStore::tell(std::string notice) {
  const std::lock_guard<std::mutex> lock(notices_mutex_);
  notices_.push_back(std::move(notice));
}

std::vector<std::string> SpoolingStore::take_notices() {
  const std::lock_guard<std::mutex> lock(notices_mutex_);
  std::vector<std::string> out;
  out.swap(notices_);
  return out;
}

Result<std::vector<RunRecord>> SpoolingStore::runs() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->runs();
}

Result<RunRecord> SpoolingStore::run(int64_t run_id) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->run(run_id);
}

Result<std::vector<DeviceRecord>> SpoolingStore::devices(int64_t run_id) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->devices(run_id);
}

Status SpoolingStore::for_each_sample_after(int64_t run_id, int64_t after_tick, const SampleVisitor& visit) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->for_each_sample_after(run_id, after_tick, visit);
}

Result<std::vector<MarkerRecord>> SpoolingStore::markers(int64_t run_id) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return remote_->markers(run_id);
}

}  // namespace wattcast
