"""The `postloan` command's process handling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def test_a_stop_signal_to_the_serving_process_stops_its_server(tmp_path):
    """`postloan serve` and `postloan ui` run their server as a child: a SIGTERM sent to the
    command (a service manager, `kill <pid>`) must stop the server too, not leave it holding
    its port. The child here stands in for the server and records its pid."""
    pidfile = tmp_path / "child.pid"
    child_code = (
        "import os, pathlib, time\n"
        f"tmp = pathlib.Path({str(pidfile)!r} + '.tmp')\n"
        "tmp.write_text(str(os.getpid()))\n"
        f"os.replace(tmp, {str(pidfile)!r})\n"
        "time.sleep(60)\n")
    parent_code = ("import sys\nfrom postloan.cli import run_child\n"
                   f"sys.exit(run_child([sys.executable, '-c', {child_code!r}]))\n")
    parent = subprocess.Popen([sys.executable, "-c", parent_code])
    child_pid = None
    try:
        deadline = time.monotonic() + 30
        while not pidfile.exists():
            assert parent.poll() is None, "the command ended before its child started"
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        child_pid = int(pidfile.read_text())
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=15) == 128 + signal.SIGTERM
        with pytest.raises(ProcessLookupError):
            os.kill(child_pid, 0)  # gone, and reaped by the command
    finally:
        if parent.poll() is None:
            parent.kill()
        if child_pid is not None:
            try:
                os.kill(child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
