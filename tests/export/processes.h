#pragma once
// What the exporter's end-to-end tests start: a child process killed when the test ends however
// it ends, a free loopback port, and a real Prometheus server in a temporary directory.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/eventually.h"
#include "support/free_port.h"

namespace wattcast::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "wattcast-export-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// argv run with stdout and stderr to `log`; killed (SIGKILL) in the destructor if still running.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) : log_(log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      const int null = ::open("/dev/null", O_RDONLY);
      ::dup2(null, 0);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool running() {
    if (status_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    return !status_;
  }
  // The exit code once it has ended within `timeout`, else nullopt.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    if (!eventually([this] { return !running(); }, timeout)) return std::nullopt;
    return WIFEXITED(*status_) ? WEXITSTATUS(*status_) : 128 + WTERMSIG(*status_);
  }
  void signal(int number) {
    if (running()) ::kill(pid_, number);
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_;
};

inline bool serves_metrics(int port) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  return response && response->status == 200;
}

// The port a child bound for ":0", from the line it announces on stderr; 0 until then.
inline int announced_port(const Child& child) {
  const std::string log = child.log();
  const std::string prefix = "metrics at http://127.0.0.1:";
  const size_t at = log.find(prefix);
  if (at == std::string::npos || log.find("/metrics", at + prefix.size()) == std::string::npos) return 0;
  return std::atoi(log.c_str() + at + prefix.size());
}

// The body of GET /metrics, or empty when it does not answer.
inline std::string scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));
  auto response = client.Get("/metrics");
  return response && response->status == 200 ? response->body : std::string();
}

inline const char* kPrometheusBinary = "/usr/bin/prometheus";

// A Prometheus server scraping `target` (host:port) every 500 ms, with its data in a temporary
// directory; stopped when the object goes away.
class PrometheusServer {
 public:
  explicit PrometheusServer(const std::string& target) {
    std::ofstream(dir_ / "prometheus.yml") << "global:\n  scrape_interval: 500ms\n  scrape_timeout: 400ms\n"
                                              "scrape_configs:\n  - job_name: wattcast\n    static_configs:\n      - targets: ['"
                                           << target << "']\n";
  }
  ~PrometheusServer() {
    if (!process_) return;
    process_->signal(SIGTERM);
    (void)process_->wait(std::chrono::seconds(10));
    process_.reset();  // SIGKILL if it did not stop
  }

  // Starts it and waits until it answers. Prometheus cannot be told to pick its own port, so a
  // port taken between free_loopback_port() and its bind is retried with another, three times at most.
  bool start(std::chrono::milliseconds timeout) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_loopback_port();
      process_.emplace(std::vector<std::string>{kPrometheusBinary, "--config.file=" + (dir_ / "prometheus.yml"),
                                                "--storage.tsdb.path=" + (dir_ / "data"),
                                                "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
                       dir_ / "prometheus.log");
      bool ready = false;
      eventually(
          [&] {
            auto response = client().Get("/-/ready");
            ready = response && response->status == 200;
            return ready || !process_->running();
          },
          timeout);
      if (ready) return true;
      if (process_->running()) return false;  // up but never ready: no point in another port
    }
    return false;
  }
  // The `data.result` of an instant query (now, or at `time`: Unix seconds as Prometheus writes
  // them), or null if the query failed.
  nlohmann::json query(const std::string& promql, const std::string& time = "") {
    httplib::Params params{{"query", promql}};
    if (!time.empty()) params.emplace("time", time);
    auto response = client().Get("/api/v1/query", params, httplib::Headers{});
    if (!response || response->status != 200) return nullptr;
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (body.is_discarded() || body.value("status", "") != "success") return nullptr;
    return body["data"]["result"];
  }
  std::string log() const { return process_ ? process_->log() : std::string(); }

 private:
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(std::chrono::seconds(2));
    c.set_read_timeout(std::chrono::seconds(5));
    return c;
  }
  TempDir dir_;
  int port_ = 0;
  std::optional<Child> process_;
};

}  // namespace wattcast::testing
