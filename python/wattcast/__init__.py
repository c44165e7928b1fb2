"""Epoch and phase markers for `wattcast measure`.

    import wattcast

    for epoch in range(epochs):
        wattcast.epoch_begin()
        train_one_epoch()
        with wattcast.phase("validation"):
            f1 = validate()
        report = wattcast.epoch_end(metrics={"val_f1": f1})  # the epoch's energy, or None
        if wattcast.should_stop():
            break

Outside `wattcast measure` every call does nothing. Callbacks for Keras, PyTorch Lightning and
Hugging Face live in wattcast.keras, wattcast.lightning and wattcast.huggingface; importing
`wattcast` itself imports none of those frameworks.
"""

from ._client import Client, log_values, synchronize_devices
from ._track import RunSummary, Tracker, track

__all__ = [
    "Client",
    "RunSummary",
    "Tracker",
    "configure",
    "default_client",
    "early_stopping",
    "enabled",
    "epoch_begin",
    "epoch_end",
    "log_values",
    "phase",
    "phase_begin",
    "phase_end",
    "should_stop",
    "synchronize_devices",
    "track",
]

__version__ = "0.1.0"

_default_client = None


def default_client():
    """The Client the module-level functions use, built from the environment on first use."""
    global _default_client
    if _default_client is None:
        _default_client = Client.from_environment()
    return _default_client


def configure(*, sync=None, all_ranks=None, send_timeout_s=None, report_timeout_s=None):
    """sync: wait for already-imported PyTorch/JAX devices before each marker (default True).
    all_ranks: send from every rank of a distributed run, not only rank 0.
    send_timeout_s: the longest a marker waits for room in the monitor's queue.
    report_timeout_s: the longest epoch_end() waits for the monitor's report (default 0.5 s)."""
    default_client().configure(sync=sync, all_ranks=all_ranks, send_timeout_s=send_timeout_s,
                               report_timeout_s=report_timeout_s)


def enabled():
    """True when running under `wattcast measure` (and markers from this rank are sent)."""
    return default_client().enabled


def epoch_begin(epoch=None, *, model=None, sync=None):
    """Marks the start of an epoch, numbered from 1; without a number, the next one. With
    `model`, its trainable and total parameter counts go along: a change is a phase switch."""
    default_client().epoch_begin(epoch, model=model, sync=sync)


def epoch_end(epoch=None, metrics=None, *, sync=None):
    """Marks the end of an epoch (the open one by default), with optional numeric metrics, and
    returns the monitor's energy report on it (a dict: epoch_energy_j, epoch_mean_power_w,
    energy_so_far_j, projected_energy_j, ...; see Client.epoch_end), or None without a monitor."""
    return default_client().epoch_end(epoch, metrics, sync=sync)


def early_stopping(min_gain_per_kj, metric=None, mode="max"):
    """Energy-aware early stopping, applied by the monitor: training is asked to stop (see
    should_stop) once `metric` gains less than `min_gain_per_kj` per kJ of one more epoch."""
    default_client().early_stopping(min_gain_per_kj, metric=metric, mode=mode)


def phase_begin(name, *, sync=None):
    default_client().phase_begin(name, sync=sync)


def phase_end(name, *, sync=None):
    default_client().phase_end(name, sync=sync)


def phase(name, *, sync=None):
    """`with wattcast.phase("validation"): ...`, or `@wattcast.phase("validation")`."""
    return default_client().phase(name, sync=sync)


def should_stop():
    """True once the monitor asked training to stop at the end of the current epoch."""
    return default_client().should_stop()
