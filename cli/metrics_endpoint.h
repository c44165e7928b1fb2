#pragma once
// What `measure --prometheus` and `exporter` tell the user about the address they serve.

#include "export/metrics_server.h"

namespace wattcast::cli {

// One line on stderr with the URL; a second one when the address is reachable from other
// machines, since the metrics name the host, the run's tags and its devices.
void announce_metrics_address(const ListenAddress& address);

}  // namespace wattcast::cli
