#include "monitor/marker_message.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace wattcast {
namespace {

Marker accepted(const std::string& text) {
  auto parsed = parse_marker_message(text, 42.5);
  if (auto* rejected = std::get_if<RejectedMarker>(&parsed)) {
    ADD_FAILURE() << "rejected '" << text << "': " << rejected->detail;
    return {};
  }
  return std::get<Marker>(parsed);
}

MarkerRejection rejection(const std::string& text) {
  auto parsed = parse_marker_message(text, 0);
  if (std::holds_alternative<Marker>(parsed)) {
    ADD_FAILURE() << "accepted '" << text << "'";
    return MarkerRejection::kMalformed;
  }
  return std::get<RejectedMarker>(parsed).reason;
}

TEST(MarkerMessageTest, EpochEndWithEverything) {
  Marker marker = accepted(
      R"({"v":1,"type":"epoch_end","epoch":3,"t":1718000000.25,"pid":4242,"rank":0,)"
      R"("metrics":{"val_f1":0.97,"loss":null,"steps":100},"future_field":"ignored"})");
  EXPECT_EQ(marker.type, MarkerType::kEpochEnd);
  EXPECT_EQ(marker.epoch, 3);
  EXPECT_EQ(marker.sent_at_s, 1718000000.25);
  EXPECT_EQ(marker.received_at_s, 42.5);
  EXPECT_EQ(marker.pid, 4242);
  EXPECT_EQ(marker.rank, 0);
  ASSERT_EQ(marker.metrics.size(), 3u);
  EXPECT_DOUBLE_EQ(marker.metrics.at("val_f1"), 0.97);
  EXPECT_DOUBLE_EQ(marker.metrics.at("steps"), 100);
  EXPECT_TRUE(std::isnan(marker.metrics.at("loss")));  // a non-finite value at the sender
}

TEST(MarkerMessageTest, EpochBeginCarriesTheModelsParameterCounts) {
  Marker marker = accepted(R"({"v":1,"type":"epoch_begin","epoch":4,"trainable_params":23500000,"total_params":2.35e7})");
  EXPECT_EQ(marker.trainable_params, 23500000);
  EXPECT_EQ(marker.total_params, 23500000);
  EXPECT_FALSE(accepted(R"({"v":1,"type":"epoch_begin","epoch":1})").trainable_params.has_value());
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":1,"trainable_params":-1})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":1,"total_params":2.5})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":1,"total_params":"many"})"), MarkerRejection::kMalformed);
}

TEST(MarkerMessageTest, MinimalMarkersOfEachType) {
  EXPECT_EQ(accepted(R"({"v":1,"type":"epoch_begin","epoch":1})").type, MarkerType::kEpochBegin);
  Marker phase = accepted(R"({"v":1,"type":"phase_begin","name":"validation"})");
  EXPECT_EQ(phase.type, MarkerType::kPhaseBegin);
  EXPECT_EQ(phase.name, "validation");
  EXPECT_FALSE(phase.epoch.has_value());
  EXPECT_FALSE(phase.sent_at_s.has_value());
  EXPECT_EQ(accepted(R"({"v":1,"type":"phase_end","name":"validation","epoch":2})").epoch, 2);
  // Some JSON writers print every number as a float.
  EXPECT_EQ(accepted(R"({"v":1.0,"type":"epoch_end","epoch":4.0})").epoch, 4);
}

TEST(MarkerMessageTest, RejectsWhatIsNotAMarker) {
  EXPECT_EQ(rejection("not json"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(""), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection("[1,2]"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":-1})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":2.5})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":"2"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_begin","epoch":99999999999})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"phase_begin"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"phase_begin","name":""})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":7})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_end","epoch":1,"metrics":{"f1":"high"}})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_end","epoch":1,"metrics":[0.9]})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"epoch_end","epoch":1,"t":"now"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection("{\"v\":1,\"type\":\"phase_begin\",\"name\":\"\xff\xfe\"}"), MarkerRejection::kMalformed);
}

TEST(MarkerMessageTest, VersionAndTypeAreCheckedApart) {
  EXPECT_EQ(rejection(R"({"type":"epoch_begin","epoch":1})"), MarkerRejection::kUnsupportedVersion);
  EXPECT_EQ(rejection(R"({"v":2,"type":"epoch_begin","epoch":1})"), MarkerRejection::kUnsupportedVersion);
  EXPECT_EQ(rejection(R"({"v":"1","type":"epoch_begin","epoch":1})"), MarkerRejection::kUnsupportedVersion);
  EXPECT_EQ(rejection(R"({"v":1,"type":"batch_begin"})"), MarkerRejection::kUnknownType);
}

TEST(MarkerMessageTest, EarlyStoppingCarriesItsRule) {
  const Marker rule = accepted(R"({"v":1,"type":"early_stopping","name":"val_loss","mode":"min","min_gain_per_kj":0.002})");
  EXPECT_EQ(rule.type, MarkerType::kEarlyStopping);
  EXPECT_EQ(rule.name, "val_loss");
  EXPECT_TRUE(rule.lower_is_better);
  EXPECT_DOUBLE_EQ(*rule.min_gain_per_kj, 0.002);
  EXPECT_FALSE(accepted(R"({"v":1,"type":"early_stopping","min_gain_per_kj":1})").lower_is_better);
  EXPECT_EQ(rejection(R"({"v":1,"type":"early_stopping"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"early_stopping","min_gain_per_kj":"1"})"), MarkerRejection::kMalformed);
  EXPECT_EQ(rejection(R"({"v":1,"type":"early_stopping","min_gain_per_kj":1,"mode":"up"})"), MarkerRejection::kMalformed);
}

TEST(MarkerMessageTest, OversizedIsRejectedBeforeParsing) {
  std::string big = R"({"v":1,"type":"phase_begin","name":")" + std::string(kMaxMarkerBytes, 'x') + "\"}";
  EXPECT_EQ(rejection(big), MarkerRejection::kOversized);
}

}  // namespace
}  // namespace wattcast
