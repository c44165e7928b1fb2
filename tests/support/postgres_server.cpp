#include "support/postgres_server.h"

#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "support/free_port.h"

namespace wattcast::testing {

namespace {

namespace fs = std::filesystem;

// Debian puts the server binaries in /usr/lib/postgresql/<major>/bin, off PATH.
std::string find_bin_dir() {
  if (const char* dir = std::getenv("WATTCAST_PG_BINDIR"); dir && *dir) return dir;
  glob_t found{};
  std::string best;
  if (::glob("/usr/lib/postgresql/*/bin/postgres", 0, nullptr, &found) == 0) {
    int best_major = -1;
    for (size_t i = 0; i < found.gl_pathc; ++i) {
      const std::string path = found.gl_pathv[i];
      const int major = std::atoi(path.c_str() + std::strlen("/usr/lib/postgresql/"));
      if (major > best_major) {
        best_major = major;
        best = fs::path(path).parent_path().string();
      }
    }
  }
  ::globfree(&found);
  if (!best.empty()) return best;
  for (const char* dir : {"/usr/local/pgsql/bin", "/usr/bin", "/usr/local/bin"}) {
    if (::access((std::string(dir) + "/initdb").c_str(), X_OK) == 0) return dir;
  }
  return "";
}


std::string log_tail(const std::string& path) {
  std::ifstream in(path);
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) tail += (tail.empty() ? "" : " | ") + lines[i];
  return tail;
}

// Forks and execs argv as uid/gid (when we are root), output appended to `log`, in `folder`. The
// child dies with this process.
pid_t spawn(const std::vector<std::string>& argv, const std::string& folder, const std::string& log, uid_t uid, gid_t gid) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (out >= 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
  }
  const int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, STDIN_FILENO);
  // The signals the test process blocks (the monitor's) must not stay blocked in the server.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::geteuid() == 0 && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
  // After setuid, which clears it: SIGQUIT is PostgreSQL's immediate shutdown.
  ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
  if (::getppid() != parent) ::_exit(1);
  if (::chdir(folder.c_str()) != 0) ::_exit(126);
  ::execv(args[0], args.data());
  ::_exit(127);
}

// Waits for a child to end, up to `limit`; kills it past that. Its exit status, or -1.
int wait_for(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (done < 0) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

Result<std::unique_ptr<PostgresServer>> PostgresServer::start(const PostgresServerOptions& options) {
  std::unique_ptr<PostgresServer> server(new PostgresServer());
  server->options_ = options;
  server->bin_dir_ = find_bin_dir();
  if (server->bin_dir_.empty() || ::access((server->bin_dir_ + "/initdb").c_str(), X_OK) != 0) {
    return Error{"PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or $WATTCAST_PG_BINDIR: "
                 "install them with scripts/install-deps.sh"};
  }
  // Short: the socket path must fit in 107 bytes.
  char folder[] = "/tmp/wcpg-XXXXXX";
  if (!::mkdtemp(folder)) return Error{std::string("cannot create a temporary folder: ") + std::strerror(errno)};
  server->folder_ = folder;
  server->run_uid_ = ::geteuid();
  server->run_gid_ = ::getegid();
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (!postgres) return Error{"running as root, and there is no 'postgres' user to run the server as (install the postgresql package)"};
    server->run_uid_ = postgres->pw_uid;
    server->run_gid_ = postgres->pw_gid;
    if (::chown(folder, server->run_uid_, server->run_gid_) != 0) return Error{std::string("cannot chown ") + folder + ": " + std::strerror(errno)};
  }
  const std::string password_file = server->folder_ + "/password";
  std::ofstream(password_file) << kPassword << "\n";
  if (::chown(password_file.c_str(), server->run_uid_, server->run_gid_) != 0 && ::geteuid() == 0) {
    return Error{"cannot chown " + password_file};
  }
  const std::string log = server->folder_ + "/initdb.log";
  const pid_t initdb = spawn({server->bin_dir_ + "/initdb", "-D", server->folder_ + "/data", "-U", kUser, "--pwfile=" + password_file,
                              "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"},
                             server->folder_, log, server->run_uid_, server->run_gid_);
  if (initdb < 0) return Error{"cannot fork initdb"};
  if (wait_for(initdb, std::chrono::seconds(120)) != 0) return Error{"initdb failed: " + log_tail(log)};
  // The port is free when we look; another process may take it before the server binds it.
  Status launched = Error{"not started"};
  for (int attempt = 0; attempt < 5 && !launched; ++attempt) {
    server->port_ = free_loopback_port();
    launched = server->launch();
  }
  if (!launched) return launched.error();
  return server;
}

