#pragma once
// A throwaway PostgreSQL server for tests and benchmarks: initdb into a fresh temporary folder,
// `postgres` listening on a Unix socket in that folder and on 127.0.0.1 at a free port, stopped
// (immediate shutdown) and deleted when the object goes away. The server also dies with the
// process that started it, so a crashed test leaves nothing running. As root, the server runs as
// the `postgres` user (PostgreSQL refuses to run as root).
//
// Local (socket) connections are trusted; TCP connections need the superuser's password, so
// tests can check what a wrong one does.

#include <sys/types.h>

#include <memory>
#include <string>

#include "core/result.h"

namespace wattcast::testing {

struct PostgresServerOptions {
  // fsync and full-page writes on, as a production server: for benchmarks. Tests run faster
  // without them, and lose nothing when they stop the server (only a kernel crash would).
  bool durable = false;
};

class PostgresServer {
 public:
  static constexpr const char* kUser = "wattcast";
  static constexpr const char* kPassword = "s3cret-pw";

  // Fails with a message saying why (binaries missing, initdb failed, the server did not come
  // up: with the end of its log).
  static Result<std::unique_ptr<PostgresServer>> start(const PostgresServerOptions& options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // A new, empty database; returns its name.
  Result<std::string> create_database(const std::string& name);
  // Connection URLs for the superuser: through the socket (no password), or over TCP.
  std::string socket_url(const std::string& database) const;
  std::string tcp_url(const std::string& database, const std::string& password = kPassword) const;

  // Stops the server at once, as a crash or a pulled cable would look to a client (SIGQUIT:
  // immediate shutdown, no checkpoint); start_again() brings it back on the same port.
  void stop();
  Status start_again();
  // Stops every process of the server (SIGSTOP), as a frozen host or a debugger would: its
  // connections stay open and the kernel still acknowledges, but nothing answers. thaw()
  // resumes them.
  void freeze();
  void thaw();
  bool running() const { return pid_ > 0; }
  const std::string& folder() const { return folder_; }
  int port() const { return port_; }

 private:
  PostgresServer() = default;
  Status launch();
  Status wait_until_ready();

  PostgresServerOptions options_;
  std::string bin_dir_;
  std::string folder_;  // socket and log here, data in folder_/data
  int port_ = 0;
  pid_t pid_ = -1;
  bool frozen_ = false;
  uid_t run_uid_ = 0;  // who the server runs as
  gid_t run_gid_ = 0;
};

// One server per test binary, started on first use and stopped at exit. Null, with the reason
// in `why`, when it cannot start: tests must then fail, not skip.
PostgresServer* shared_postgres_server(std::string* why);

}  // namespace wattcast::testing
