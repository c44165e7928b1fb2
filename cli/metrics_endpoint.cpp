#include "cli/metrics_endpoint.h"

#include <cstdio>

namespace wattcast::cli {

void announce_metrics_address(const ListenAddress& address) {
  std::fprintf(stderr, "wattcast: Prometheus metrics at http://%s/metrics\n", address.text().c_str());
  if (address.is_public()) {
    std::fprintf(stderr, "wattcast: note: %s is reachable from other machines, without authentication or TLS\n", address.text().c_str());
  }
}

}  // namespace wattcast::cli
