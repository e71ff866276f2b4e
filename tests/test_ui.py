"""`postloan ui` starts the Dagster webserver and daemon on loopback with a persistent instance."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (dagster dev starts code servers in their own groups)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_ui_serves_the_code_location_and_keeps_its_instance(tmp_path):
    home = tmp_path / "dagster_home"
    port = free_port()
    postloan = Path(sys.executable).with_name("postloan")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    proc = subprocess.Popen(
        [str(postloan), "ui", "--address", "127.0.0.1", "--port", str(port),
         "--warehouse", str(tmp_path / "wh.duckdb"), "--landing", str(tmp_path / "landing")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info",
                                            timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()[-3000:]
                time.sleep(1)
        assert "dagster_webserver_version" in body
        query = (b'{"query": "{ repositoriesOrError { ... on RepositoryConnection '
                 b'{ nodes { name } } } }"}')
        request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=query,
                                         headers={"Content-Type": "application/json"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = response.read().decode()
            if "__repository__" in answer:
                break
            time.sleep(1)
        assert "__repository__" in answer, answer
        assert (home / "dagster.yaml").exists()
    finally:
        family = descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        for pid in family:  # leave no code server behind
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.2)
    # The instance keeps its storage (run history, schedules) in the folder between starts.
    assert any(home.rglob("*.db")), sorted(p.name for p in home.rglob("*"))
