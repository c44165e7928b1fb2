#include "cluster/node_rendezvous.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <utility>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>

namespace wattcast {

namespace {

constexpr const char* kLockName = "node.lock";
constexpr const char* kSocketName = "node.sock";
// An accepted connection that says nothing for this long is not a rank.
constexpr double kHelloTimeout_s = 10;

double now_s() {
  timespec t{};
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

std::string errno_text() { return std::strerror(errno); }

// A directory only this user can enter: created 0700, or checked when it already exists (a
// fixed name under /tmp could have been made by someone else).
Status private_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Error{path + ": cannot create: " + errno_text()};
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return Error{path + ": " + errno_text()};
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    return Error{path + ": not a private directory of this user (expected mode 0700, owned by uid " + std::to_string(::geteuid()) + ")"};
  }
  return ok_status();
}

// The longest rendezvous directory name below the runtime directory: "/wattcast-UID/HASH/node.sock".
constexpr size_t kRendezvousSuffixMax = 1 + 9 + 10 + 1 + 16 + 1 + 9;

std::string default_runtime_dir() {
  if (const char* dir = std::getenv("XDG_RUNTIME_DIR"); dir && *dir) {
    struct stat st {};
    // A runtime directory too deep for a Unix socket path is passed over, alike by every rank.
    if (::stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && ::access(dir, W_OK) == 0 &&
        std::strlen(dir) + kRendezvousSuffixMax < sizeof(sockaddr_un{}.sun_path)) {
      return dir;
    }
  }
  return "/tmp";
}

// FNV-1a: stable across builds and processes, unlike std::hash.
uint64_t fnv1a(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

Result<sockaddr_un> socket_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return Error{path + ": path too long for a Unix socket; set XDG_RUNTIME_DIR to a shorter directory"};
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

bool send_text(int fd, const std::string& text) { return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()); }

// One whole message, or nullopt on end of connection or error.
std::optional<std::string> receive_text(int fd) {
  char buffer[256];
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  if (n <= 0) return std::nullopt;
  return std::string(buffer, static_cast<size_t>(n));
}

std::string rank_text(const std::optional<int>& rank) { return rank ? std::to_string(*rank) : "-"; }

std::optional<int> parse_rank(const std::string& word) {
  if (word == "-" || word.empty()) return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(word.c_str(), &end, 10);
  if (*end != '\0' || value < 0 || value > 1 << 30) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<RankHello> parse_attach(const std::string& message) {
  std::istringstream in(message);
  std::string verb, rank, local_rank;
  long pid = 0;
  if (!(in >> verb >> rank >> local_rank >> pid) || verb != "attach" || pid <= 0) return std::nullopt;
  return RankHello{parse_rank(rank), parse_rank(local_rank), static_cast<pid_t>(pid)};
}

// The lock is ours only if the file we locked is still the one at the path: a node monitor
// that is ending unlinks it while holding it, and whoever locked the old file must retry.
bool locked_file_is_current(int fd, const std::string& path) {
  struct stat held {}, current {};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &current) == 0 && held.st_ino == current.st_ino && held.st_dev == current.st_dev;
}

Result<std::unique_ptr<NodeLeader>> try_lead(const std::string& directory) {
  const std::string lock_path = directory + "/" + kLockName;
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return std::unique_ptr<NodeLeader>();  // the directory went away with the last monitor: retry
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0 || !locked_file_is_current(lock_fd, lock_path)) {
    ::close(lock_fd);
    return std::unique_ptr<NodeLeader>();
  }
  const std::string socket_path = directory + "/" + kSocketName;
  auto address = socket_address(socket_path);
  if (!address) {
    ::close(lock_fd);
    return address.error();
  }
  ::unlink(socket_path.c_str());  // left by a monitor that was killed
  const int listen_fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd < 0 || ::bind(listen_fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0 || ::listen(listen_fd, 256) != 0) {
    const std::string message = socket_path + ": cannot listen: " + errno_text();
    if (listen_fd >= 0) ::close(listen_fd);
    ::close(lock_fd);
    return Error{message};
  }
  return std::make_unique<NodeLeader>(lock_fd, listen_fd, directory);
}

