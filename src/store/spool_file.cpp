#include "store/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace wattcast {

namespace {

using nlohmann::json;

constexpr int kSpoolFormat = 1;

json number_or_null(const std::optional<double>& v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }

std::optional<double> optional_number(const json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

json to_json(const SpoolRecord& record) {
  switch (record.kind) {
    case SpoolRecord::Kind::kSamples: {
      // Arrays, not objects: a spool of a long outage holds millions of samples.
      json rows = json::array();
      for (const auto& s : record.samples) {
        const Reading& r = s.reading;
        rows.push_back(json::array({s.device_id, s.tick, s.t_s, number_or_null(r.power_w), number_or_null(r.energy_j),
                                    number_or_null(r.utilization_pct), number_or_null(r.memory_used_bytes), number_or_null(r.temperature_c),
                                    number_or_null(r.sm_clock_mhz), number_or_null(r.power_limit_w), number_or_null(r.cpu_time_s),
                                    number_or_null(r.rss_bytes)}));
      }
      return json{{"samples", rows}};
    }
    case SpoolRecord::Kind::kMarkers: {
      json markers = json::array();
      for (const auto& m : record.markers) {
        markers.push_back(json{{"run_id", m.run_id}, {"t_s", m.t_s}, {"type", m.type}, {"epoch", m.epoch},
                               {"name", m.name}, {"metrics", m.metrics}, {"source", m.source}});
      }
      return json{{"markers", markers}};
    }
    case SpoolRecord::Kind::kFinish:
      return json{{"finish", json{{"run_id", record.run_id},
                                  {"end_s", record.end_s},
                                  {"exit_code", record.exit_code ? json(*record.exit_code) : json(nullptr)},
                                  {"end_reason", record.end_reason}}}};
  }
  return json();
}

// Throws json exceptions on a malformed record; read_spool turns them into file:line errors.
SpoolRecord from_json(const json& line) {
  SpoolRecord record;
  if (line.contains("samples")) {
    record.kind = SpoolRecord::Kind::kSamples;
    for (const auto& row : line.at("samples")) {
      if (!row.is_array() || row.size() != 12) throw std::runtime_error("a sample must be an array of 12 values");
      SampleRecord s;
      s.device_id = row.at(0).get<int64_t>();
      s.tick = row.at(1).get<int64_t>();
      s.t_s = row.at(2).get<double>();
      s.reading.power_w = optional_number(row.at(3)).value_or(std::nan(""));
      s.reading.energy_j = optional_number(row.at(4));
      s.reading.utilization_pct = optional_number(row.at(5));
      s.reading.memory_used_bytes = optional_number(row.at(6));
      s.reading.temperature_c = optional_number(row.at(7));
      s.reading.sm_clock_mhz = optional_number(row.at(8));
      s.reading.power_limit_w = optional_number(row.at(9));
      s.reading.cpu_time_s = optional_number(row.at(10));
      s.reading.rss_bytes = optional_number(row.at(11));
      record.samples.push_back(s);
    }
  } else if (line.contains("markers")) {
    record.kind = SpoolRecord::Kind::kMarkers;
    for (const auto& m : line.at("markers")) {
      MarkerRecord marker;
      marker.run_id = m.at("run_id").get<int64_t>();
      marker.t_s = m.at("t_s").get<double>();
      marker.type = m.at("type").get<std::string>();
      marker.epoch = m.at("epoch").get<int>();
      marker.name = m.at("name").get<std::string>();
      marker.metrics = m.at("metrics").get<std::map<std::string, double>>();
      marker.source = m.at("source").get<std::string>();
      record.markers.push_back(std::move(marker));
    }
  } else if (line.contains("finish")) {
    const json& f = line.at("finish");
    record.kind = SpoolRecord::Kind::kFinish;
    record.run_id = f.at("run_id").get<int64_t>();
    record.end_s = f.at("end_s").get<double>();
    if (!f.at("exit_code").is_null()) record.exit_code = f.at("exit_code").get<int>();
    record.end_reason = f.at("end_reason").get<std::string>();
  } else {
    throw std::runtime_error("expected samples, markers or finish");
  }
  return record;
}

Status sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error{folder + ": " + std::strerror(errno)};
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Error{folder + ": cannot sync: " + std::strerror(errno)};
  return ok_status();
}

}  // namespace

