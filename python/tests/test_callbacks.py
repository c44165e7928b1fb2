"""The framework callbacks, driven the way each framework calls them, against stand-in framework
modules: the real ones are not needed (nor, usually, installed) to test the marking logic."""

import importlib
import sys
import types
import unittest
from unittest import mock

from marker_receiver import ReceiverTestCase

import wattcast

CALLBACK_MODULES = ("wattcast.keras", "wattcast.lightning", "wattcast.huggingface")
FRAMEWORK_MODULES = ("keras", "tensorflow", "lightning", "lightning.pytorch", "pytorch_lightning",
                     "transformers")


def fresh_import(module_name, frameworks):
    """Imports a callback module with exactly `frameworks` importable (None: not installed)."""
    modules = {name: None for name in FRAMEWORK_MODULES}
    modules.update(frameworks)
    patcher = mock.patch.dict(sys.modules, modules)
    patcher.start()
    for name in CALLBACK_MODULES:
        sys.modules.pop(name, None)
    try:
        return importlib.import_module(module_name)
    finally:
        for name in CALLBACK_MODULES:
            sys.modules.pop(name, None)
        patcher.stop()


def fake_keras():
    keras = types.ModuleType("keras")
    keras.callbacks = types.SimpleNamespace(Callback=type("Callback", (), {"__init__": lambda self: None}))
    return keras


def fake_lightning():
    lightning = types.ModuleType("lightning")
    pytorch = types.ModuleType("lightning.pytorch")
    pytorch.Callback = type("Callback", (), {})
    lightning.pytorch = pytorch
    return {"lightning": lightning, "lightning.pytorch": pytorch}


def fake_transformers():
    transformers = types.ModuleType("transformers")
    transformers.TrainerCallback = type("TrainerCallback", (), {})
    return transformers


class CallbackTestCase(ReceiverTestCase):
    def sent(self):
        return [(m["type"], m.get("epoch"), m.get("name")) for m in self.receiver.drain()]


class MissingFrameworkTest(unittest.TestCase):
    def test_each_callback_module_says_what_to_install(self):
        for module, hint in (("wattcast.keras", "pip install keras"),
                             ("wattcast.lightning", "pip install lightning"),
                             ("wattcast.huggingface", "pip install transformers")):
            with self.subTest(module=module):
                with self.assertRaises(ImportError) as raised:
                    fresh_import(module, {})
                self.assertIn(hint, str(raised.exception))
                self.assertIn("import wattcast", str(raised.exception))


class KerasCallbackTest(CallbackTestCase):
    def test_fit_with_validation(self):
        module = fresh_import("wattcast.keras", {"keras": fake_keras()})
        callback = module.WattcastCallback(client=self.client)
        callback.model = types.SimpleNamespace(stop_training=False)
        for epoch in range(2):  # as Model.fit calls them, epochs from 0
            callback.on_epoch_begin(epoch)
            callback.on_test_begin()
            callback.on_test_end()
            callback.on_epoch_end(epoch, logs={"loss": 0.3, "val_accuracy": 0.9})
        messages = self.receiver.drain()
        self.assertEqual([(m["type"], m.get("epoch")) for m in messages], [
            ("epoch_begin", 1), ("phase_begin", 1), ("phase_end", 1), ("epoch_end", 1),
            ("epoch_begin", 2), ("phase_begin", 2), ("phase_end", 2), ("epoch_end", 2)])
        self.assertEqual(messages[3]["metrics"], {"loss": 0.3, "val_accuracy": 0.9})
        self.assertFalse(callback.model.stop_training)

    def test_the_epochs_energy_joins_its_logs_for_the_callbacks_after(self):
        module = fresh_import("wattcast.keras", {"keras": fake_keras()})
        callback = module.WattcastCallback(client=self.client)
        callback.model = types.SimpleNamespace(stop_training=False)
        callback.on_epoch_begin(0)
        self.receiver.publish_report({"epoch": 1, "epoch_energy_j": 900.0, "energy_so_far_j": 1000.0})
        logs = {"loss": 0.3}
        callback.on_epoch_end(0, logs=logs)
        self.assertEqual(logs, {"loss": 0.3, "energy/epoch_j": 900.0, "energy/so_far_j": 1000.0})
        self.assertEqual(self.receiver.drain()[-1]["metrics"], {"loss": 0.3})  # sent before the energy joined

    def test_stop_request_stops_fit_at_epoch_end(self):
        module = fresh_import("wattcast.keras", {"keras": fake_keras()})
        callback = module.WattcastCallback(client=self.client)
        callback.model = types.SimpleNamespace(stop_training=False)
        callback.on_epoch_begin(0)
        self.receiver.request_stop()
        self.assertFalse(callback.model.stop_training)
        callback.on_epoch_end(0, logs={})
        self.assertTrue(callback.model.stop_training)

    def test_tf_keras_when_only_tensorflow_is_loaded(self):
        tensorflow = types.ModuleType("tensorflow")
        tensorflow.keras = fake_keras()
        module = fresh_import("wattcast.keras", {"tensorflow": tensorflow})
        self.assertTrue(issubclass(module.WattcastCallback, tensorflow.keras.callbacks.Callback))

    def test_default_client_is_used_without_one(self):
        module = fresh_import("wattcast.keras", {"keras": fake_keras()})
        self.assertIs(module.WattcastCallback().client, wattcast.default_client())


