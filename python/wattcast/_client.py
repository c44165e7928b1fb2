"""The sending side of wattcast's marker channel.

`wattcast measure` binds a Unix datagram socket in a private directory and passes its path in
WATTCAST_SOCKET. Each marker is one JSON object in one datagram, so markers stay whole, need no
connection, and survive fork(). Without the variable a Client is disabled: every call returns at
once and no socket is ever created, so the markers can stay in training code that runs anywhere.

A marker must never break training: when the monitor is gone, slow or confused, the marker is
dropped silently.
"""

import json
import math
import os
import socket
import sys
import time

SOCKET_ENV = "WATTCAST_SOCKET"
# Set by `wattcast measure` when it is one rank's own monitor (multi-rank jobs): the rank whose
# markers that socket wants.
SOCKET_RANK_ENV = "WATTCAST_SOCKET_RANK"
# Set by monitors that answer each epoch's end with a report: without it (an older wattcast),
# epoch_end() does not wait for one.
EPOCH_REPORTS_ENV = "WATTCAST_EPOCH_REPORTS"
PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
STOP_FILE_NAME = "stop"
# The monitor's report on the latest finished epoch, replaced whole after each epoch's end.
EPOCH_REPORT_FILE_NAME = "epoch.json"

# The monitor drains its socket every tick; if its queue is full anyway, wait this long at most
# rather than block training.
DEFAULT_SEND_TIMEOUT_S = 0.5
# epoch_end() waits this long at most for the monitor's report on the epoch it just ended (the
# monitor answers within milliseconds; a busy one must not hold training up).
DEFAULT_REPORT_TIMEOUT_S = 0.5
# The report usually lands within milliseconds: look again after 1 ms, then back off (up to 50
# ms) so a late one costs training almost no CPU.
_REPORT_FIRST_POLL_S = 0.001
_REPORT_MAX_POLL_S = 0.05

# The names the framework callbacks log an epoch report under: the unit in each name.
LOG_NAMES = {
    "epoch_energy_j": "energy/epoch_j",
    "epoch_mean_power_w": "energy/epoch_mean_power_w",
    "energy_so_far_j": "energy/so_far_j",
    "co2e_so_far_g": "energy/co2e_so_far_g",
    "projected_energy_j": "energy/projected_total_j",
    "projected_low_j": "energy/projected_total_low_j",
    "projected_high_j": "energy/projected_total_high_j",
    "projected_co2e_g": "energy/projected_co2e_g",
}


