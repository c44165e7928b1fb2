#include "monitor/marker_server.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "fakes/temp_tree.h"
#include "test_paths.h"

extern char** environ;

namespace wattcast {
namespace {

namespace fs = std::filesystem;

double realtime_s() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A sender in the test process, as the helper would be in the training process.
class TestSender {
 public:
  TestSender() : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    int buffer_bytes = 1 << 20;  // room for the oversized datagram
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof(buffer_bytes));
  }
  ~TestSender() { ::close(fd_); }

  // Never blocks: a full queue fails the test instead of hanging it.
  bool send(const std::string& path, const std::string& datagram) const {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    ssize_t sent = ::sendto(fd_, datagram.data(), datagram.size(), MSG_DONTWAIT,
                            reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    if (sent != static_cast<ssize_t>(datagram.size())) ADD_FAILURE() << "sendto: " << std::strerror(errno);
    return sent == static_cast<ssize_t>(datagram.size());
  }

 private:
  int fd_;
};

MarkerServer make_server() {
  auto server = MarkerServer::create();
  if (!server.ok()) {
    ADD_FAILURE() << server.error().message;
    std::abort();
  }
  return std::move(server).value();
}

std::vector<Marker> drained(MarkerServer& server) {
  auto markers = server.drain();
  EXPECT_TRUE(markers.ok()) << markers.error().message;
  return markers.ok() ? *markers : std::vector<Marker>{};
}

TEST(MarkerServerTest, SocketLivesInAPrivateDirectory) {
  MarkerServer server = make_server();
  struct stat directory {};
  ASSERT_EQ(::stat(server.directory().c_str(), &directory), 0);
  EXPECT_TRUE(S_ISDIR(directory.st_mode));
  EXPECT_EQ(directory.st_mode & 07777, 0700u);

  struct stat socket_file {};
  ASSERT_EQ(::stat(server.socket_path().c_str(), &socket_file), 0);
  EXPECT_TRUE(S_ISSOCK(socket_file.st_mode));
  EXPECT_EQ(fs::path(server.socket_path()).parent_path(), fs::path(server.directory()));
  EXPECT_EQ(fs::path(server.stop_file_path()).parent_path(), fs::path(server.directory()));
  EXPECT_FALSE(fs::exists(server.stop_file_path()));
  EXPECT_GE(server.descriptor(), 0);
}

TEST(MarkerServerTest, ParentDirectoryCanBeChosen) {
  const fs::path parent = fs::temp_directory_path() / "wattcast_marker_parent_test";
  fs::remove_all(parent);
  fs::create_directories(parent);
  {
    auto server = MarkerServer::create(parent.string());
    ASSERT_TRUE(server.ok()) << server.error().message;
    EXPECT_EQ(fs::path(server->directory()).parent_path(), parent);
  }
  EXPECT_TRUE(fs::is_empty(parent));
  fs::remove_all(parent);

  auto too_long = MarkerServer::create("/tmp/" + std::string(120, 'd'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("too long"), std::string::npos);
  auto missing = MarkerServer::create("/nonexistent-wattcast-parent");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent-wattcast-parent"), std::string::npos);
}

// A monitor killed with SIGKILL leaves its directory and socket; the next monitor removes them,
// and leaves a live monitor's alone.
TEST(MarkerServerTest, TheNextServerRemovesWhatADeadOneLeft) {
  testing::TempTree parent;
  auto live = MarkerServer::create(parent.root());
  ASSERT_TRUE(live.ok()) << live.error().message;
  // What a killed monitor leaves: the directory and a bound socket nobody serves any more.
  const std::string dead = parent.path("wattcast-DEAD01");
  fs::create_directories(dead);
  {
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string socket_path = dead + "/marker.sock";
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
    ::close(fd);
  }
  parent.write("wattcast-OTHER1/notes.txt", "not a monitor's");
  auto next = MarkerServer::create(parent.root());
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live->socket_path()));
  EXPECT_TRUE(fs::exists(parent.path("wattcast-OTHER1/notes.txt")));
}

