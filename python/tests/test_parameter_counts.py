"""The phase signal: epoch_begin(model=...) sends the model's trainable and total parameter counts,
so the monitor sees layers being unfrozen. Tested on a real PyTorch model (Debian's python3-torch);
skipped where torch is not installed."""

import types
import unittest
import unittest.mock

from marker_receiver import ReceiverTestCase

import wattcast
from wattcast import _client

try:
    import torch
except ImportError:  # the counts are tested with fakes below either way
    torch = None


@unittest.skipIf(torch is None, "PyTorch is not importable (Debian: apt-get install python3-torch)")
class TorchParameterCountsTest(ReceiverTestCase):
    def model(self):
        torch.manual_seed(0)
        return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))

    def test_freezing_then_unfreezing_changes_the_trainable_count(self):
        model = self.model()
        backbone, head = model[0], model[2]
        for parameter in backbone.parameters():
            parameter.requires_grad = False
        self.client.epoch_begin(model=model)
        self.client.epoch_end()
        for parameter in backbone.parameters():
            parameter.requires_grad = True
        self.client.epoch_begin(model=model)

        begins = [m for m in self.receiver.drain() if m["type"] == "epoch_begin"]
        total = 8 * 16 + 16 + 16 * 2 + 2
        head_only = 16 * 2 + 2
        self.assertEqual([(m["trainable_params"], m["total_params"]) for m in begins], [(head_only, total), (total, total)])
        self.assertEqual(sum(p.numel() for p in head.parameters()), head_only)

    def test_the_module_level_call_takes_the_model(self):
        model = self.model()
        default = wattcast.Client(self.receiver.socket_path, sync=False)
        with unittest.mock.patch.object(wattcast, "default_client", return_value=default):
            wattcast.epoch_begin(model=model)
        default.close()
        message = self.receiver.drain()[0]
        self.assertEqual(message["trainable_params"], message["total_params"])
        self.assertEqual(message["total_params"], sum(p.numel() for p in model.parameters()))


class ParameterCountsWithoutTorchTest(ReceiverTestCase):
    def test_keras_style_weights_are_counted(self):
        weight = types.SimpleNamespace(shape=(3, 4))
        bias = types.SimpleNamespace(shape=(4,))
        model = types.SimpleNamespace(trainable_weights=[bias], weights=[weight, bias])
        self.assertEqual(_client.parameter_counts(model), (4, 16))

    def test_no_model_or_an_unknown_one_sends_no_counts(self):
        self.client.epoch_begin()
        self.client.epoch_begin(model=types.SimpleNamespace(stop_training=False))
        for message in self.receiver.drain():
            self.assertNotIn("trainable_params", message)
            self.assertNotIn("total_params", message)

    def test_a_model_that_fails_to_count_does_not_break_training(self):
        class Broken:
            def parameters(self):
                raise RuntimeError("not built yet")

        self.client.epoch_begin(model=Broken())
        self.assertNotIn("trainable_params", self.receiver.drain()[0])


if __name__ == "__main__":
    unittest.main()
