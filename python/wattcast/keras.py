"""A Keras callback that marks epochs and validation for `wattcast measure`.

    from wattcast.keras import WattcastCallback
    model.fit(x, y, epochs=10, validation_split=0.1, callbacks=[WattcastCallback()])

Works with Keras 3 and with tf.keras. When the monitor asks training to stop, the callback sets
`model.stop_training` at the end of the epoch.

Under `wattcast measure`, each epoch's energy joins the epoch's logs (`energy/epoch_j`,
`energy/projected_total_j`, ...; see wattcast.log_values): the History object and the callbacks
listed after this one (TensorBoard, W&B, MLflow, CSVLogger) receive them.
"""

import sys

import wattcast
from wattcast._client import EarlyStoppingOption


def _import_keras():
    # Keras 3 and tf.keras >= 2.6 share one package; a program that imported TensorFlow but not
    # the standalone package gets tf.keras.
    if "keras" not in sys.modules and "tensorflow" in sys.modules:
        keras = getattr(sys.modules["tensorflow"], "keras", None)
        if keras is not None:
            return keras
    try:
        import keras
        return keras
    except ImportError:
        pass
    try:
        from tensorflow import keras
        return keras
    except ImportError as error:
        raise ImportError(
            "wattcast.keras needs Keras: pip install keras (or tensorflow). "
            "The plain `import wattcast` API works without it."
        ) from error


_keras = _import_keras()


class WattcastCallback(_keras.callbacks.Callback):
    """Marks each epoch (numbered from 1) with the epoch's logs as metrics, and validation as the
    phase "validation".

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

    def on_epoch_begin(self, epoch, logs=None):
        self._early_stopping.send_once(self.client)
        self.client.epoch_begin(epoch + 1, model=getattr(self, "model", None))

    def on_epoch_end(self, epoch, logs=None):
        energy = wattcast.log_values(self.client.epoch_end(epoch + 1, metrics=logs or {}))
        if energy and logs is not None:
            logs.update(energy)  # the same dict goes on to the callbacks after this one
        if self.client.should_stop():
            self.model.stop_training = True

    def on_test_begin(self, logs=None):
        self.client.phase_begin("validation")

    def on_test_end(self, logs=None):
        self.client.phase_end("validation")
