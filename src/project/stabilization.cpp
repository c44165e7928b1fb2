#include "project/stabilization.h"

#include "project/fixed_epoch_detector.h"
#include "project/fluss_detector.h"
#include "project/online_detector.h"

namespace wattcast {

Result<std::unique_ptr<StabilizationDetector>> make_detector(std::string_view name) {
  if (name == "fixed") return std::unique_ptr<StabilizationDetector>(std::make_unique<FixedEpochDetector>());
  if (name == "online") return std::unique_ptr<StabilizationDetector>(std::make_unique<OnlineDetector>());
  if (name == "fluss") return std::unique_ptr<StabilizationDetector>(std::make_unique<FlussDetector>());
  return Error{"unknown detector '" + std::string(name) + "' (expected fixed, online or fluss)"};
}

}  // namespace wattcast
