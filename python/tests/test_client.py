import math
import os
import socket
import subprocess
import sys
import time
import types
import unittest
from unittest import mock

from marker_receiver import PACKAGE_ROOT, MarkerReceiver, ReceiverTestCase

import wattcast
from wattcast import _client


class FakeCuda:
    def __init__(self, initialized):
        self.initialized = initialized
        self.synchronized = 0

    def is_initialized(self):
        return self.initialized

    def synchronize(self):
        self.synchronized += 1


def fake_torch(initialized=True):
    torch = types.ModuleType("torch")
    torch.cuda = FakeCuda(initialized)
    return torch


class ClientMessagesTest(ReceiverTestCase):
    def test_epochs_are_counted_and_carry_metrics(self):
        before = time.time()
        for _ in range(2):
            self.client.epoch_begin()
            self.client.epoch_end(metrics={"val_f1": 0.97, "loss": 0.25})
        messages = self.receiver.drain()

        self.assertEqual([(m["type"], m["epoch"]) for m in messages],
                         [("epoch_begin", 1), ("epoch_end", 1), ("epoch_begin", 2), ("epoch_end", 2)])
        for message in messages:
            self.assertEqual(message["v"], 1)
            self.assertEqual(message["pid"], os.getpid())
            self.assertGreaterEqual(message["t"], before)
            self.assertNotIn("rank", message)
        self.assertEqual(messages[1]["metrics"], {"val_f1": 0.97, "loss": 0.25})
        self.assertNotIn("metrics", messages[0])

    def test_explicit_numbers_set_the_count(self):
        self.client.epoch_begin(5)
        self.client.epoch_end()
        self.client.epoch_begin()
        self.client.epoch_end(9)
        self.client.epoch_end()  # no epoch open: the next one
        self.assertEqual([m["epoch"] for m in self.receiver.drain()], [5, 5, 6, 9, 10])

    def test_metrics_become_json_numbers(self):
        class Scalar:  # like a numpy scalar or a 0-d tensor
            def __float__(self):
                return 0.5

        self.client.epoch_end(1, metrics={"nan": float("nan"), "inf": math.inf, "int": 3,
                                           "scalar": Scalar(), "text": "high", "list": [1, 2], 7: 1.0})
        (message,) = self.receiver.drain()
        self.assertEqual(message["metrics"],
                         {"nan": None, "inf": None, "int": 3.0, "scalar": 0.5, "7": 1.0})

    def test_phases_name_the_epoch_they_run_in(self):
        with self.client.phase("data loading"):
            pass
        self.client.epoch_begin()
        with self.assertRaises(KeyError):
            with self.client.phase("validation"):
                raise KeyError("the block fails; the phase still ends")
        self.client.epoch_end()

        @self.client.phase("test")
        def evaluate(x):
            return 2 * x

        self.assertEqual(evaluate(21), 42)
        messages = self.receiver.drain()
        self.assertEqual([(m["type"], m.get("name"), m.get("epoch")) for m in messages], [
            ("phase_begin", "data loading", None),
            ("phase_end", "data loading", None),
            ("epoch_begin", None, 1),
            ("phase_begin", "validation", 1),
            ("phase_end", "validation", 1),
            ("epoch_end", None, 1),
            ("phase_begin", "test", None),
            ("phase_end", "test", None),
        ])

    def test_oversized_metrics_are_left_out_but_the_marker_is_sent(self):
        metrics = {"metric_%05d" % i: float(i) for i in range(5000)}
        self.client.epoch_end(1, metrics=metrics)
        (message,) = self.receiver.drain()
        self.assertEqual(message["type"], "epoch_end")
        self.assertNotIn("metrics", message)

    def test_should_stop_follows_the_stop_file(self):
        self.assertFalse(self.client.should_stop())
        self.receiver.request_stop()
        self.assertTrue(self.client.should_stop())

    def test_epoch_end_returns_the_monitors_report_on_that_epoch(self):
        self.assertIsNone(self.client.epoch_end(1))  # nothing published yet
        report = {"epoch": 2, "epoch_energy_j": 1500.0, "epoch_mean_power_w": 250.0,
                  "energy_so_far_j": 3100.0, "co2e_so_far_g": 0.41,
                  "projected_energy_j": 15000.0, "projected_low_j": 14000.0, "projected_high_j": 16500.0,
                  "projected_co2e_g": 1.98, "total_epochs": 10}
        self.receiver.publish_report(report)
        self.assertEqual(self.client.epoch_end(2), report)
        # A report on an earlier epoch is not this epoch's: it is not returned.
        self.assertIsNone(self.client.epoch_end(3))
        self.assertEqual(wattcast.log_values(report), {
            "energy/epoch_j": 1500.0, "energy/epoch_mean_power_w": 250.0, "energy/so_far_j": 3100.0,
            "energy/co2e_so_far_g": 0.41, "energy/projected_total_j": 15000.0,
            "energy/projected_total_low_j": 14000.0, "energy/projected_total_high_j": 16500.0,
            "energy/projected_co2e_g": 1.98})
        self.assertEqual(wattcast.log_values(None), {})

    def test_it_waits_for_a_report_only_from_a_monitor_that_gives_them(self):
        environment = {wattcast._client.SOCKET_ENV: self.receiver.socket_path}
        older = wattcast.Client.from_environment(environment, sync=False)
        newer = wattcast.Client.from_environment(dict(environment, WATTCAST_EPOCH_REPORTS="1"), sync=False,
                                                 report_timeout_s=0.01)
        with mock.patch.object(wattcast._client.time, "sleep") as sleep:
            self.assertIsNone(older.epoch_end(1))
            sleep.assert_not_called()
            self.assertIsNone(newer.epoch_end(2))
            sleep.assert_called()
        older.close()
        newer.close()

    def test_a_half_written_or_foreign_report_is_no_report(self):
        with open(os.path.join(self.receiver.directory, "epoch.json"), "w") as report_file:
            report_file.write('{"epoch": 1, "epoch_ene')
        self.assertIsNone(self.client.epoch_end(1))
        self.receiver.publish_report([1, 2, 3])
        self.assertIsNone(self.client.epoch_end(2))


