#!/usr/bin/env python3
"""Scrape time of `wattcast exporter` with N idle clients (half a request each, then silence),
side by side with no idle client, in the same run.

usage: bench/idle_clients_scrape.py WATTCAST_BINARY STORE [N]"""
import socket, statistics, subprocess, sys, time, urllib.request

binary, store = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
exporter = subprocess.Popen([binary, "exporter", "--store", store, "--listen", "127.0.0.1:0", "--runs", "all"],
                            stderr=subprocess.PIPE, text=True)
try:
    line = exporter.stderr.readline()
    while "metrics at http://127.0.0.1:" not in line:
        line = exporter.stderr.readline()
    port = int(line.split("127.0.0.1:")[1].split("/")[0])

    def scrape_ms():
        start = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=300).read()
        return 1000 * (time.perf_counter() - start)

    alone = [scrape_ms() for _ in range(20)]
    idle = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
        idle.append(s)
    crowded = scrape_ms()
    print(f"scrape alone: median {statistics.median(alone):.1f} ms (20 scrapes); with {n} idle clients: {crowded:.1f} ms")
finally:
    exporter.terminate()
    exporter.wait()
