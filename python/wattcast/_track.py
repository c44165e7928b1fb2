"""Measuring from inside Python: `wattcast.track()` starts `wattcast measure --attach` beside the
calling process, so a notebook cell, a function or any stretch of a script can be measured without
wrapping a command.

    with wattcast.track(tags={"model": "resnet50"}) as run:
        train()
    run.summary          # energy per component, duration, CO2e, epochs; a small table in Jupyter

Each start() is one run in the store. While tracking, wattcast.epoch_begin()/epoch_end() and the
framework callbacks mark epochs of that run.
"""

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import _client

BINARY_ENV = "WATTCAST_BIN"
DEFAULT_START_TIMEOUT_S = 30.0
DEFAULT_STOP_TIMEOUT_S = 30.0


def find_binary():
    """The wattcast CLI: $WATTCAST_BIN, else the one bundled in this package (the wheel), else the
    first on PATH."""
    configured = os.environ.get(BINARY_ENV)
    if configured:
        return configured
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "bin", "wattcast")
    if os.access(bundled, os.X_OK):
        return bundled
    found = shutil.which("wattcast")
    if found:
        return found
    raise RuntimeError("wattcast.track() needs the wattcast command: install the wattcast wheel, put its "
                       "bin/ on PATH, or set WATTCAST_BIN")


def _human(value, units):
    """`value` in the largest of `units` ((factor, name), ascending) that keeps it >= 1, 4 digits."""
    factor, name = units[0]
    for candidate_factor, candidate_name in units:
        if abs(value) >= candidate_factor:
            factor, name = candidate_factor, candidate_name
    return f"{value / factor:.4g} {name}"


_ENERGY_UNITS = ((1.0, "J"), (1e3, "kJ"), (1e6, "MJ"), (1e9, "GJ"))
_MASS_UNITS = ((1e-3, "mg"), (1.0, "g"), (1e3, "kg"), (1e6, "t"))


class RunSummary:
    """A measured run, as `wattcast show RUN --format json` gives it, in plain attributes (SI):
    run, store, energy_j, duration_s, co2e_g, mean_power_w, energy_by_kind_j ({"gpu": J, ...}),
    modelled_by_kind ({"cpu": True, ...}: figures modelled, not measured), epochs (list of
    dicts), end_reason, and raw (the whole JSON object)."""

    def __init__(self, raw, store):
        self.raw = raw
        self.store = store
        self.run = raw.get("run")
        self.energy_j = raw.get("energy_j", 0.0)
        self.duration_s = raw.get("duration_s", 0.0)
        self.co2e_g = raw.get("co2e_g", 0.0)
        self.mean_power_w = raw.get("mean_power_w", 0.0)
        self.energy_by_kind_j = dict(raw.get("energy_by_kind_j", {}))
        self.modelled_by_kind = dict(raw.get("modelled_by_kind", {}))
        self.epochs = list(raw.get("epochs", []))
        self.end_reason = raw.get("end_reason", "")

    def _rows(self):
        rows = [("energy", _human(self.energy_j, _ENERGY_UNITS)), ("CO2e", _human(self.co2e_g, _MASS_UNITS)),
                ("duration", f"{self.duration_s:.4g} s"), ("mean power", f"{self.mean_power_w:.4g} W")]
        for kind, energy_j in sorted(self.energy_by_kind_j.items()):
            flag = " (modelled)" if self.modelled_by_kind.get(kind) else ""
            rows.append((f"  {kind}", _human(energy_j, _ENERGY_UNITS) + flag))
        if self.epochs:
            rows.append(("epochs", str(len(self.epochs))))
        return rows

    def __repr__(self):
        width = max(len(name) for name, _ in self._rows())
        lines = [f"wattcast run {self.run} in {self.store}"]
        lines += [f"{name:<{width}}  {value}" for name, value in self._rows()]
        return "\n".join(lines)

    def _repr_html_(self):
        cells = "".join(f"<tr><td>{name.strip()}</td><td style='text-align:right'>{value}</td></tr>" for name, value in self._rows())
        return f"<table><caption>wattcast run {self.run}</caption>{cells}</table>"