Status PostgresServer::launch() {
  std::vector<std::string> argv = {bin_dir_ + "/postgres", "-D", folder_ + "/data", "-k", folder_, "-p", std::to_string(port_),
                                   "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "logging_collector=off"};
  // Without fsync a commit still survives the server's own death (the kernel has it), which is
  // all the tests stop it for; synchronous_commit stays on for that reason.
  if (!options_.durable) {
    for (const char* setting : {"fsync=off", "full_page_writes=off"}) {
      argv.push_back("-c");
      argv.push_back(setting);
    }
  }
  pid_ = spawn(argv, folder_, folder_ + "/server.log", run_uid_, run_gid_);
  if (pid_ < 0) return Error{"cannot fork postgres"};
  return wait_until_ready();
}

Status PostgresServer::wait_until_ready() {
  const std::string conninfo = "host=" + folder_ + " port=" + std::to_string(port_) + " dbname=postgres user=" + kUser + " connect_timeout=2";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return ok_status();
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return Error{"postgres exited at start: " + log_tail(folder_ + "/server.log")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
  return Error{"postgres did not accept connections within 60 s: " + log_tail(folder_ + "/server.log")};
}

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  thaw();  // a stopped process would not act on the SIGQUIT
  ::kill(pid_, SIGQUIT);
  wait_for(pid_, std::chrono::seconds(20));
  pid_ = -1;
}

namespace {

// The server's processes: the postmaster and its children (backends, background workers).
std::vector<pid_t> server_processes(pid_t postmaster) {
  std::vector<pid_t> out = {postmaster};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    char state = 0;
    pid_t parent = 0;
    rest >> state >> parent;
    if (parent == postmaster) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

}  // namespace

void PostgresServer::freeze() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGSTOP);  // first: a stopped postmaster starts no new backend
  for (pid_t pid : server_processes(pid_)) ::kill(pid, SIGSTOP);
  frozen_ = true;
}

void PostgresServer::thaw() {
  if (pid_ <= 0 || !frozen_) return;
  for (pid_t pid : server_processes(pid_)) ::kill(pid, SIGCONT);
  frozen_ = false;
}

Status PostgresServer::start_again() {
  if (pid_ > 0) return ok_status();
  return launch();
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  if (!folder_.empty()) fs::remove_all(folder_, ec);
}

Result<std::string> PostgresServer::create_database(const std::string& name) {
  const std::string conninfo = "host=" + folder_ + " port=" + std::to_string(port_) + " dbname=postgres user=" + kUser;
  PGconn* connection = PQconnectdb(conninfo.c_str());
  std::string problem;
  if (PQstatus(connection) != CONNECTION_OK) {
    problem = PQerrorMessage(connection);
  } else {
    const std::string sql = "CREATE DATABASE \"" + name + "\"";
    PGresult* result = PQexec(connection, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) problem = PQerrorMessage(connection);
    PQclear(result);
  }
  PQfinish(connection);
  if (!problem.empty()) return Error{"cannot create database " + name + ": " + problem};
  return name;
}

std::string PostgresServer::socket_url(const std::string& database) const {
  return std::string("postgresql://") + kUser + "@/" + database + "?host=" + folder_ + "&port=" + std::to_string(port_);
}

std::string PostgresServer::tcp_url(const std::string& database, const std::string& password) const {
  return std::string("postgresql://") + kUser + ":" + password + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

PostgresServer* shared_postgres_server(std::string* why) {
  static std::mutex mutex;
  static std::unique_ptr<PostgresServer> server;
  static std::string failure;
  const std::lock_guard<std::mutex> lock(mutex);
  if (!server && failure.empty()) {
    auto started = PostgresServer::start();
    if (started) {
      server = std::move(started).value();
    } else {
      failure = started.error().message;
    }
  }
  if (why) *why = failure;
  return server.get();
}

}  // namespace wattcast::testing
