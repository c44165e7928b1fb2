"""A stand-in for the monitor's marker socket, for the tests: a private directory with a bound
Unix datagram socket, as `wattcast measure` makes."""

import json
import os
import shutil
import socket
import sys
import tempfile
import unittest

# The package under test, without installing it.
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PACKAGE_ROOT not in sys.path:
    sys.path.insert(0, PACKAGE_ROOT)


class MarkerReceiver:
    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="wattcast-test-")
        self.socket_path = os.path.join(self.directory, "marker.sock")
        self.stop_path = os.path.join(self.directory, "stop")
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.bind(self.socket_path)
        self._socket.setblocking(False)

    def drain(self):
        """Every datagram queued so far, decoded."""
        messages = []
        while True:
            try:
                data = self._socket.recv(1 << 20)
            except BlockingIOError:
                return messages
            messages.append(json.loads(data.decode("utf-8")))

    def publish_report(self, report):
        """Writes the epoch report the monitor publishes after an epoch's end."""
        with open(os.path.join(self.directory, "epoch.json"), "w") as report_file:
            json.dump(report, report_file)

    def request_stop(self):
        with open(self.stop_path, "w"):
            pass

    def close(self):
        self._socket.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False


class ReceiverTestCase(unittest.TestCase):
    """A receiver and a client talking to it, fresh for each test."""

    def setUp(self):
        import wattcast  # after PACKAGE_ROOT is on the path

        self.receiver = MarkerReceiver()
        # No report wait: the stand-in publishes reports only when a test writes one beforehand.
        self.client = wattcast.Client(self.receiver.socket_path, sync=False, report_timeout_s=0)

    def tearDown(self):
        self.client.close()
        self.receiver.close()
