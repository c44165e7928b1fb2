#pragma once
// A spool: the writes a monitor could not deliver to its shared store while the server was away,
// kept in a local file until they can be. One JSON line per write, in the order they were made;
// the first line names the store and the run. Append-only and synced after every line, so a
// write the monitor accepted survives the monitor (or the machine) going down next.

#include <optional>
#include <string>
#include <vector>

#include "store/remote_store.h"

namespace wattcast {

struct SpoolRecord {
  enum class Kind { kSamples, kMarkers, kFinish };
  Kind kind = Kind::kSamples;
  std::vector<SampleRecord> samples;  // kSamples
  std::vector<MarkerRecord> markers;  // kMarkers
  // kFinish
  int64_t run_id = 0;
  double end_s = 0;
  std::optional<int> exit_code;
  std::string end_reason;
};

struct SpoolContents {
  std::string store;  // as the header names it, password masked
  int64_t run_id = 0;
  std::vector<SpoolRecord> records;
  // The last line was cut short: the monitor died while writing it, before it accepted the write.
  bool torn_tail = false;
};

// $XDG_STATE_HOME/wattcast/spool, else ~/.local/state/wattcast/spool.
std::string default_spool_dir();

class SpoolWriter {
 public:
  // Creates the file (and its folders) and writes the header; fails if the file exists.
  static Result<SpoolWriter> create(const std::string& path, const std::string& store, int64_t run_id);
  SpoolWriter(SpoolWriter&& other) noexcept;
  SpoolWriter& operator=(SpoolWriter&& other) noexcept;
  SpoolWriter(const SpoolWriter&) = delete;
  SpoolWriter& operator=(const SpoolWriter&) = delete;
  ~SpoolWriter();

  // Returns once the record is on disk; a failed append leaves the file as it was.
  Status append(const SpoolRecord& record);
  const std::string& path() const { return path_; }

 private:
  SpoolWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status append_line(const std::string& line);
  std::string path_;
  int fd_ = -1;
};

// Errors name the file and line.
Result<SpoolContents> read_spool(const std::string& path);

// Delivers records[from..] in order; a batch already stored (its commit was cut off before the
// acknowledgement) is not stored twice. Returns the index of the first record not delivered
// (records.size() when all were), with the error that stopped it.
struct ReplayProgress {
  size_t next = 0;
  Status status = ok_status();
};
ReplayProgress replay_spool_records(const std::vector<SpoolRecord>& records, size_t from, RemoteStore& store);

}  // namespace wattcast
