#pragma once
// A TCP port on 127.0.0.1 that nothing listens on right now: the kernel's pick for port 0, bound,
// learned and closed. Another process may take it before the caller binds it, so servers started
// on it retry with another.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wattcast::testing {

inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace wattcast::testing
