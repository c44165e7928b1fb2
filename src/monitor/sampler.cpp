#include "monitor/sampler.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace wattcast {

double unix_time_s() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

Sampler::Sampler(std::vector<SensorBinding> sensors, RunStore& store, SamplerOptions options)
    : sensors_(std::move(sensors)),
      sensor_failed_(sensors_.size(), false),
      last_read_s_(sensors_.size(), 0.0),
      store_(store),
      options_(options) {
  for (const auto& binding : sensors_) {
    device_state_.emplace_back(binding.sensor->devices().size());
    for (size_t d = 0; d < binding.sensor->devices().size() && d < binding.device_ids.size(); ++d) {
      device_totals_.push_back({binding.device_ids[d], 0, std::nan("")});
    }
  }
}

// A destructor has no one to tell; callers who care call stop() themselves.
Sampler::~Sampler() { (void)stop(); }

void Sampler::start() {
  running_ = true;
  sampler_thread_ = std::thread([this] { sample_loop(); });
  writer_thread_ = std::thread([this] { write_loop(); });
}

Status Sampler::stop() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return write_status_;
    stopped_ = true;
  }
  {
    const std::lock_guard<std::mutex> lock(sleep_mutex_);
    running_ = false;
  }
  wake_sampler_.notify_all();
  if (sampler_thread_.joinable()) sampler_thread_.join();
  // The last sample, taken here so it is as close as possible to the end of the command.
  take_sample(last_tick_ + 1, true);
  {
    // Only now is every sample in pending_: the writer's last flush must come after this.
    const std::lock_guard<std::mutex> lock(mutex_);
    sampling_done_ = true;
  }
  wake_writer_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  const std::lock_guard<std::mutex> lock(mutex_);
  return write_status_;
}

LiveTotals Sampler::live() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

double Sampler::anchored_energy_j(double since_s, std::chrono::milliseconds max_wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!running_ || sampling_done_) return live_.energy_j;
  // The anchor comes a little after the marker (it was read, then every sensor): taken back to
  // the marker's own time at the anchor's power, as the store's epochs end at that time stamp;
  // never past the sample before the anchor, and never below an energy already handed out, so
  // epoch energies stay positive.
  auto at_marker_j = [&] {
    const double back_s = std::clamp(last_anchor_s_ - since_s, 0.0, span_before_anchor_s_);
    anchored_floor_j_ = std::max(anchored_floor_j_, energy_at_anchor_j_ - power_at_anchor_w_ * back_s);
    return anchored_floor_j_;
  };
  if (last_anchor_s_ >= since_s) return at_marker_j();
  lock.unlock();
  {
    const std::lock_guard<std::mutex> sleep_lock(sleep_mutex_);
    anchor_requested_ = true;
  }
  wake_sampler_.notify_all();
  lock.lock();
  const bool anchored = anchor_taken_.wait_for(lock, max_wait, [&] { return last_anchor_s_ >= since_s || sampling_done_; });
  return anchored && last_anchor_s_ >= since_s ? at_marker_j() : live_.energy_j;
}

bool Sampler::take_anchor_request() {
  const std::lock_guard<std::mutex> lock(sleep_mutex_);
  return std::exchange(anchor_requested_, false);
}

std::vector<DeviceTotal> Sampler::device_totals() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return device_totals_;
}

std::vector<std::string> Sampler::take_warnings() {
  const std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(warnings_, {});
}

void Sampler::warn(std::string message) {
  const std::lock_guard<std::mutex> lock(mutex_);
  warnings_.push_back(std::move(message));
}

// Absolute deadlines on the monotonic clock: the interval does not drift with the time each
// tick takes, and a late tick is taken at once rather than skipped. Intervals at which no sensor
// is due (all of them read less often than the interval) are slept through, so an idle monitor
// wakes only when there is something to read. The first sample is taken at once and a last one
// as soon as stop() is called, so even a command that ends at once has a sample at both ends;
// both are anchors. An anchor asked for in between is a sample of its own, taken at once, and
// leaves the schedule as it was. Ticks number the samples taken, in order.
void Sampler::sample_loop() {
  const auto interval = options_.interval;
  auto deadline = std::chrono::steady_clock::now();
  bool scheduled = true;
  for (int64_t tick = 0; running_; ++tick) {
    const bool anchor = take_anchor_request() || tick == 0;
    take_sample(tick, anchor);
    if (scheduled) deadline += ticks_until_due() * interval;
    std::unique_lock<std::mutex> lock(sleep_mutex_);
    scheduled = !wake_sampler_.wait_until(lock, deadline, [this] { return !running_ || anchor_requested_; });
  }
}

