"""A PyTorch Lightning callback that marks epochs and validation for `wattcast measure`.

    from wattcast.lightning import WattcastCallback
    trainer = Trainer(max_epochs=10, callbacks=[WattcastCallback()])

Works with `lightning` and with the older `pytorch_lightning` package (whichever the program
already imported, else the newer). When the monitor asks training to stop, the callback sets
`trainer.should_stop` at the end of the epoch, on every rank so they stop together.

Under `wattcast measure`, each epoch's energy is logged with the module's own logging
(`energy/epoch_j`, `energy/projected_total_j`, ...; see wattcast.log_values), so the trainer's
loggers (TensorBoard, W&B, MLflow, CSV) receive it.
"""

import sys

import wattcast
from wattcast._client import EarlyStoppingOption


def _import_lightning():
    if sys.modules.get("pytorch_lightning") is not None and sys.modules.get("lightning") is None:
        candidates = ("pytorch_lightning", "lightning.pytorch")
    else:
        candidates = ("lightning.pytorch", "pytorch_lightning")
    import importlib

    for name in candidates:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError(
        "wattcast.lightning needs PyTorch Lightning: pip install lightning "
        "(or pytorch-lightning). The plain `import wattcast` API works without it."
    )


_pl = _import_lightning()


class WattcastCallback(_pl.Callback):
    """Marks each training epoch (numbered from 1, Lightning counts from 0) with the trainer's
    callback metrics, and validation (not the sanity check) as the phase "validation".

    stop_when_gain_per_kj_below: energy-aware early stopping, applied by the monitor: stop once
    `metric` (default: the first reported) gains less than this per kJ of one more epoch; `mode`
    is "max" when higher is better, "min" for a loss.
    """

    def __init__(self, client=None, *, stop_when_gain_per_kj_below=None, metric=None, mode="max"):
        super().__init__()
        self._client = client
        self._early_stopping = EarlyStoppingOption(stop_when_gain_per_kj_below, metric, mode)

    @property
    def client(self):
        return self._client if self._client is not None else wattcast.default_client()

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.is_global_zero:
            self._early_stopping.send_once(self.client)
            self.client.epoch_begin(trainer.current_epoch + 1, model=pl_module)

    def on_train_epoch_end(self, trainer, pl_module):
        # Lightning runs the epoch's validation before this hook, so its metrics are included.
        if trainer.is_global_zero:
            report = self.client.epoch_end(trainer.current_epoch + 1, metrics=dict(trainer.callback_metrics))
            energy = wattcast.log_values(report)
            if energy:
                pl_module.log_dict(energy, rank_zero_only=True)
        if self.client.should_stop():
            trainer.should_stop = True

    def on_validation_start(self, trainer, pl_module):
        if trainer.is_global_zero and not trainer.sanity_checking:
            self.client.phase_begin("validation")

    def on_validation_end(self, trainer, pl_module):
        if trainer.is_global_zero and not trainer.sanity_checking:
            self.client.phase_end("validation")