class LightningCallbackTest(CallbackTestCase):
    def trainer(self, **overrides):
        fields = dict(current_epoch=0, is_global_zero=True, sanity_checking=False, should_stop=False,
                      callback_metrics={})
        fields.update(overrides)
        return types.SimpleNamespace(**fields)

    def test_fit_with_sanity_check_and_validation(self):
        module = fresh_import("wattcast.lightning", fake_lightning())
        callback = module.WattcastCallback(client=self.client)
        trainer = self.trainer(sanity_checking=True)
        callback.on_validation_start(trainer, None)  # the sanity check is not a phase
        callback.on_validation_end(trainer, None)
        trainer.sanity_checking = False
        for epoch in range(2):
            trainer.current_epoch = epoch
            callback.on_train_epoch_start(trainer, None)
            callback.on_validation_start(trainer, None)
            callback.on_validation_end(trainer, None)
            trainer.callback_metrics = {"train_loss": 0.5 - epoch / 10, "val_loss": 0.6}
            callback.on_train_epoch_end(trainer, None)
        messages = self.receiver.drain()
        self.assertEqual([(m["type"], m.get("epoch")) for m in messages], [
            ("epoch_begin", 1), ("phase_begin", 1), ("phase_end", 1), ("epoch_end", 1),
            ("epoch_begin", 2), ("phase_begin", 2), ("phase_end", 2), ("epoch_end", 2)])
        self.assertEqual(messages[7]["metrics"], {"train_loss": 0.4, "val_loss": 0.6})
        self.assertFalse(trainer.should_stop)

    def test_other_ranks_send_nothing_but_stop_too(self):
        module = fresh_import("wattcast.lightning", fake_lightning())
        callback = module.WattcastCallback(client=self.client)
        trainer = self.trainer(is_global_zero=False)
        callback.on_train_epoch_start(trainer, None)
        self.receiver.request_stop()
        callback.on_train_epoch_end(trainer, None)
        self.assertEqual(self.receiver.drain(), [])
        self.assertTrue(trainer.should_stop)

    def test_the_epochs_energy_goes_to_the_modules_loggers(self):
        module = fresh_import("wattcast.lightning", fake_lightning())
        callback = module.WattcastCallback(client=self.client)
        logged = []
        pl_module = types.SimpleNamespace(log_dict=lambda values, **options: logged.append((values, options)))
        trainer = self.trainer()
        callback.on_train_epoch_start(trainer, pl_module)
        callback.on_train_epoch_end(trainer, pl_module)  # no report: nothing logged
        self.assertEqual(logged, [])
        self.receiver.publish_report({"epoch": 1, "epoch_energy_j": 700.0, "projected_energy_j": 7000.0})
        callback.on_train_epoch_end(trainer, pl_module)
        self.assertEqual(logged, [({"energy/epoch_j": 700.0, "energy/projected_total_j": 7000.0}, {"rank_zero_only": True})])

    def test_older_package_when_the_newer_is_missing(self):
        pytorch_lightning = types.ModuleType("pytorch_lightning")
        pytorch_lightning.Callback = type("Callback", (), {})
        module = fresh_import("wattcast.lightning", {"pytorch_lightning": pytorch_lightning})
        self.assertTrue(issubclass(module.WattcastCallback, pytorch_lightning.Callback))