def synchronize_devices():
    """Wait for queued GPU work, so a marker is stamped when the work before it has finished.

    Only frameworks the program already imported are touched: importing one here would cost
    seconds and, for CUDA, create a context the program never asked for.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            cuda = getattr(torch, "cuda", None)
            if cuda is not None and cuda.is_initialized():
                cuda.synchronize()
        except Exception:  # a broken device must not turn a marker into a crash
            pass
    jax = sys.modules.get("jax")
    if jax is not None:
        try:
            barrier = getattr(jax, "effects_barrier", None)
            if barrier is not None:
                barrier()
        except Exception:
            pass


def _integer(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parameter_counts(model):
    """(trainable, total) parameter counts of a PyTorch module (Lightning's and Hugging Face's
    models are ones) or a Keras model; None for anything else, or when counting fails: a marker
    must never break training."""
    try:
        parameters = getattr(model, "parameters", None)
        if callable(parameters):
            trainable = total = 0
            for parameter in parameters():
                count = int(parameter.numel())
                total += count
                if parameter.requires_grad:
                    trainable += count
            return trainable, total
        if hasattr(model, "trainable_weights") and hasattr(model, "weights"):
            def count(weights):
                result = 0
                for weight in weights:
                    size = 1
                    for dimension in weight.shape:
                        size *= int(dimension)
                    result += size
                return result
            return count(model.trainable_weights), count(model.weights)
    except Exception:  # noqa: BLE001 - whatever the framework raises, training goes on
        return None
    return None


def _rank_from_environment(environ):
    """The global rank set by torchrun and most launchers, or None outside distributed runs."""
    for name in ("RANK", "SLURM_PROCID"):
        value = environ.get(name)
        if value is not None:
            return _integer(value)
    return None


def _numeric_metrics(metrics):
    """Metrics as JSON numbers: anything float() accepts (numpy and 0-d tensor scalars too);
    non-finite values become null, other values are left out."""
    numeric = {}
    for name, value in dict(metrics).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        numeric[str(name)] = number if math.isfinite(number) else None
    return numeric


class Client:
    """Sends markers to one monitor socket. Most code uses the module-level functions, which
    share a Client built from the environment; callbacks accept a Client for tests."""

    def __init__(self, socket_path, *, sync=True, all_ranks=False, rank=None, socket_rank=None,
                 send_timeout_s=DEFAULT_SEND_TIMEOUT_S, report_timeout_s=DEFAULT_REPORT_TIMEOUT_S, epoch_reports=True):
        self._socket_path = socket_path or None
        self._report_timeout_s = report_timeout_s if epoch_reports else 0.0
        self._socket_rank = socket_rank
        self._sync = bool(sync)
        self._all_ranks = bool(all_ranks)
        self._rank = rank
        self._send_timeout_s = send_timeout_s
        self._socket = None
        self._last_epoch = 0
        self._open_epoch = None

    @classmethod
    def from_environment(cls, environ=None, **options):
        environ = os.environ if environ is None else environ
        options.setdefault("rank", _rank_from_environment(environ))
        options.setdefault("socket_rank", _integer(environ.get(SOCKET_RANK_ENV)))
        options.setdefault("epoch_reports", environ.get(EPOCH_REPORTS_ENV) == "1")
        return cls(environ.get(SOCKET_ENV), **options)

    # -- settings --------------------------------------------------------------------------

    @property
    def socket_path(self):
        return self._socket_path

    @property
    def enabled(self):
        """True when markers are sent: under `wattcast measure`, and on rank 0 of a distributed
        run unless all_ranks was asked for (every rank marking would count each epoch N times);
        when every rank has its own monitor (`WATTCAST_SOCKET_RANK`), on the rank it monitors."""
        if self._socket_path is None:
            return False
        owner = 0 if self._socket_rank is None else self._socket_rank
        return self._all_ranks or self._rank is None or self._rank == owner

    def configure(self, *, sync=None, all_ranks=None, send_timeout_s=None, report_timeout_s=None):
        if report_timeout_s is not None:
            self._report_timeout_s = report_timeout_s
        if sync is not None:
            self._sync = bool(sync)
        if all_ranks is not None:
            self._all_ranks = bool(all_ranks)
        if send_timeout_s is not None:
            self._send_timeout_s = send_timeout_s
            if self._socket is not None:
                self._socket.settimeout(send_timeout_s)

    # -- markers ---------------------------------------------------------------------------

    def epoch_begin(self, epoch=None, *, model=None, sync=None):
        """Marks the start of an epoch; without a number, the one after the last marked.

        With `model` (a PyTorch module, a Lightning module, a Hugging Face model or a Keras
        model), its trainable and total parameter counts go with the marker: a change between
        epochs (layers frozen or unfrozen) tells the monitor's projection that a new phase
        begins there."""
        if not self.enabled:
            return
        number = self._last_epoch + 1 if epoch is None else int(epoch)
        self._open_epoch = number
        self._last_epoch = number
        message = {"type": "epoch_begin", "epoch": number}
        counts = parameter_counts(model) if model is not None else None
        if counts is not None:
            message["trainable_params"], message["total_params"] = counts
        self._send(message, sync)

    def epoch_end(self, epoch=None, metrics=None, *, sync=None):
        """Marks the end of an epoch (by default the open one) with optional numeric metrics.

        Returns the monitor's report on that epoch, a dict in SI units: epoch_energy_j,
        epoch_duration_s, epoch_mean_power_w, energy_so_far_j, co2e_so_far_g and, once the
        monitor projects the run, projected_energy_j with projected_low_j and projected_high_j
        (its interval) and projected_co2e_g. None outside `wattcast measure`, on ranks that do
        not mark, or when no report came within report_timeout_s."""
        if not self.enabled:
            return None
        if epoch is not None:
            number = int(epoch)
        elif self._open_epoch is not None:
            number = self._open_epoch
        else:
            number = self._last_epoch + 1
        self._open_epoch = None
        self._last_epoch = max(self._last_epoch, number)
        message = {"type": "epoch_end", "epoch": number}
        if metrics:
            message["metrics"] = _numeric_metrics(metrics)
        if not self._send(message, sync):
            return None
        return self._wait_for_report(number)

    def _wait_for_report(self, epoch):
        path = os.path.join(os.path.dirname(self._socket_path), EPOCH_REPORT_FILE_NAME)
        deadline = time.monotonic() + self._report_timeout_s
        pause = _REPORT_FIRST_POLL_S
        while True:
            try:
                with open(path, "rb") as report_file:
                    report = json.loads(report_file.read().decode("utf-8"))
                if isinstance(report, dict) and report.get("epoch", 0) >= epoch:
                    return report
            except (OSError, ValueError):
                pass  # not written yet, or a monitor without reports
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(pause, remaining))
            pause = min(2 * pause, _REPORT_MAX_POLL_S)

    def phase_begin(self, name, *, sync=None):
        if not self.enabled:
            return
        self._send(self._phase_message("phase_begin", name), sync)

    def phase_end(self, name, *, sync=None):
        if not self.enabled:
            return
        self._send(self._phase_message("phase_end", name), sync)

    def phase(self, name, *, sync=None):
        """`with client.phase("validation"): ...` marks the block, also when it raises."""
        return _Phase(self, name, sync)

    def early_stopping(self, min_gain_per_kj, metric=None, mode="max"):
        """Asks the monitor for energy-aware early stopping: once `metric` (default: the first one
        reported with epoch_end) improves by less than `min_gain_per_kj` per kJ of one more epoch,
        averaged over the last 5 epochs, the monitor asks training to stop (see should_stop).
        mode: "max" when higher is better, "min" when lower is (a loss)."""
        if mode not in ("max", "min"):
            raise ValueError("mode must be 'max' or 'min'")
        gain = float(min_gain_per_kj)
        if not math.isfinite(gain):
            raise ValueError("min_gain_per_kj must be a finite number")
        if not self.enabled:
            return
        message = {"type": "early_stopping", "min_gain_per_kj": gain, "mode": mode}
        if metric:
            message["name"] = str(metric)
        self._send(message, False)

    def should_stop(self):
        """True once the monitor asked training to stop (for example, an energy budget is
        spent); check it at the end of an epoch. Every rank on the machine sees the request."""
        if self._socket_path is None:
            return False
        directory = os.path.dirname(self._socket_path)
        return os.path.exists(os.path.join(directory, STOP_FILE_NAME))

    def close(self):
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    # -- sending ---------------------------------------------------------------------------

    def _phase_message(self, marker_type, name):
        message = {"type": marker_type, "name": str(name)}
        if self._open_epoch is not None:
            message["epoch"] = self._open_epoch
        return message

    def _send(self, message, sync):
        if self._sync if sync is None else sync:
            synchronize_devices()
        message = {"v": PROTOCOL_VERSION, **message, "t": time.time(), "pid": os.getpid()}
        if self._rank is not None:
            message["rank"] = self._rank
        data = _encode(message)
        if len(data) > MAX_MESSAGE_BYTES and "metrics" in message:
            # The boundary matters more than the figures: send it without them.
            del message["metrics"]
            data = _encode(message)
        if len(data) > MAX_MESSAGE_BYTES:
            return False
        try:
            if self._socket is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                sock.settimeout(self._send_timeout_s)
                self._socket = sock
            self._socket.sendto(data, self._socket_path)
            return True
        except OSError:
            return False  # the monitor is gone or not keeping up: drop the marker


class EarlyStoppingOption:
    """The callbacks' `stop_when_gain_per_kj_below` option: validated at once, sent to the
    monitor once, before the first epoch (see Client.early_stopping)."""

    def __init__(self, min_gain_per_kj=None, metric=None, mode="max"):
        if mode not in ("max", "min"):
            raise ValueError("mode must be 'max' or 'min'")
        if min_gain_per_kj is not None and not math.isfinite(float(min_gain_per_kj)):
            raise ValueError("stop_when_gain_per_kj_below must be a finite number")
        self._gain = None if min_gain_per_kj is None else float(min_gain_per_kj)
        self._metric = metric
        self._mode = mode
        self._sent = False

    def send_once(self, client):
        if self._gain is None or self._sent:
            return
        client.early_stopping(self._gain, metric=self._metric, mode=self._mode)
        self._sent = True


def log_values(report):
    """An epoch report as the callbacks log it: {"energy/epoch_j": ..., ...}; empty for None."""
    if not report:
        return {}
    return {name: float(report[key]) for key, name in LOG_NAMES.items() if isinstance(report.get(key), (int, float))}


def _encode(message):
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8")


class _Phase:
    """Context manager and decorator for a named phase."""

    def __init__(self, client, name, sync):
        self._client = client
        self._name = name
        self._sync = sync

    def __enter__(self):
        self._client.phase_begin(self._name, sync=self._sync)
        return self

    def __exit__(self, exc_type, exc, traceback):
        self._client.phase_end(self._name, sync=self._sync)
        return False

    def __call__(self, function):
        import functools

        @functools.wraps(function)
        def marked(*args, **kwargs):
            with _Phase(self._client, self._name, self._sync):
                return function(*args, **kwargs)

        return marked