class Tracker:
    """Measures the calling process (and its children, and the GPUs it uses) between start() and
    stop(); a context manager and a decorator as well. See wattcast.track()."""

    def __init__(self, store=None, *, tags=None, region=None, cloud=None, pue=None, interval_ms=None,
                 binary=None, start_timeout_s=DEFAULT_START_TIMEOUT_S):
        # As given, for the decorator's fresh tracker per call; as measure's flags, for start().
        self._arguments = dict(store=store, tags=tags, region=region, cloud=cloud, pue=pue, interval_ms=interval_ms,
                               binary=binary, start_timeout_s=start_timeout_s)
        self._flags = [] if store is None else ["--out", str(store)]
        for key, value in (tags or {}).items():
            self._flags += ["--tag", f"{key}={value}"]
        for flag, value in (("--region", region), ("--cloud", cloud), ("--pue", pue), ("--interval-ms", interval_ms)):
            if value is not None:
                self._flags += [flag, str(value)]
        self._binary = binary
        self._start_timeout_s = start_timeout_s
        self._monitor = None
        self._scratch = None
        self._ready = None
        self._previous_client = None
        self._client = None
        self.summary = None

    @property
    def running(self):
        return self._monitor is not None

    def start(self):
        if self._monitor is not None:
            raise RuntimeError("this tracker is already measuring; stop() it first")
        self._binary = self._binary or find_binary()
        self._scratch = tempfile.mkdtemp(prefix="wattcast-track-")
        ready_path = os.path.join(self._scratch, "ready.json")
        command = [self._binary, "measure", "--attach", str(os.getpid()), "--ready-file", ready_path] + self._flags
        self._log = open(os.path.join(self._scratch, "monitor.log"), "w+b")
        # Its own session: a Ctrl-C meant for the notebook's cell must not end the measurement
        # before stop() records it.
        self._monitor = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._ready = self._wait_for_ready(ready_path)
        self._previous_client = _client_module_default()
        self._client = _client.Client(self._ready["socket"])
        _set_default_client(self._client)
        return self

    def stop(self):
        """Ends the measurement (the process goes on) and returns its RunSummary."""
        if self._monitor is None:
            return self.summary
        monitor, self._monitor = self._monitor, None
        _set_default_client(self._previous_client)
        self._client.close()
        monitor.send_signal(signal.SIGTERM)
        try:
            monitor.wait(timeout=DEFAULT_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            monitor.kill()
            monitor.wait()
        output = self._monitor_output()
        self._log.close()
        store = self._ready["store"]
        shown = subprocess.run([self._binary, "show", str(self._ready["run_id"]), "--store", store, "--format", "json"],
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
        shutil.rmtree(self._scratch, ignore_errors=True)
        if shown.returncode != 0:
            raise RuntimeError(f"wattcast: the run was measured but cannot be read back: {shown.stderr.strip() or output}")
        self.summary = RunSummary(json.loads(shown.stdout), store)
        return self.summary

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def tracked(*args, **kwargs):
            with Tracker(**self._arguments):  # one run per call
                return function(*args, **kwargs)
        return tracked

    def _wait_for_ready(self, path):
        deadline = time.monotonic() + self._start_timeout_s
        pause = 0.001
        while True:
            try:
                with open(path, "rb") as ready_file:
                    return json.loads(ready_file.read().decode("utf-8"))
            except (OSError, ValueError):
                pass
            if self._monitor.poll() is not None:
                output = self._monitor_output().strip()
                self._abandon()
                raise RuntimeError(output.splitlines()[-1] if output else "wattcast measure --attach failed")
            if time.monotonic() >= deadline:
                self._monitor.kill()
                self._monitor.wait()
                self._abandon()
                raise RuntimeError(f"wattcast measure --attach did not start within {self._start_timeout_s:g} s")
            time.sleep(pause)
            pause = min(2 * pause, 0.02)

    def _abandon(self):
        self._monitor = None
        self._log.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _monitor_output(self):
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")


def _client_module_default():
    import wattcast
    return wattcast._default_client


def _set_default_client(client):
    import wattcast
    wattcast._default_client = client


def track(store=None, **options):
    """Measures this Python process from now on: use it as a context manager (`with
    wattcast.track():`), a decorator (`@wattcast.track()`), or call start() and stop().

    store: the run store (an SQLite path or a postgresql:// URL; default: measure's own default).
    tags: {key: value} recorded with the run. region, cloud, pue: where the energy is drawn, for
    CO2e. interval_ms: the sampling interval. stop() returns a RunSummary."""
    return Tracker(store, **options)
