#include "monitor/marker_client.h"

#include <gtest/gtest.h>

#include <cmath>

#include "monitor/marker_server.h"

namespace wattcast {
namespace {

TEST(MarkerClientTest, SendsEpochsPhasesAndMetricsTheServerUnderstands) {
  auto server = MarkerServer::create();
  ASSERT_TRUE(server.ok()) << server.error().message;
  MarkerClient client(server->socket_path());
  ASSERT_TRUE(client.enabled());
  client.epoch_begin(1);
  {
    auto validation = client.phase("validation");
  }
  client.epoch_end(1, {{"val_f1", 0.91}, {"bad", std::nan("")}});
  auto markers = server->drain();
  ASSERT_TRUE(markers.ok());
  ASSERT_EQ(markers->size(), 4u);
  EXPECT_EQ((*markers)[0].type, MarkerType::kEpochBegin);
  EXPECT_EQ(*(*markers)[0].epoch, 1);
  EXPECT_EQ((*markers)[1].type, MarkerType::kPhaseBegin);
  EXPECT_EQ((*markers)[1].name, "validation");
  EXPECT_EQ((*markers)[2].type, MarkerType::kPhaseEnd);
  EXPECT_EQ((*markers)[3].type, MarkerType::kEpochEnd);
  EXPECT_DOUBLE_EQ((*markers)[3].metrics.at("val_f1"), 0.91);
  EXPECT_TRUE(std::isnan((*markers)[3].metrics.at("bad")));
  EXPECT_EQ(server->counters().rejected(), 0u);
}

TEST(MarkerClientTest, StopRequestIsVisible) {
  auto server = std::move(MarkerServer::create()).value();
  MarkerClient client(server.socket_path());
  EXPECT_FALSE(client.should_stop());
  ASSERT_TRUE(server.request_stop().ok());
  EXPECT_TRUE(client.should_stop());
}

TEST(MarkerClientTest, OutsideMeasureEverythingIsANoOp) {
  MarkerClient client(std::nullopt);
  EXPECT_FALSE(client.enabled());
  client.epoch_begin(1);
  client.epoch_end(1, {{"x", 1}});
  EXPECT_FALSE(client.should_stop());
}

TEST(MarkerClientTest, VanishedMonitorDoesNotFail) {
  std::string path;
  {
    auto server = std::move(MarkerServer::create()).value();
    path = server.socket_path();
  }
  MarkerClient client(path);
  client.epoch_begin(1);  // nothing listens: dropped, no crash, no exception
  SUCCEED();
}

}  // namespace
}  // namespace wattcast