int64_t Sampler::ticks_until_due() const {
  const double interval_s = std::chrono::duration<double>(options_.interval).count();
  const double now_s = unix_time_s();
  double wait_s = std::numeric_limits<double>::infinity();
  for (size_t s = 0; s < sensors_.size(); ++s) {
    if (sensor_failed_[s]) continue;
    wait_s = std::min(wait_s, last_read_s_[s] + sensors_[s].sensor->min_interval_s() - now_s);
  }
  if (!std::isfinite(wait_s)) return 1;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s / interval_s - 0.5)));
}

namespace {

// Sensors report errors as values; one that throws anyway (a bug, a driver library) must cost its
// own figures, not the sampler thread and with it the whole run.
Status read_sensor(Sensor& sensor, std::vector<Reading>& readings) {
  try {
    return sensor.sample(readings);
  } catch (const std::exception& e) {
    return Error{std::string("failed: ") + e.what()};
  }
}

}  // namespace

void Sampler::take_sample(int64_t tick, bool anchor) {
  last_tick_ = tick;
  if (anchor) {
    for (auto& binding : sensors_) binding.sensor->read_counters_next();
  }
  // Buffers kept across ticks: at 1 ms the sampler must not allocate on every tick.
  std::vector<SampleRecord>& batch = tick_batch_;
  std::vector<Reading>& readings = tick_readings_;
  batch.clear();
  double power_now_w = 0;
  double energy_delta_j = 0;
  // Half a tick of slack, so a sensor due every 100 ms is not skipped for a tick that came 0.1 ms early.
  const double slack_s = 0.5 * std::chrono::duration<double>(options_.interval).count();
  const double tick_s = unix_time_s();
  // Every sensor is read at anchors (the first and the last samples among them), so every sensor
  // covers the whole run, and an epoch's energy is the same live as read back from the store.
  bool first_read = true;
  for (size_t s = 0; s < sensors_.size(); ++s) {
    if (sensor_failed_[s]) continue;
    if (!anchor && tick_s - last_read_s_[s] < sensors_[s].sensor->min_interval_s() - slack_s) continue;
    // Each reading is stamped when it is taken: the sensors before it may have been slow.
    const double t_s = first_read ? tick_s : unix_time_s();
    first_read = false;
    last_read_s_[s] = t_s;
    readings.clear();
    if (auto status = read_sensor(*sensors_[s].sensor, readings); !status) {
      sensor_failed_[s] = true;
      warn(sensors_[s].sensor->name() + ": " + status.error().message + "; no further samples from it");
      continue;
    }
    for (auto& notice : sensors_[s].sensor->take_notices()) warn(sensors_[s].sensor->name() + ": " + notice);
    for (const Reading& reading : readings) {
      if (reading.device >= sensors_[s].device_ids.size()) continue;
      DeviceState& state = device_state_[s][reading.device];
      batch.push_back({sensors_[s].device_ids[reading.device], tick, t_s, reading});
      const double before_j = state.integrator.started() ? state.integrator.energy_j() : NAN;
      if (state.integrator.add(batch.back()) && std::isfinite(before_j)) energy_delta_j += state.integrator.energy_j() - before_j;
      if (std::isfinite(reading.power_w)) state.last_power_w = reading.power_w;
    }
  }
  // Devices read less often than every tick still draw power: show each one's latest figure.
  for (const auto& sensor_states : device_state_) {
    for (const DeviceState& state : sensor_states) {
      if (std::isfinite(state.last_power_w)) power_now_w += state.last_power_w;
    }
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  pending_.insert(pending_.end(), batch.begin(), batch.end());
  if (anchor) {
    span_before_anchor_s_ = tick > 0 ? tick_s - last_tick_s_ : 0;
    last_anchor_s_ = tick_s;
    power_at_anchor_w_ = power_now_w;
    energy_at_anchor_j_ = 0;
    for (const auto& sensor_states : device_state_) {
      for (const DeviceState& state : sensor_states) {
        const EnergyIntegrator& integrator = state.integrator;
        if (integrator.started()) energy_at_anchor_j_ += integrator.unheld_energy_j() - integrator.first_energy_j();
      }
    }
    anchor_taken_.notify_all();
  }
  live_.power_w = power_now_w;
  live_.energy_j += energy_delta_j;
  live_.ticks = tick + 1;
  last_tick_s_ = tick_s;
  size_t total = 0;
  for (size_t s = 0; s < sensors_.size(); ++s) {
    for (size_t d = 0; d < sensors_[s].device_ids.size() && d < device_state_[s].size(); ++d, ++total) {
      const EnergyIntegrator& integrator = device_state_[s][d].integrator;
      device_totals_[total].energy_j = integrator.started() ? integrator.energy_j() - integrator.first_energy_j() : 0;
      device_totals_[total].power_w = device_state_[s][d].last_power_w;
      device_totals_[total].has_energy = integrator.started();
    }
  }
}

void Sampler::add_markers(std::vector<MarkerRecord> markers) {
  if (markers.empty()) return;
  std::unique_lock<std::mutex> lock(mutex_);
  if (sampling_done_ && !writer_thread_.joinable()) {
    lock.unlock();
    if (auto written = store_.append_markers(markers); !written) warn("run store: " + written.error().message + "; markers not stored");
    return;
  }
  pending_markers_.insert(pending_markers_.end(), std::make_move_iterator(markers.begin()), std::make_move_iterator(markers.end()));
}

void Sampler::replace_tags(int64_t run_id, std::map<std::string, std::string> tags) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (sampling_done_ && !writer_thread_.joinable()) {
    lock.unlock();
    (void)store_.replace_tags(run_id, tags);
    return;
  }
  pending_tags_.emplace(run_id, std::move(tags));
}

