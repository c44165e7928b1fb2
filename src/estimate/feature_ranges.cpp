#include "estimate/feature_ranges.h"

#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

namespace wattcast {

FeatureRanges FeatureRanges::of(const std::vector<MeasuredRun>& runs) {
  FeatureRanges ranges;
  ranges.min_.fill(std::numeric_limits<double>::infinity());
  ranges.max_.fill(-std::numeric_limits<double>::infinity());
  for (const auto& run : runs) {
    const auto features = feature_vector(run.config);
    for (size_t i = 0; i < kFeatureCount; ++i) {
      ranges.min_[i] = std::min(ranges.min_[i], features[i]);
      ranges.max_[i] = std::max(ranges.max_[i], features[i]);
    }
  }
  return ranges;
}

std::vector<Extrapolation> FeatureRanges::outside(const TrainingConfig& config) const {
  std::vector<Extrapolation> found;
  const auto features = feature_vector(config);
  for (size_t i = 0; i < kFeatureCount; ++i) {
    if (features[i] < min_[i] || features[i] > max_[i]) found.push_back({kFeatureNames[i], features[i], min_[i], max_[i], ""});
  }
  return found;
}

nlohmann::json FeatureRanges::to_json() const {
  nlohmann::json json = nlohmann::json::object();
  for (size_t i = 0; i < kFeatureCount; ++i) json[kFeatureNames[i]] = {min_[i], max_[i]};
  return json;
}

Result<FeatureRanges> FeatureRanges::from_json(const nlohmann::json& json) {
  FeatureRanges ranges;
  try {
    for (size_t i = 0; i < kFeatureCount; ++i) {
      const auto pair = json.at(kFeatureNames[i]).get<std::array<double, 2>>();
      ranges.min_[i] = pair[0];
      ranges.max_[i] = pair[1];
    }
  } catch (const std::exception& e) {
    return Error{std::string("feature ranges: ") + e.what()};
  }
  return ranges;
}

}  // namespace wattcast