class NoMonitorTest(unittest.TestCase):
    def test_without_the_variable_nothing_is_created_or_sent(self):
        client = wattcast.Client.from_environment({})
        self.assertFalse(client.enabled)
        torch = fake_torch()
        with mock.patch.object(socket, "socket", side_effect=AssertionError("socket created")), \
                mock.patch.dict(sys.modules, {"torch": torch}):
            client.epoch_begin()
            with client.phase("validation"):
                pass
            self.assertIsNone(client.epoch_end(metrics={"f1": 1.0}))
            self.assertFalse(client.should_stop())
        self.assertEqual(torch.cuda.synchronized, 0)

    def test_a_gone_monitor_is_silent(self):
        receiver = MarkerReceiver()
        client = wattcast.Client(receiver.socket_path, sync=False)
        client.epoch_begin()
        receiver.close()  # socket and directory gone
        self.assertIsNone(client.epoch_end(metrics={"loss": 1.0}))
        client.phase_begin("validation")
        self.assertFalse(client.should_stop())
        client.close()

    def test_a_monitor_that_stops_reading_costs_at_most_the_send_timeout(self):
        with MarkerReceiver() as receiver:
            client = wattcast.Client(receiver.socket_path, sync=False, send_timeout_s=0.01)
            for _ in range(100):  # well past the kernel's queue of queued datagrams
                client.epoch_begin()
            client.close()
            self.assertGreater(len(receiver.drain()), 0)

    def test_only_rank_zero_sends_unless_asked(self):
        with MarkerReceiver() as receiver:
            environ = {_client.SOCKET_ENV: receiver.socket_path, "RANK": "1"}
            worker = wattcast.Client.from_environment(environ, sync=False)
            self.assertFalse(worker.enabled)
            worker.epoch_begin()
            self.assertEqual(receiver.drain(), [])

            receiver.request_stop()
            self.assertTrue(worker.should_stop())  # every rank must stop together

            worker.configure(all_ranks=True)
            worker.epoch_begin()
            (message,) = receiver.drain()
            self.assertEqual(message["rank"], 1)

            chief = wattcast.Client.from_environment(dict(environ, RANK="0"), sync=False)
            chief.epoch_begin()
            self.assertEqual(receiver.drain()[0]["rank"], 0)
            worker.close()
            chief.close()

    def test_a_ranks_own_monitor_gets_that_ranks_markers(self):
        with MarkerReceiver() as receiver:
            environ = {_client.SOCKET_ENV: receiver.socket_path, "SLURM_PROCID": "3", _client.SOCKET_RANK_ENV: "3"}
            own = wattcast.Client.from_environment(environ, sync=False)
            self.assertTrue(own.enabled)
            own.epoch_begin()
            self.assertEqual(receiver.drain()[0]["rank"], 3)
            # A process of another rank that inherited the socket stays quiet.
            other = wattcast.Client.from_environment(dict(environ, RANK="0"), sync=False)
            self.assertFalse(other.enabled)
            own.close()
            other.close()