double Sampler::store_busy_s() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return write_started_s_ > 0 ? unix_time_s() - write_started_s_ : 0;
}

UnstoredSamples Sampler::unstored() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return given_up_;
}

// Called with mutex_ held.
void Sampler::give_up_oldest(std::vector<SampleRecord>& waiting, size_t count, const std::string& reason) {
  count = std::min(count, waiting.size());
  if (count == 0) return;
  if (given_up_.samples == 0) {
    given_up_.first_tick = waiting.front().tick;
    given_up_.first_t_s = waiting.front().t_s;
  }
  given_up_.last_tick = std::max(given_up_.last_tick, waiting[count - 1].tick);
  given_up_.last_t_s = std::max(given_up_.last_t_s, waiting[count - 1].t_s);
  given_up_.reason = reason;
  given_up_.samples += static_cast<int64_t>(count);
  waiting.erase(waiting.begin(), waiting.begin() + static_cast<std::ptrdiff_t>(count));
}

// A batch the store refuses stays and goes with the next one: samples are given up only beyond
// max_unstored_samples, or when the store still refuses them at the end. Once the store refused
// a write, the rest of the flush waits for the next one: each write may wait out the store's
// bound (a lock held elsewhere), which would leave the samples further behind.
void Sampler::write_loop() {
  std::vector<SampleRecord> batch;  // what waits for the store, oldest first
  std::vector<MarkerRecord> markers;
  std::optional<std::pair<int64_t, std::map<std::string, std::string>>> tags;
  std::unique_lock<std::mutex> lock(mutex_);
  bool refusing = false;
  while (true) {
    wake_writer_.wait_for(lock, options_.flush_interval, [this] { return sampling_done_; });
    const bool last = sampling_done_;
    batch.insert(batch.end(), pending_.begin(), pending_.end());
    pending_.clear();
    markers.insert(markers.end(), std::make_move_iterator(pending_markers_.begin()), std::make_move_iterator(pending_markers_.end()));
    pending_markers_.clear();
    if (pending_tags_) tags = std::exchange(pending_tags_, std::nullopt);
    write_started_s_ = unix_time_s();
    lock.unlock();
    const Status samples_written = store_.append_samples(batch);
    // Markers refused stay for the next flush, as samples do (few: no bound needed); at the end
    // they are tried whatever became of the samples.
    Status markers_written = samples_written || last ? ok_status() : samples_written;
    if (!markers.empty() && (samples_written || last)) markers_written = store_.append_markers(markers);
    if (markers_written && samples_written) {
      // Tags restate what the markers hold: kept for the next flush, never reported.
      if (tags && store_.replace_tags(tags->first, tags->second)) tags.reset();
      // A failed heartbeat says nothing the failed batch does not; the next flush tries again.
      if (options_.heartbeat_run_id != 0) (void)store_.record_heartbeat(options_.heartbeat_run_id, unix_time_s());
    }
    lock.lock();
    write_started_s_ = 0;
    if (markers_written) markers.clear();
    if (samples_written) {
      live_.samples_stored += static_cast<int64_t>(batch.size());
      batch.clear();
    } else {
      const std::string& reason = samples_written.error().message;
      if (batch.size() > options_.max_unstored_samples) give_up_oldest(batch, batch.size() - options_.max_unstored_samples, reason);
      if (last) give_up_oldest(batch, batch.size(), reason);
    }
    const Status& written = samples_written ? markers_written : samples_written;
    if (written) {
      if (refusing) warnings_.push_back("run store: writing again; the samples kept meanwhile are stored");
      refusing = false;
      write_status_ = ok_status();
    } else {
      if (!refusing) {
        warnings_.push_back("run store: " + written.error().message + "; measuring goes on: samples wait in memory and are written when the store takes them again");
      }
      refusing = true;
      write_status_ = written;
    }
    if (last) {
      if (!markers.empty()) warnings_.push_back(std::to_string(markers.size()) + " markers could not be stored");
      return;
    }
  }
}

}  // namespace wattcast