// Attaches when a node monitor answers before the deadline; nullptr when there is none to
// attach to right now (not started yet, ending, or a stale socket).
std::unique_ptr<NodeMember> try_attach(const std::string& directory, const RankHello& hello, double deadline_s) {
  auto address = socket_address(directory + "/" + kSocketName);
  if (!address) return nullptr;
  const int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0 ||
      !send_text(fd, "attach " + rank_text(hello.rank) + " " + rank_text(hello.local_rank) + " " + std::to_string(hello.pid))) {
    ::close(fd);
    return nullptr;
  }
  // The node monitor answers once it has begun its run.
  while (now_s() < deadline_s) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::clamp((deadline_s - now_s()) * 1000, 1.0, 1000.0)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const auto answer = receive_text(fd);
    if (!answer) break;  // refused: the monitor is ending
    std::istringstream in(*answer);
    std::string verb;
    long long run_id = 0;
    long leader_pid = 0;
    std::string gpus;
    if (in >> verb >> run_id >> leader_pid >> gpus && verb == "ok") {
      return std::make_unique<NodeMember>(fd, run_id, static_cast<pid_t>(leader_pid), gpus);
    }
    break;
  }
  ::close(fd);
  return nullptr;
}

}  // namespace

Result<std::string> rendezvous_directory(const std::string& job_id, const std::string& host, const std::string& runtime_dir) {
  const std::string base = (runtime_dir.empty() ? default_runtime_dir() : runtime_dir) + "/wattcast-" + std::to_string(::geteuid());
  if (auto made = private_directory(base); !made) return made.error();
  // A hash, not the names: job ids can be long, and a Unix socket path has 108 bytes.
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(job_id + "\n" + host)));
  return base + "/" + hash;
}

Result<NodeRole> join_node(const std::string& job_id, const std::string& host, const RankHello& hello, const RendezvousOptions& options) {
  auto directory = rendezvous_directory(job_id, host, options.runtime_dir);
  if (!directory) return directory.error();
  const double deadline_s = now_s() + std::chrono::duration<double>(options.timeout).count();
  do {
    if (auto made = private_directory(*directory); !made) return made.error();
    auto leader = try_lead(*directory);
    if (!leader) return leader.error();
    if (*leader) return NodeRole{std::move(leader).value(), nullptr};
    if (auto member = try_attach(*directory, hello, deadline_s)) return NodeRole{nullptr, std::move(member)};
    // Someone holds the lock but answers no one yet (starting or ending): look again shortly.
    ::poll(nullptr, 0, 20);
  } while (now_s() < deadline_s);
  return Error{"no node monitor for job " + job_id + " on " + host + " answered within " +
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count()) + " s (" + *directory + ")"};
}

NodeLeader::NodeLeader(int lock_fd, int listen_fd, std::string directory)
    : lock_fd_(lock_fd), listen_fd_(listen_fd), directory_(std::move(directory)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  done_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

NodeLeader::~NodeLeader() {
  stop();
  release();
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (done_fd_ >= 0) ::close(done_fd_);
}

Status NodeLeader::start(int64_t node_run_id, const std::string& gpus) {
  if (wake_fd_ < 0 || done_fd_ < 0) return Error{std::string("cannot create an eventfd: ") + errno_text()};
  if (gpus.empty() || gpus.find_first_of(" \t\n") != std::string::npos) return Error{"GPU list '" + gpus + "': expected no spaces"};
  node_run_id_ = node_run_id;
  gpus_ = gpus;
  thread_ = std::thread([this] { serve(); });
  return ok_status();
}

void NodeLeader::wake() {
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
}

std::vector<RankEvent> NodeLeader::take_events() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

std::vector<RankHello> NodeLeader::attached() const {
  std::lock_guard lock(mutex_);
  return attached_;
}

void NodeLeader::finish_when_alone() {
  {
    std::lock_guard lock(mutex_);
    finishing_ = true;
  }
  wake();
}

bool NodeLeader::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

void NodeLeader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
}

