#include "monitor/marker_message.h"

#include <climits>
#include <cmath>
#include <exception>
#include <limits>

#include <nlohmann/json.hpp>

namespace wattcast {

namespace {

using nlohmann::json;

RejectedMarker malformed(std::string detail) { return RejectedMarker{MarkerRejection::kMalformed, std::move(detail)}; }

std::optional<MarkerType> marker_type_from_name(const std::string& name) {
  if (name == "epoch_begin") return MarkerType::kEpochBegin;
  if (name == "epoch_end") return MarkerType::kEpochEnd;
  if (name == "phase_begin") return MarkerType::kPhaseBegin;
  if (name == "phase_end") return MarkerType::kPhaseEnd;
  if (name == "early_stopping") return MarkerType::kEarlyStopping;
  return std::nullopt;
}

bool is_epoch_marker(MarkerType type) { return type == MarkerType::kEpochBegin || type == MarkerType::kEpochEnd; }
bool is_phase_marker(MarkerType type) { return type == MarkerType::kPhaseBegin || type == MarkerType::kPhaseEnd; }

// An integer in [min, max], accepting 3.0 but not 3.5: JSON writers differ on integral floats.
std::optional<long long> integer_in_range(const json& value, long long min, long long max) {
  if (value.is_number_unsigned()) {
    auto unsigned_value = value.get<unsigned long long>();
    if (unsigned_value > static_cast<unsigned long long>(max)) return std::nullopt;
    auto as_signed = static_cast<long long>(unsigned_value);
    return as_signed >= min ? std::optional<long long>(as_signed) : std::nullopt;
  }
  if (value.is_number_integer()) {
    auto signed_value = value.get<long long>();
    if (signed_value < min || signed_value > max) return std::nullopt;
    return signed_value;
  }
  if (!value.is_number_float()) return std::nullopt;
  const double as_double = value.get<double>();
  if (!std::isfinite(as_double) || std::trunc(as_double) != as_double) return std::nullopt;
  // 9e18 keeps the cast below in range where `max` is LLONG_MAX (not exact as a double).
  if (as_double < static_cast<double>(min) || as_double > static_cast<double>(max) || as_double > 9e18) {
    return std::nullopt;
  }
  return static_cast<long long>(as_double);
}

std::variant<Marker, RejectedMarker> parse_object(const json& message, double received_at_s) {
  if (!message.is_object()) return malformed("not a JSON object");

  auto version = message.find("v");
  if (version == message.end() || integer_in_range(*version, 0, INT_MAX) != kMarkerProtocolVersion) {
    return RejectedMarker{MarkerRejection::kUnsupportedVersion,
                          version == message.end() ? "no protocol version 'v'"
                                                   : "protocol version " + version->dump() + " (this monitor speaks 1)"};
  }

  auto type_field = message.find("type");
  if (type_field == message.end() || !type_field->is_string()) return malformed("field 'type': must be a string");
  auto type = marker_type_from_name(type_field->get<std::string>());
  if (!type) return RejectedMarker{MarkerRejection::kUnknownType, "type '" + type_field->get<std::string>() + "'"};

  Marker marker;
  marker.type = *type;
  marker.received_at_s = received_at_s;

  auto epoch = message.find("epoch");
  if (epoch != message.end() && !epoch->is_null()) {
    auto value = integer_in_range(*epoch, 0, INT_MAX);
    if (!value) return malformed("field 'epoch': must be an integer >= 0");
    marker.epoch = static_cast<int>(*value);
  } else if (is_epoch_marker(*type)) {
    return malformed("field 'epoch': required on epoch markers");
  }

  auto name = message.find("name");
  if (name != message.end() && !name->is_null()) {
    if (!name->is_string()) return malformed("field 'name': must be a string");
    marker.name = name->get<std::string>();
  }
  if (is_phase_marker(*type) && marker.name.empty()) return malformed("field 'name': required on phase markers");

  if (*type == MarkerType::kEarlyStopping) {
    auto gain = message.find("min_gain_per_kj");
    if (gain == message.end() || !gain->is_number() || !std::isfinite(gain->get<double>())) {
      return malformed("field 'min_gain_per_kj': required on early_stopping, a number");
    }
    marker.min_gain_per_kj = gain->get<double>();
    auto mode = message.find("mode");
    if (mode != message.end() && !mode->is_null()) {
      if (!mode->is_string() || (mode->get<std::string>() != "max" && mode->get<std::string>() != "min")) {
        return malformed("field 'mode': must be \"max\" or \"min\"");
      }
      marker.lower_is_better = mode->get<std::string>() == "min";
    }
  }

  auto sent_at = message.find("t");
  if (sent_at != message.end() && !sent_at->is_null()) {
    if (!sent_at->is_number()) return malformed("field 't': must be a number");
    marker.sent_at_s = sent_at->get<double>();
  }

  auto pid = message.find("pid");
  if (pid != message.end() && !pid->is_null()) {
    auto value = integer_in_range(*pid, 0, std::numeric_limits<long long>::max());
    if (!value) return malformed("field 'pid': must be an integer >= 0");
    marker.pid = *value;
  }

  // The phase signal (src/project/phase_signal.h): counts above 2^53 would not survive as
  // doubles in the store, and no model has that many parameters.
  for (const char* field : {"trainable_params", "total_params"}) {
    auto count = message.find(field);
    if (count == message.end() || count->is_null()) continue;
    auto value = integer_in_range(*count, 0, 1LL << 53);
    if (!value) return malformed(std::string("field '") + field + "': must be an integer >= 0");
    (std::string(field) == "trainable_params" ? marker.trainable_params : marker.total_params) = *value;
  }

  auto rank = message.find("rank");
  if (rank != message.end() && !rank->is_null()) {
    auto value = integer_in_range(*rank, 0, INT_MAX);
    if (!value) return malformed("field 'rank': must be an integer >= 0");
    marker.rank = static_cast<int>(*value);
  }

  auto metrics = message.find("metrics");
  if (metrics != message.end() && !metrics->is_null()) {
    if (!metrics->is_object()) return malformed("field 'metrics': must be an object");
    for (const auto& [metric, value] : metrics->items()) {
      if (value.is_null()) {
        marker.metrics[metric] = std::numeric_limits<double>::quiet_NaN();
      } else if (value.is_number()) {
        marker.metrics[metric] = value.get<double>();
      } else {
        return malformed("metric '" + metric + "': must be a number or null");
      }
    }
  }
  return marker;
}

}  // namespace

const char* marker_type_name(MarkerType type) {
  switch (type) {
    case MarkerType::kEpochBegin: return "epoch_begin";
    case MarkerType::kEpochEnd: return "epoch_end";
    case MarkerType::kPhaseBegin: return "phase_begin";
    case MarkerType::kPhaseEnd: return "phase_end";
    case MarkerType::kEarlyStopping: return "early_stopping";
  }
  return "?";
}

const char* marker_rejection_name(MarkerRejection rejection) {
  switch (rejection) {
    case MarkerRejection::kMalformed: return "malformed";
    case MarkerRejection::kUnsupportedVersion: return "unsupported version";
    case MarkerRejection::kUnknownType: return "unknown type";
    case MarkerRejection::kOversized: return "oversized";
  }
  return "?";
}

std::variant<Marker, RejectedMarker> parse_marker_message(std::string_view datagram, double received_at_s) {
  if (datagram.size() > kMaxMarkerBytes) {
    return RejectedMarker{MarkerRejection::kOversized, std::to_string(datagram.size()) + " bytes"};
  }
  // The sender is untrusted input: parse without exceptions, and keep any that a malformed
  // document still raises (invalid UTF-8 in a key, ...) inside this module.
  try {
    json message = json::parse(datagram.begin(), datagram.end(), nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) return malformed("not valid JSON");
    return parse_object(message, received_at_s);
  } catch (const std::exception& error) {
    return malformed(error.what());
  }
}

}  // namespace wattcast