TEST(MarkerServerTest, DrainsQueuedMarkersInOrderWithoutBlocking) {
  MarkerServer server = make_server();
  EXPECT_TRUE(drained(server).empty());

  TestSender sender;
  const double before_s = realtime_s();
  ASSERT_TRUE(sender.send(server.socket_path(), R"({"v":1,"type":"epoch_begin","epoch":1,"t":1000.5,"pid":77})"));
  ASSERT_TRUE(sender.send(server.socket_path(), R"({"v":1,"type":"phase_begin","name":"validation","epoch":1})"));
  ASSERT_TRUE(sender.send(server.socket_path(), R"({"v":1,"type":"epoch_end","epoch":1,"metrics":{"val_f1":0.97}})"));
  const double after_s = realtime_s();

  auto markers = drained(server);
  ASSERT_EQ(markers.size(), 3u);
  EXPECT_EQ(markers[0].type, MarkerType::kEpochBegin);
  EXPECT_EQ(markers[0].epoch, 1);
  EXPECT_EQ(markers[0].sent_at_s, 1000.5);
  EXPECT_EQ(markers[0].pid, 77);
  EXPECT_EQ(markers[1].type, MarkerType::kPhaseBegin);
  EXPECT_EQ(markers[1].name, "validation");
  EXPECT_EQ(markers[2].type, MarkerType::kEpochEnd);
  EXPECT_EQ(markers[2].metrics, (std::map<std::string, double>{{"val_f1", 0.97}}));
  // Stamped when sent (by the kernel), not when drained.
  for (const Marker& marker : markers) {
    EXPECT_GE(marker.received_at_s, before_s);
    EXPECT_LE(marker.received_at_s, after_s);
  }
  EXPECT_EQ(server.counters().accepted, 3u);
  EXPECT_EQ(server.counters().rejected(), 0u);
  EXPECT_TRUE(drained(server).empty());
}

TEST(MarkerServerTest, PollReturnsWhatIsQueuedAndTimesOutWhenEmpty) {
  MarkerServer server = make_server();
  auto nothing = server.poll(std::chrono::milliseconds(0));
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());

  TestSender sender;
  ASSERT_TRUE(sender.send(server.socket_path(), R"({"v":1,"type":"epoch_begin","epoch":5})"));
  auto markers = server.poll(std::chrono::milliseconds(10000));  // returns as soon as it is readable
  ASSERT_TRUE(markers.ok());
  ASSERT_EQ(markers->size(), 1u);
  EXPECT_EQ((*markers)[0].epoch, 5);
}

TEST(MarkerServerTest, BadDatagramsAreDroppedAndCounted) {
  MarkerServer server = make_server();
  TestSender sender;
  const std::string& path = server.socket_path();
  ASSERT_TRUE(sender.send(path, "not json at all"));
  ASSERT_TRUE(sender.send(path, R"({"v":1,"type":"epoch_begin","epoch":"one"})"));
  ASSERT_TRUE(sender.send(path, R"({"v":99,"type":"epoch_begin","epoch":1})"));
  ASSERT_TRUE(sender.send(path, R"({"v":1,"type":"teleport","epoch":1})"));
  ASSERT_TRUE(sender.send(path, R"({"v":1,"type":"phase_begin","name":")" + std::string(70000, 'x') + "\"}"));
  ASSERT_TRUE(sender.send(path, R"({"v":1,"type":"epoch_begin","epoch":2})"));

  auto markers = drained(server);
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].epoch, 2);
  const MarkerCounters& counts = server.counters();
  EXPECT_EQ(counts.accepted, 1u);
  EXPECT_EQ(counts.malformed, 2u);
  EXPECT_EQ(counts.unsupported_version, 1u);
  EXPECT_EQ(counts.unknown_type, 1u);
  EXPECT_EQ(counts.oversized, 1u);
  EXPECT_EQ(counts.rejected(), 5u);
  ASSERT_TRUE(server.last_rejection().has_value());
  EXPECT_NE(server.last_rejection()->find("oversized"), std::string::npos);
}