class SynchronizeTest(unittest.TestCase):
    def setUp(self):
        self.receiver = MarkerReceiver()

    def tearDown(self):
        self.receiver.close()

    def test_waits_for_an_initialized_cuda_device_before_each_marker(self):
        torch = fake_torch(initialized=True)
        client = wattcast.Client(self.receiver.socket_path)
        with mock.patch.dict(sys.modules, {"torch": torch}):
            client.epoch_begin()
            client.epoch_end(sync=False)
            client.configure(sync=False)
            client.epoch_begin()
            client.epoch_end(sync=True)
        client.close()
        self.assertEqual(torch.cuda.synchronized, 2)
        self.assertEqual(len(self.receiver.drain()), 4)

    def test_leaves_an_uninitialized_cuda_alone(self):
        torch = fake_torch(initialized=False)
        with mock.patch.dict(sys.modules, {"torch": torch}):
            _client.synchronize_devices()
        self.assertEqual(torch.cuda.synchronized, 0)

    def test_jax_effects_barrier_and_broken_devices(self):
        calls = []
        jax = types.ModuleType("jax")
        jax.effects_barrier = lambda: calls.append("barrier")
        torch = fake_torch()
        torch.cuda.synchronize = mock.Mock(side_effect=RuntimeError("CUDA error: device lost"))
        with mock.patch.dict(sys.modules, {"jax": jax, "torch": torch}):
            _client.synchronize_devices()  # must not raise
        self.assertEqual(calls, ["barrier"])

    def test_imports_no_framework(self):
        absent = [m for m in ("torch", "jax") if m not in sys.modules]
        _client.synchronize_devices()
        for module in absent:
            self.assertNotIn(module, sys.modules)


class ModuleApiTest(unittest.TestCase):
    """The module-level functions in a fresh interpreter, as a training script uses them."""

    def run_script(self, script, socket_path):
        environ = dict(os.environ, PYTHONPATH=PACKAGE_ROOT, PYTHONDONTWRITEBYTECODE="1")
        environ.pop(_client.SOCKET_ENV, None)
        environ.pop("RANK", None)
        if socket_path is not None:
            environ[_client.SOCKET_ENV] = socket_path
        return subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True,
                              text=True, timeout=60)

    def test_training_loop_markers(self):
        script = "\n".join([
            "import wattcast",
            "wattcast.configure(sync=False)",
            "for epoch in range(2):",
            "    wattcast.epoch_begin()",
            "    with wattcast.phase('validation'):",
            "        pass",
            "    wattcast.epoch_end(metrics={'val_f1': 0.5 + epoch})",
        ])
        with MarkerReceiver() as receiver:
            result = self.run_script(script, receiver.socket_path)
            self.assertEqual(result.returncode, 0, result.stderr)
            messages = receiver.drain()
        self.assertEqual([(m["type"], m["epoch"]) for m in messages], [
            ("epoch_begin", 1), ("phase_begin", 1), ("phase_end", 1), ("epoch_end", 1),
            ("epoch_begin", 2), ("phase_begin", 2), ("phase_end", 2), ("epoch_end", 2)])
        self.assertEqual(messages[7]["metrics"], {"val_f1": 1.5})

    def test_import_loads_no_framework(self):
        script = "\n".join([
            "import sys, wattcast",
            "wattcast.epoch_begin()",
            "loaded = [m for m in ('torch', 'jax', 'keras', 'tensorflow', 'lightning',",
            "                      'pytorch_lightning', 'transformers') if m in sys.modules]",
            "assert not loaded, loaded",
        ])
        result = self.run_script(script, None)
        self.assertEqual(result.returncode, 0, result.stderr)


if __name__ == "__main__":
    unittest.main()
