"""The `postloan` command's process handling, and how it words a failed build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from postloan.cli import _plain
from postloan.defs.sensors import error_reason, without_class_path


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


def _error(cls_name: str, message: str, cause=None) -> SimpleNamespace:
    """The fields of Dagster's SerializableErrorInfo that error_reason reads."""
    return SimpleNamespace(cls_name=cls_name, message=message, cause=cause)


def test_a_failure_is_worded_by_the_outermost_error_that_is_not_dagsters():
    """The run log (CLI and failure sensor) names what the loader said, with file and line: not
    Dagster's step wrapper around it, nor the UnicodeDecodeError under it."""
    decode = _error("UnicodeDecodeError", "UnicodeDecodeError: 'gb18030' codec can't decode")
    landing = _error("LandingFileError", "postloan.landing.readers.LandingFileError: "
                     "/in/b/loans.csv: line 7: bytes are neither UTF-8 nor GBK/GB18030\n", decode)
    step = _error("DagsterExecutionStepExecutionError", "dagster._core.errors."
                  "DagsterExecutionStepExecutionError: Error occurred while executing op", landing)
    assert error_reason(step) == "/in/b/loans.csv: line 7: bytes are neither UTF-8 nor GBK/GB18030"
    # Only Dagster's own errors: the innermost, which the CLI then words for people.
    interrupted = _error("DagsterExecutionInterruptedError",
                         "dagster._core.errors.DagsterExecutionInterruptedError: ")
    assert _plain(error_reason(_error("DagsterExecutionStepExecutionError", "x", interrupted))) \
        == "the build was interrupted (terminated by a signal)"
    assert error_reason(None) == "step failed"
    # A message may start with a file name: only a module path and class name are dropped.
    assert without_class_path("postloan.landing.manifest.ManifestError: manifest.json: line 3: "
                              "x") == "manifest.json: line 3: x"
    assert without_class_path("loans.csv: line 2: y") == "loans.csv: line 2: y"
    assert without_class_path("/in/b/loans.csv: line 2: y") == "/in/b/loans.csv: line 2: y"
