#pragma once
// A run store in front of a real one that refuses samples while `refuse` is set, as a full disk
// or a held lock would, and while held makes every write wait, as a server that does not answer
// would. Reads pass straight through.

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "store/run_store.h"

namespace wattcast::testing {

class RefusingStore : public RunStore {
 public:
  explicit RefusingStore(RunStore& store) : store_(store) {}
  std::atomic<bool> refuse{false};
  std::atomic<int> refused{0};
  std::atomic<bool> waiting{false};  // a write waits for release()

  void hold() {
    const std::lock_guard<std::mutex> lock(gate_mutex_);
    held_ = true;
  }
  void release() {
    {
      const std::lock_guard<std::mutex> lock(gate_mutex_);
      held_ = false;
    }
    gate_.notify_all();
  }

  Result<int64_t> begin_run(const RunRecord& run) override { return store_.begin_run(run); }
  Result<int64_t> add_device(int64_t run_id, const std::string& sensor, const DeviceInfo& info) override { return store_.add_device(run_id, sensor, info); }
  Status append_samples(const std::vector<SampleRecord>& samples) override {
    pass_gate();
    if (refuse) {
      ++refused;
      return Error{"database or disk is full"};
    }
    return store_.append_samples(samples);
  }
  Status append_markers(const std::vector<MarkerRecord>& markers) override {
    pass_gate();
    return store_.append_markers(markers);
  }
  Status finish_run(int64_t id, double end_s, std::optional<int> code, const std::string& reason) override {
    pass_gate();
    return store_.finish_run(id, end_s, code, reason);
  }
  Status record_heartbeat(int64_t run_id, double t_s) override {
    pass_gate();
    return store_.record_heartbeat(run_id, t_s);
  }
  Status replace_tags(int64_t run_id, const std::map<std::string, std::string>& tags) override {
    pass_gate();
    return store_.replace_tags(run_id, tags);
  }
  Result<std::vector<RunRecord>> runs() override { return store_.runs(); }
  Result<RunRecord> run(int64_t run_id) override { return store_.run(run_id); }
  Result<std::vector<DeviceRecord>> devices(int64_t run_id) override { return store_.devices(run_id); }
  Status for_each_sample_after(int64_t run_id, int64_t tick, const SampleVisitor& visit) override {
    return store_.for_each_sample_after(run_id, tick, visit);
  }
  Result<std::vector<MarkerRecord>> markers(int64_t run_id) override { return store_.markers(run_id); }

 private:
  void pass_gate() {
    std::unique_lock<std::mutex> lock(gate_mutex_);
    waiting = held_;
    gate_.wait(lock, [this] { return !held_; });
    waiting = false;
  }

  RunStore& store_;
  std::mutex gate_mutex_;
  std::condition_variable gate_;
  bool held_ = false;
};

}  // namespace wattcast::testing
