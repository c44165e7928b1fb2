"""A Hugging Face `TrainerCallback` that marks epochs for `wattcast measure`.

    from wattcast.huggingface import WattcastCallback
    trainer = Trainer(..., callbacks=[WattcastCallback()])

The Trainer evaluates after its on_epoch_end hook; when an evaluation is due, the epoch's end is
marked after it, with the evaluation's metrics, so an epoch includes its validation as it does in
Keras and Lightning. When the monitor asks training to stop, the callback sets
`control.should_training_stop` at the end of the epoch.

Under `wattcast measure`, each epoch's energy goes into the Trainer's next log (`energy/epoch_j`,
`energy/projected_total_j`, ...; see wattcast.log_values), so its reporting integrations
(TensorBoard, W&B, MLflow) receive it. The Trainer runs callbacks in order and puts those passed
with `callbacks=` after its integrations, so attach this one first:

    from wattcast.huggingface import attach
    attach(trainer)
"""

import math

import wattcast
from wattcast._client import EarlyStoppingOption

try:
    from transformers import TrainerCallback as _TrainerCallback
except ImportError as error:
    raise ImportError(
        "wattcast.huggingface needs transformers: pip install transformers. "
        "The plain `import wattcast` API works without it."
    ) from error


class WattcastCallback(_TrainerCallback):
    """Marks each epoch (numbered from 1) with the last training logs and the epoch's evaluation
    metrics.

    stop_when_gain_per_kj_below: energy-aware early stopping, applied by the monitor: stop once
    `metric` (default: the first reported) gains less than this per kJ of one more epoch; `mode`
    is "max" when higher is better, "min" for a loss.
    """

    def __init__(self, client=None, *, stop_when_gain_per_kj_below=None, metric=None, mode="max"):
        super().__init__()
        self._client = client
        self._early_stopping = EarlyStoppingOption(stop_when_gain_per_kj_below, metric, mode)
        self._epoch_waiting_for_evaluation = None
        self._training_logs = {}
        self._energy_to_log = {}

    @property
    def client(self):
        return self._client if self._client is not None else wattcast.default_client()

    def on_epoch_begin(self, args, state, control, **kwargs):
        self._end_waiting_epoch(state)
        self._training_logs = {}
        if state.is_world_process_zero:
            self._early_stopping.send_once(self.client)
            self.client.epoch_begin(math.floor(state.epoch or 0) + 1, model=kwargs.get("model"))

    def on_epoch_end(self, args, state, control, **kwargs):
        epoch = max(1, int(round(state.epoch or 0)))
        if control.should_evaluate:
            self._epoch_waiting_for_evaluation = epoch
            return
        self._end_epoch(epoch, self._training_logs, state, control)

    def on_log(self, args, state, control, logs=None, **kwargs):
        for name, value in (logs or {}).items():
            if name != "epoch" and not name.startswith("eval_") and not name.startswith("energy/"):
                self._training_logs[name] = value
        if logs is not None and self._energy_to_log:
            logs.update(self._energy_to_log)
            self._energy_to_log = {}

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        if self._epoch_waiting_for_evaluation is None:
            return
        epoch, self._epoch_waiting_for_evaluation = self._epoch_waiting_for_evaluation, None
        combined = dict(self._training_logs)
        combined.update({k: v for k, v in (metrics or {}).items() if k != "epoch"})
        self._end_epoch(epoch, combined, state, control)

    def on_train_end(self, args, state, control, **kwargs):
        self._end_waiting_epoch(state)

    def _end_waiting_epoch(self, state):
        # The evaluation that was due never reported (it failed or was skipped).
        if self._epoch_waiting_for_evaluation is not None:
            epoch, self._epoch_waiting_for_evaluation = self._epoch_waiting_for_evaluation, None
            if state.is_world_process_zero:
                self.client.epoch_end(epoch, metrics=self._training_logs)

    def _end_epoch(self, epoch, metrics, state, control):
        if state.is_world_process_zero:
            self._energy_to_log = wattcast.log_values(self.client.epoch_end(epoch, metrics=metrics))
            if self._energy_to_log:
                control.should_log = True
        if self.client.should_stop():
            control.should_training_stop = True


def attach(trainer, **options):
    """Adds a WattcastCallback(**options) to `trainer` ahead of its reporting integrations, so
    they log the energy figures too; returns the callback."""
    callback = WattcastCallback(**options)
    trainer.callback_handler.callbacks.insert(0, callback)
    return callback
