#pragma once
// The markers a training process sends to `wattcast measure` (through the Python helper in
// python/wattcast, or anything that writes the same JSON): one JSON object per datagram,
//
//   {"v": 1, "type": "epoch_begin", "epoch": 3, "t": 1718000000.25, "pid": 4242,
//    "trainable_params": 2100000, "total_params": 23500000}
//   {"v": 1, "type": "epoch_end", "epoch": 3, "metrics": {"val_f1": 0.97, "loss": null}, ...}
//   {"v": 1, "type": "phase_begin", "name": "validation", "epoch": 3, ...}
//   {"v": 1, "type": "phase_end", "name": "validation", ...}
//   {"v": 1, "type": "early_stopping", "name": "val_f1", "mode": "max", "min_gain_per_kj": 0.001}
//
// "v" and "type" are required; "epoch" (an integer >= 0) is required on epoch markers and
// optional on phases (the epoch the phase runs in); "name" (non-empty) is required on phases;
// "early_stopping" asks the monitor to apply energy-aware early stopping (src/project/
// early_stopping.h): "min_gain_per_kj" (a number) is required, "name" is the metric (default:
// the first reported) and "mode" is "max" (default) or "min";
// "t" (the sender's clock, Unix seconds), "pid", "rank" and "metrics" (numbers, or null for a
// value that was not finite) are optional; so are "trainable_params" and "total_params"
// (integers >= 0, the model's parameter counts as an epoch begins: a change is a phase switch).
// Unknown keys are ignored so later helpers can add
// fields without a new version.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace wattcast {

inline constexpr int kMarkerProtocolVersion = 1;
inline constexpr size_t kMaxMarkerBytes = 64 * 1024;

enum class MarkerType { kEpochBegin, kEpochEnd, kPhaseBegin, kPhaseEnd, kEarlyStopping };

const char* marker_type_name(MarkerType type);  // "epoch_begin", ...

struct Marker {
  MarkerType type = MarkerType::kEpochBegin;
  std::optional<int> epoch;
  std::string name;                       // phases only
  std::map<std::string, double> metrics;  // NaN where the sender had a non-finite value
  double received_at_s = 0;               // monitor's clock (CLOCK_REALTIME), when it was sent
  std::optional<double> sent_at_s;        // the sender's "t"
  std::optional<long long> pid;
  std::optional<int> rank;
  std::optional<double> min_gain_per_kj;  // early_stopping only
  bool lower_is_better = false;           // early_stopping: "mode": "min"
  std::optional<long long> trainable_params, total_params;  // epoch_begin: the phase signal

  bool operator==(const Marker&) const = default;
};

// Why a datagram was not taken as a marker.
enum class MarkerRejection {
  kMalformed,           // not JSON, not an object, a field of the wrong type or range
  kUnsupportedVersion,  // "v" is missing or not one this monitor speaks
  kUnknownType,         // well-formed, but a "type" this monitor does not know
  kOversized,           // longer than kMaxMarkerBytes (decided by the receiver)
};

const char* marker_rejection_name(MarkerRejection rejection);

struct RejectedMarker {
  MarkerRejection reason = MarkerRejection::kMalformed;
  std::string detail;  // for a diagnostic, e.g. "field 'epoch': must be an integer >= 0"
};

// `received_at_s` is stored in the marker as is. Never throws.
std::variant<Marker, RejectedMarker> parse_marker_message(std::string_view datagram, double received_at_s);

}  // namespace wattcast
