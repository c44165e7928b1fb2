#!/usr/bin/env bash
# Scrape duration as Prometheus itself records it (scrape_duration_seconds), for
# `wattcast measure --prometheus` on a replayed 64-GPU trace, scraped every 500 ms for 20 s.
#   bash bench/exporter_prometheus.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
dir=$(mktemp -d)
trap 'kill $measure_pid $prometheus_pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
exporter_port=$(free_port)
prometheus_port=$(free_port)
{ echo "t_s,device,power_w"; for g in $(seq 0 63); do echo "0,gpu$g,$((250 + g))"; done; } >"$dir/trace.csv"
cat >"$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: wattcast
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
YAML
"$build/wattcast" measure --replay "$dir/trace.csv" --out "$dir/runs.db" --prometheus "127.0.0.1:$exporter_port" -- sleep 25 \
  >"$dir/measure.log" 2>&1 &
measure_pid=$!
/usr/bin/prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
  --web.listen-address="127.0.0.1:$prometheus_port" >"$dir/prometheus.log" 2>&1 &
prometheus_pid=$!
sleep 22  # a benchmark's measuring window, not a synchronisation
query() { curl -s "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$1" |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'; }
echo "scrapes:                          $(query 'count_over_time(scrape_duration_seconds[20s])')"
echo "median scrape_duration_seconds:   $(query 'quantile_over_time(0.5, scrape_duration_seconds[20s])')"
echo "p99 scrape_duration_seconds:      $(query 'quantile_over_time(0.99, scrape_duration_seconds[20s])')"
echo "samples per scrape:               $(query 'max_over_time(scrape_samples_scraped[20s])')"
