#pragma once
// Keeps a monitor's writes when its shared store goes away mid-run. Writes go straight to the
// remote store while it answers; once one fails because the server cannot be reached or did not
// answer within the remote store's bound (a stopped server, a table locked by another session),
// that write and every later one are appended to a local spool file (spool_file.h) and accepted.
// Each later write also tries to reconnect, with backoff; once the server is back, the spool is
// delivered in order and deleted, and writes go straight through again. Reads always go to the
// server. A write the server refuses for its content (a duplicate tick) is an error as before.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/remote_store.h"
#include "store/spool_file.h"

namespace wattcast {

struct SpoolOptions {
  std::string dir = default_spool_dir();
  // Time between reconnection attempts: doubles from the first to the longest.
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds longest_retry{16000};
};

class SpoolingStore : public RunStore {
 public:
  SpoolingStore(std::unique_ptr<RemoteStore> remote, SpoolOptions options);

  Result<int64_t> begin_run(const RunRecord& run) override;
  Result<int64_t> add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) override;
  Status append_samples(const std::vector<SampleRecord>& samples) override;
  Status append_markers(const std::vector<MarkerRecord>& markers) override;
  Status finish_run(int64_t run_id, double end_s, std::optional<int> exit_code, const std::string& end_reason) override;
  // Not spooled: tags only restate facts the run's markers keep, so while the server is away
  // this is an error the caller can ignore.
  Status replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) override;
  // Not spooled: a heartbeat matters only while it is fresh.
  Status record_heartbeat(int64_t run_id, double t_s) override;

  Result<std::vector<RunRecord>> runs() override;
  Result<RunRecord> run(int64_t run_id) override;
  Result<std::vector<DeviceRecord>> devices(int64_t run_id) override;
  Status for_each_sample_after(int64_t run_id, int64_t after_tick, const SampleVisitor& visit) override;
  Result<std::vector<MarkerRecord>> markers(int64_t run_id) override;

  // Tries now, whatever the backoff, to deliver the spool. Returns its path while it still
  // holds writes: the server is still away, or refused one of them.
  std::optional<std::string> deliver_spool();
  // What happened since the last call (connection lost, spool delivered), once each: the
  // monitor prints them. Never waits for a write in progress.
  std::vector<std::string> take_notices();

 private:
  Status write(SpoolRecord record);
  Status deliver(const SpoolRecord& record);
  void try_delivery(bool forced);
  std::string spool_path() const;
  void tell(std::string notice);

  std::unique_ptr<RemoteStore> remote_;
  SpoolOptions options_;
  std::mutex mutex_;  // guards everything below, and keeps the remote's error state ours
  int64_t run_id_ = 0;
  std::optional<SpoolWriter> spool_;
  size_t delivered_records_ = 0;  // of the spool's records, in the server already
  bool delivery_refused_ = false;
  std::chrono::steady_clock::time_point next_attempt_;
  std::chrono::milliseconds backoff_{0};
  // Apart: the thread that supervises the command takes them while a write may be in progress.
  std::mutex notices_mutex_;
  std::vector<std::string> notices_;
};

}  // namespace wattcast