std::string default_spool_dir() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state) return std::string(state) + "/wattcast/spool";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.local/state/wattcast/spool";
  return "wattcast-spool";
}

Result<SpoolWriter> SpoolWriter::create(const std::string& path, const std::string& store, int64_t run_id) {
  namespace fs = std::filesystem;
  const std::string folder = fs::path(path).parent_path().string();
  std::error_code ec;
  if (!folder.empty()) fs::create_directories(folder, ec);
  if (ec) return Error{folder + ": cannot create the spool folder: " + ec.message()};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{path + ": cannot create the spool: " + std::strerror(errno)};
  SpoolWriter writer(path, fd);
  const json header{{"wattcast_spool", kSpoolFormat}, {"store", store}, {"run_id", run_id}};
  if (auto written = writer.append_line(header.dump()); !written) return written.error();
  // The file's name must survive a crash too, not only its content.
  if (auto synced = sync_folder(folder.empty() ? "." : folder); !synced) return synced.error();
  return writer;
}

SpoolWriter::SpoolWriter(SpoolWriter&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) { other.fd_ = -1; }

SpoolWriter& SpoolWriter::operator=(SpoolWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SpoolWriter::~SpoolWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status SpoolWriter::append(const SpoolRecord& record) { return append_line(to_json(record).dump()); }

Status SpoolWriter::append_line(const std::string& line) {
  const off_t before = ::lseek(fd_, 0, SEEK_END);
  const std::string text = line + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      // A half line would read as a torn tail and hide every write after it.
      if (before >= 0 && ::ftruncate(fd_, before) != 0) return Error{path_ + ": cannot write the spool (" + why + ") nor undo the partial line"};
      return Error{path_ + ": cannot write the spool: " + why};
    }
    done += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return Error{path_ + ": cannot sync the spool: " + std::strerror(errno)};
  return ok_status();
}

Result<SpoolContents> read_spool(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read the spool: " + std::strerror(errno)};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  SpoolContents contents;
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    ++line_number;
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      contents.torn_tail = true;
      break;
    }
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    const json parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return Error{where + "not a JSON object"};
    try {
      if (line_number == 1) {
        if (!parsed.contains("wattcast_spool")) return Error{where + "not a wattcast spool (no header)"};
        if (parsed.at("wattcast_spool").get<int>() > kSpoolFormat) return Error{where + "written by a newer wattcast; upgrade wattcast"};
        contents.store = parsed.at("store").get<std::string>();
        contents.run_id = parsed.at("run_id").get<int64_t>();
        continue;
      }
      contents.records.push_back(from_json(parsed));
    } catch (const std::exception& e) {
      return Error{where + e.what()};
    }
  }
  if (line_number == 0 || (line_number == 1 && contents.torn_tail)) return Error{path + ": empty spool (no header)"};
  return contents;
}

ReplayProgress replay_spool_records(const std::vector<SpoolRecord>& records, size_t from, RemoteStore& store) {
  ReplayProgress progress{from, ok_status()};
  for (; progress.next < records.size(); ++progress.next) {
    const SpoolRecord& r = records[progress.next];
    switch (r.kind) {
      case SpoolRecord::Kind::kSamples:
        progress.status = store.replay_samples(r.samples);
        break;
      case SpoolRecord::Kind::kMarkers:
        progress.status = store.replay_markers(r.markers);
        break;
      case SpoolRecord::Kind::kFinish:
        progress.status = store.finish_run(r.run_id, r.end_s, r.exit_code, r.end_reason);
        break;
    }
    if (!progress.status) return progress;
  }
  return progress;
}

}  // namespace wattcast