class HuggingFaceCallbackTest(CallbackTestCase):
    def setUp(self):
        super().setUp()
        module = fresh_import("wattcast.huggingface", {"transformers": fake_transformers()})
        self.callback = module.WattcastCallback(client=self.client)
        self.state = types.SimpleNamespace(epoch=0.0, is_world_process_zero=True)

    def control(self, should_evaluate):
        return types.SimpleNamespace(should_evaluate=should_evaluate, should_training_stop=False)

    def test_epoch_ends_after_its_evaluation_with_its_metrics(self):
        # Trainer order per epoch: on_epoch_begin, steps with on_log, on_epoch_end (which the flow
        # callback has marked for evaluation), then on_evaluate.
        messages = []
        for epoch in range(2):
            self.state.epoch = float(epoch)
            self.callback.on_epoch_begin(None, self.state, self.control(False))
            self.callback.on_log(None, self.state, self.control(False),
                                 logs={"loss": 0.7 - epoch / 10, "learning_rate": 1e-5, "epoch": epoch + 0.5})
            self.state.epoch = float(epoch + 1)
            control = self.control(True)
            self.callback.on_epoch_end(None, self.state, control)
            messages += self.receiver.drain()
            self.assertEqual(messages[-1]["type"], "epoch_begin")  # the end waits for the evaluation
            self.callback.on_evaluate(None, self.state, control,
                                      metrics={"eval_loss": 0.4, "eval_accuracy": 0.87, "epoch": epoch + 1.0})
        self.callback.on_train_end(None, self.state, self.control(False))

        messages += self.receiver.drain()
        self.assertEqual([(m["type"], m["epoch"]) for m in messages],
                         [("epoch_begin", 1), ("epoch_end", 1), ("epoch_begin", 2), ("epoch_end", 2)])
        self.assertEqual(messages[1]["metrics"],
                         {"loss": 0.7, "learning_rate": 1e-5, "eval_loss": 0.4, "eval_accuracy": 0.87})
        self.assertEqual(messages[3]["metrics"]["loss"], 0.6)

    def test_without_evaluation_the_epoch_ends_at_once_and_can_stop_training(self):
        self.callback.on_epoch_begin(None, self.state, self.control(False))
        self.state.epoch = 1.0
        self.receiver.request_stop()
        control = self.control(False)
        self.callback.on_epoch_end(None, self.state, control)
        self.assertEqual([(m["type"], m["epoch"]) for m in self.receiver.drain()],
                         [("epoch_begin", 1), ("epoch_end", 1)])
        self.assertTrue(control.should_training_stop)

    def test_stop_request_is_applied_after_the_evaluation(self):
        self.callback.on_epoch_begin(None, self.state, self.control(False))
        self.state.epoch = 1.0
        control = self.control(True)
        self.callback.on_epoch_end(None, self.state, control)
        self.receiver.request_stop()
        self.callback.on_evaluate(None, self.state, control, metrics={"eval_loss": 0.4})
        self.assertTrue(control.should_training_stop)

    def test_an_evaluation_that_never_reports_still_ends_the_epoch(self):
        self.callback.on_epoch_begin(None, self.state, self.control(False))
        self.state.epoch = 1.0
        self.callback.on_epoch_end(None, self.state, self.control(True))
        self.callback.on_train_end(None, self.state, self.control(False))
        self.assertEqual([(m["type"], m["epoch"]) for m in self.receiver.drain()],
                         [("epoch_begin", 1), ("epoch_end", 1)])

    def test_the_epochs_energy_goes_into_the_next_log_and_attach_puts_the_callback_first(self):
        self.callback.on_epoch_begin(None, self.state, self.control(False))
        self.state.epoch = 1.0
        self.receiver.publish_report({"epoch": 1, "epoch_energy_j": 1200.0, "energy_so_far_j": 1300.0})
        control = self.control(False)
        self.callback.on_epoch_end(None, self.state, control)
        self.assertTrue(control.should_log)
        logs = {"loss": 0.5}
        self.callback.on_log(None, self.state, control, logs=logs)
        self.assertEqual(logs, {"loss": 0.5, "energy/epoch_j": 1200.0, "energy/so_far_j": 1300.0})
        later = {"loss": 0.4}
        self.callback.on_log(None, self.state, control, logs=later)
        self.assertEqual(later, {"loss": 0.4})  # once per epoch

        module = fresh_import("wattcast.huggingface", {"transformers": fake_transformers()})
        reporting = object()
        trainer = types.SimpleNamespace(callback_handler=types.SimpleNamespace(callbacks=[reporting]))
        attached = module.attach(trainer, client=self.client)
        self.assertEqual(trainer.callback_handler.callbacks, [attached, reporting])

    def test_resumed_mid_epoch_counts_from_the_running_epoch(self):
        self.state.epoch = 2.5
        self.callback.on_epoch_begin(None, self.state, self.control(False))
        self.assertEqual(self.receiver.drain()[0]["epoch"], 3)