void NodeLeader::release() {
  stop();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink((directory_ + "/" + kSocketName).c_str());
  }
  if (lock_fd_ < 0) return;
  // Unlinked while held: a process that opened the old file sees it is no longer current.
  ::unlink((directory_ + "/" + kLockName).c_str());
  ::rmdir(directory_.c_str());  // fails, harmlessly, when another rank has just made a new lock
  ::close(lock_fd_);
  lock_fd_ = -1;
}

void NodeLeader::serve() {
  struct Connection {
    std::optional<RankHello> hello;  // set once attached
    double accepted_s = 0;
  };
  std::map<int, Connection> connections;
  auto end_connection = [&](int fd, std::optional<int> exit_code, bool detached) {
    Connection& c = connections[fd];
    if (c.hello) {
      std::lock_guard lock(mutex_);
      events_.push_back({detached ? RankEventKind::kDetached : RankEventKind::kLost, *c.hello, now_s(), exit_code});
      std::erase_if(attached_, [&](const RankHello& h) { return h.pid == c.hello->pid; });
    }
    ::close(fd);
    connections.erase(fd);
  };
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      if (finishing_ && connections.empty()) {
        // Closed before anything else, so a rank arriving from now on is refused and retries.
        ::close(listen_fd_);
        listen_fd_ = -1;
        ::unlink((directory_ + "/" + kSocketName).c_str());
        done_ = true;
        const uint64_t one = 1;
        (void)!::write(done_fd_, &one, sizeof one);
        break;
      }
    }
    std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const auto& [fd, c] : connections) fds.push_back({fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      uint64_t count = 0;
      (void)!::read(wake_fd_, &count, sizeof count);
    }
    if (fds[1].revents & POLLIN) {
      for (int fd; (fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0;) connections[fd].accepted_s = now_s();
    }
    for (size_t i = 2; i < fds.size(); ++i) {
      const int fd = fds[i].fd;
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const auto message = receive_text(fd);
      if (!message) {
        end_connection(fd, std::nullopt, false);
        continue;
      }
      Connection& c = connections[fd];
      if (!c.hello) {
        auto hello = parse_attach(*message);
        if (!hello || !send_text(fd, "ok " + std::to_string(node_run_id_) + " " + std::to_string(::getpid()) + " " + gpus_)) {
          end_connection(fd, std::nullopt, false);
          continue;
        }
        c.hello = hello;
        std::lock_guard lock(mutex_);
        attached_.push_back(*hello);
        events_.push_back({RankEventKind::kAttached, *hello, now_s(), std::nullopt});
      } else if (message->rfind("detach ", 0) == 0) {
        end_connection(fd, parse_rank(message->substr(7)), true);
      }
    }
    for (auto it = connections.begin(); it != connections.end();) {
      const auto next = std::next(it);
      if (!it->second.hello && now_s() - it->second.accepted_s > kHelloTimeout_s) end_connection(it->first, std::nullopt, false);
      it = next;
    }
  }
  for (auto it = connections.begin(); it != connections.end();) {
    const int fd = (it++)->first;
    end_connection(fd, std::nullopt, false);
  }
}

NodeMember::~NodeMember() {
  if (fd_ >= 0) ::close(fd_);
}

bool NodeMember::leader_alive() const {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return true;
  char byte;
  return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

bool NodeMember::detach(int exit_code) {
  if (fd_ < 0) return false;
  const bool sent = leader_alive() && send_text(fd_, "detach " + std::to_string(exit_code));
  ::close(fd_);
  fd_ = -1;
  return sent;
}

}  // namespace wattcast
