"""`postloan-dbt`: runs dbt so that it dies with the build that started it.

dagster-dbt starts dbt as a child process. If the build is killed (kill -9, OOM killer), an
orphaned dbt would keep writing the private build file after the writer lock is released. On
Linux this wrapper asks the kernel to kill it when its parent dies, then becomes dbt.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def main() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            sys.exit(1)
    dbt = str(Path(sys.executable).with_name("dbt"))
    os.execv(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()