if __name__ == "__main__":
    unittest.main()


class EarlyStoppingOptionTest(CallbackTestCase):
    """`stop_when_gain_per_kj_below` is sent to the monitor once, before the first epoch marker."""

    def test_each_callback_sends_the_rule_once_before_the_first_epoch(self):
        keras = fresh_import("wattcast.keras", {"keras": fake_keras()})
        callback = keras.WattcastCallback(client=self.client, stop_when_gain_per_kj_below=0.002, metric="val_f1")
        callback.model = types.SimpleNamespace(stop_training=False)
        for epoch in range(2):
            callback.on_epoch_begin(epoch)
            callback.on_epoch_end(epoch, logs={"val_f1": 0.9})
        messages = self.receiver.drain()
        self.assertEqual([m["type"] for m in messages],
                         ["early_stopping", "epoch_begin", "epoch_end", "epoch_begin", "epoch_end"])
        self.assertEqual((messages[0]["min_gain_per_kj"], messages[0]["name"], messages[0]["mode"]), (0.002, "val_f1", "max"))

        lightning = fresh_import("wattcast.lightning", fake_lightning())
        callback = lightning.WattcastCallback(client=self.client, stop_when_gain_per_kj_below=0.5, mode="min")
        trainer = types.SimpleNamespace(current_epoch=0, is_global_zero=True, sanity_checking=False, should_stop=False,
                                        callback_metrics={})
        callback.on_train_epoch_start(trainer, None)
        callback.on_train_epoch_start(trainer, None)
        messages = self.receiver.drain()
        self.assertEqual([m["type"] for m in messages], ["early_stopping", "epoch_begin", "epoch_begin"])
        self.assertEqual(messages[0]["mode"], "min")
        self.assertNotIn("name", messages[0])

    def test_without_the_option_nothing_extra_is_sent(self):
        keras = fresh_import("wattcast.keras", {"keras": fake_keras()})
        callback = keras.WattcastCallback(client=self.client)
        callback.on_epoch_begin(0)
        self.assertEqual([m["type"] for m in self.receiver.drain()], ["epoch_begin"])

    def test_a_bad_mode_or_threshold_fails_at_construction(self):
        keras = fresh_import("wattcast.keras", {"keras": fake_keras()})
        with self.assertRaises(ValueError):
            keras.WattcastCallback(client=self.client, stop_when_gain_per_kj_below=0.1, mode="up")
        with self.assertRaises(ValueError):
            keras.WattcastCallback(client=self.client, stop_when_gain_per_kj_below=float("nan"))