TEST(MarkerServerTest, DatagramOfExactlyTheLimitIsAccepted) {
  MarkerServer server = make_server();
  std::string message = R"({"v":1,"type":"phase_begin","name":"p"})";
  message += std::string(kMaxMarkerBytes - message.size(), ' ');  // JSON allows trailing space
  ASSERT_EQ(message.size(), kMaxMarkerBytes);
  TestSender sender;
  ASSERT_TRUE(sender.send(server.socket_path(), message));
  EXPECT_EQ(drained(server).size(), 1u);
  EXPECT_EQ(server.counters().oversized, 0u);
}

TEST(MarkerServerTest, RequestStopCreatesTheStopFile) {
  MarkerServer server = make_server();
  EXPECT_FALSE(server.stop_requested());
  ASSERT_TRUE(server.request_stop().ok());
  EXPECT_TRUE(server.stop_requested());
  EXPECT_TRUE(fs::exists(server.stop_file_path()));
  EXPECT_TRUE(server.request_stop().ok());  // idempotent
}

TEST(MarkerServerTest, DestructionRemovesSocketStopFileAndDirectory) {
  std::string directory;
  {
    MarkerServer server = make_server();
    directory = server.directory();
    ASSERT_TRUE(server.request_stop().ok());
  }
  EXPECT_FALSE(fs::exists(directory));
}

TEST(MarkerServerTest, AMovedServerIsCleanedUpOnceByItsNewOwner) {
  std::string directory;
  {
    MarkerServer first = make_server();
    directory = first.directory();
    MarkerServer second = std::move(first);
    EXPECT_EQ(second.directory(), directory);
    {
      MarkerServer sink = make_server();
      sink = std::move(second);  // sink's own directory goes now
      EXPECT_TRUE(fs::exists(directory));
    }
    EXPECT_FALSE(fs::exists(directory));
  }
}

// ---- The Python helper, from a real python3 child --------------------------------------------

