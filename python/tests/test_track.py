"""wattcast.track() against the real CLI (`measure --attach`): CTest sets WATTCAST_BIN to the
built binary; without it (a bare `python -m unittest`) these tests are skipped."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import marker_receiver  # noqa: F401  (puts the package under test on the path)
import wattcast


@unittest.skipUnless(os.environ.get("WATTCAST_BIN"), "needs the wattcast binary (WATTCAST_BIN)")
class TrackTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="wattcast-track-test-")
        self.store = os.path.join(self.directory, "runs.db")

    def tearDown(self):
        shutil.rmtree(self.directory, ignore_errors=True)

    def test_each_tracked_block_is_one_run_with_its_epochs(self):
        with wattcast.track(self.store, tags={"cell": "1"}) as first:
            for epoch in (1, 2):
                wattcast.epoch_begin()
                sum(i * i for i in range(50000))
                report = wattcast.epoch_end(metrics={"loss": 0.5})
                self.assertEqual(report["epoch"], epoch)
                self.assertGreater(report["energy_so_far_j"], 0)
        self.assertFalse(wattcast.enabled())  # markers stop with the tracking
        with wattcast.track(self.store) as second:
            sum(i * i for i in range(50000))
        self.assertEqual((first.summary.run, second.summary.run), (1, 2))
        self.assertEqual(len(first.summary.epochs), 2)
        self.assertEqual(second.summary.epochs, [])
        self.assertGreater(first.summary.energy_j, 0)
        self.assertEqual(first.summary.raw["tags"], {"cell": "1"})
        text = repr(first.summary)
        self.assertIn("energy", text)
        self.assertNotRegex(text, r"\de[-+]\d")  # plain numbers
        self.assertIn("<table>", first.summary._repr_html_())

    def test_as_a_decorator_every_call_is_a_run(self):
        @wattcast.track(self.store)
        def step():
            return sum(i * i for i in range(10000))

        step()
        step()

        def show(run):
            return subprocess.run([os.environ["WATTCAST_BIN"], "show", str(run), "--store", self.store, "--format", "json"],
                                  capture_output=True, text=True)

        self.assertEqual(show(2).returncode, 0)
        self.assertIn('"attached: ', show(2).stdout)
        self.assertNotEqual(show(3).returncode, 0)

    def test_a_tracked_process_that_dies_loses_nothing_measured(self):
        program = ("import os, signal, wattcast\n"
                   f"wattcast.track({self.store!r}).start()\n"
                   "for epoch in range(2):\n"
                   "    wattcast.epoch_begin()\n"
                   "    sum(i * i for i in range(50000))\n"
                   "    wattcast.epoch_end()\n"
                   "os.kill(os.getpid(), signal.SIGKILL)\n")
        environment = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(wattcast.__file__)))
        killed = subprocess.run([sys.executable, "-c", program], env=environment)
        self.assertEqual(killed.returncode, -signal.SIGKILL)
        # The monitor sees its process end and closes the run on its own; `show` waits for nothing,
        # so poll for the closed run (bounded).
        deadline = time.monotonic() + 30
        while True:
            shown = subprocess.run([os.environ["WATTCAST_BIN"], "show", "1", "--store", self.store, "--format", "json"],
                                   capture_output=True, text=True)
            run = json.loads(shown.stdout) if shown.returncode == 0 else {}
            if "ended" in run.get("end_reason", "") or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        self.assertIn("ended", run.get("end_reason", ""), shown.stderr)
        self.assertEqual(len(run["epochs"]), 2)

    def test_start_and_stop_by_hand_and_a_failed_start_says_why(self):
        tracker = wattcast.track(self.store).start()
        self.assertTrue(tracker.running)
        summary = tracker.stop()
        self.assertIs(tracker.stop(), summary)  # stopping twice returns the same run
        bad = wattcast.track(self.directory)  # a folder is no store
        with self.assertRaises(RuntimeError) as raised:
            bad.start()
        self.assertNotIn("\n", str(raised.exception))
        self.assertFalse(bad.running)


if __name__ == "__main__":
    unittest.main()