std::optional<std::string> find_python3() {
  if (::access("/usr/bin/python3", X_OK) == 0) return std::string("/usr/bin/python3");
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string entries(path);
  size_t start = 0;
  while (start <= entries.size()) {
    size_t end = entries.find(':', start);
    std::string candidate = entries.substr(start, end - start) + "/python3";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return std::nullopt;
}

struct PythonRun {
  pid_t pid = -1;
  int exit_code = -1;
};

// Runs `script` with the repository's helper on PYTHONPATH and, when given, WATTCAST_SOCKET, and
// waits for it to exit.
PythonRun run_python(const std::string& python, const std::string& script, const std::optional<std::string>& socket) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (text.starts_with("WATTCAST_SOCKET=") || text.starts_with("PYTHONPATH=")) continue;
    env.emplace_back(text);
  }
  env.push_back("PYTHONPATH=" + testing::source_dir() + "/python");
  env.push_back("PYTHONDONTWRITEBYTECODE=1");  // keep the source tree clean
  if (socket) env.push_back(std::string(kMarkerSocketEnv) + "=" + *socket);
  std::vector<char*> envp;
  for (auto& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);

  std::string program = python, flag = "-c", code = script;
  std::vector<char*> argv = {program.data(), flag.data(), code.data(), nullptr};
  PythonRun run;
  if (::posix_spawn(&run.pid, program.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return run;
  int status = 0;
  while (::waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

class PythonHelperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto found = find_python3();
    if (!found) GTEST_SKIP() << "python3 not found";
    python_ = *found;
  }
  std::string python_;
};

TEST_F(PythonHelperTest, MarkersFromATrainingScriptArriveInOrder) {
  MarkerServer server = make_server();
  const std::string script = R"(
import wattcast
assert wattcast.enabled()
assert not wattcast.should_stop()
for epoch in range(3):
    wattcast.epoch_begin()
    if epoch == 1:
        with wattcast.phase("validation"):
            pass
    wattcast.epoch_end(metrics={"val_f1": 0.9 + epoch / 100, "loss": float("nan"), "note": "not a number"})
)";
  const double before_s = realtime_s();
  PythonRun run = run_python(python_, script, server.socket_path());
  ASSERT_EQ(run.exit_code, 0);

  // The child has exited; everything it sent is already queued in the socket.
  auto markers = drained(server);
  struct Expected {
    MarkerType type;
    std::optional<int> epoch;
    std::string name;
  };
  const std::vector<Expected> expected = {
      {MarkerType::kEpochBegin, 1, ""},          {MarkerType::kEpochEnd, 1, ""},
      {MarkerType::kEpochBegin, 2, ""},          {MarkerType::kPhaseBegin, 2, "validation"},
      {MarkerType::kPhaseEnd, 2, "validation"},  {MarkerType::kEpochEnd, 2, ""},
      {MarkerType::kEpochBegin, 3, ""},          {MarkerType::kEpochEnd, 3, ""},
  };
  ASSERT_EQ(markers.size(), expected.size());
  double previous_s = before_s;
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("marker " + std::to_string(i));
    EXPECT_EQ(markers[i].type, expected[i].type);
    EXPECT_EQ(markers[i].epoch, expected[i].epoch);
    EXPECT_EQ(markers[i].name, expected[i].name);
    EXPECT_EQ(markers[i].pid, run.pid);
    ASSERT_TRUE(markers[i].sent_at_s.has_value());
    EXPECT_GE(markers[i].received_at_s, previous_s);
    previous_s = markers[i].received_at_s;
  }
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const Marker& end = markers[epoch == 1 ? 1 : epoch == 2 ? 5 : 7];
    ASSERT_EQ(end.metrics.size(), 2u);  // the text metric is left out
    EXPECT_DOUBLE_EQ(end.metrics.at("val_f1"), 0.9 + (epoch - 1) / 100.0);
    EXPECT_TRUE(std::isnan(end.metrics.at("loss")));
  }
  EXPECT_EQ(server.counters().rejected(), 0u);
}

TEST_F(PythonHelperTest, ScriptSeesTheStopRequest) {
  MarkerServer server = make_server();
  const std::string script = "import sys, wattcast\nsys.exit(0 if wattcast.should_stop() else 3)\n";
  EXPECT_EQ(run_python(python_, script, server.socket_path()).exit_code, 3);
  ASSERT_TRUE(server.request_stop().ok());
  EXPECT_EQ(run_python(python_, script, server.socket_path()).exit_code, 0);
}

TEST_F(PythonHelperTest, OutsideMeasureEveryCallIsANoOpWithoutASocket) {
  const std::string script = R"(
import socket, sys
def refuse(*args, **kwargs):
    raise AssertionError("wattcast made a socket outside wattcast measure")
socket.socket = refuse
import wattcast
assert not wattcast.enabled()
wattcast.configure(sync=True)
wattcast.epoch_begin()
with wattcast.phase("validation"):
    pass
wattcast.epoch_end(metrics={"val_f1": 0.97})
wattcast.epoch_begin(7, sync=False)
wattcast.epoch_end()
assert wattcast.should_stop() is False
for framework in ("torch", "jax", "keras", "tensorflow", "lightning", "pytorch_lightning", "transformers"):
    assert framework not in sys.modules, framework
)";
  EXPECT_EQ(run_python(python_, script, std::nullopt).exit_code, 0);
}

TEST_F(PythonHelperTest, AGoneMonitorDoesNotBreakTraining) {
  std::string socket_path;
  {
    MarkerServer server = make_server();
    socket_path = server.socket_path();
  }
  const std::string script = R"(
import wattcast
wattcast.epoch_begin()
wattcast.epoch_end(metrics={"loss": 0.1})
assert not wattcast.should_stop()
)";
  EXPECT_EQ(run_python(python_, script, socket_path).exit_code, 0);
}

}  // namespace
}  // namespace wattcast
