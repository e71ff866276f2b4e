"""What `postloan build` writes to the terminal while a run goes on.

Dagster's own console logger prints every error event with the stack trace of Dagster's step
machinery, and a step skipped after a failure with one entry per output of the failed step
(``['ingest_landing', 'ingest_landing', ...]``, once per asset). An operator reading a failed
morning build needs the reason, not 40 lines of frames inside Dagster. This logger prints the
same events one line each: the stack trace is cut (it stays in the run's event log, which
``postloan ui`` shows, and ``--log-level DEBUG`` prints it here too) and repeated step names are
listed once. The run's stored events are untouched: only the text written here is shortened.
"""

from __future__ import annotations

import logging
import re
import sys

from dagster import Field, InitLoggerContext, logger

TRACE = "\n\nStack Trace:"
# An error with no message of its own (dagster._core.errors.DagsterExecutionInterruptedError).
BARE_CLASS = re.compile(r"(?:[A-Za-z_]\w*\.)+[A-Z]\w*:?")
# "Dependencies for step X failed: ['a', 'a', 'b']" / "... were not executed: [...]"
STEP_LIST = re.compile(r"(Dependencies for step \S+ (?:failed|were not executed)): \[([^\]]*)\]")


def concise(message: str, traces: bool = False) -> str:
    """One event as the terminal shows it: without Dagster's stack trace (unless ``traces``),
    the error under it indented and without its class path, a run failure's repeat of its
    step's error left out, and each step of a dependency list named once, in order."""
    from postloan.defs.sensors import without_class_path

    if traces:
        return message
    if TRACE in message:
        message = message[:message.index(TRACE)].rstrip()
    head, _, body = message.partition("\n\n")
    if body and " - RUN_FAILURE - " in head:
        body = ""  # the same error as the step's failure, printed just before

    def once(found: re.Match) -> str:
        names = [n.strip().strip("'\"") for n in found.group(2).split(",") if n.strip()]
        return f"{found.group(1)}: {', '.join(dict.fromkeys(names))}"

    head = STEP_LIST.sub(once, head)
    if not body:
        return head
    lines = [line for line in without_class_path(body.strip()).splitlines()
             if line.strip() and not BARE_CLASS.fullmatch(line.strip())]
    return head + "".join("\n    " + line for line in lines)


class ConciseFormatter(logging.Formatter):
    def __init__(self, traces: bool) -> None:
        super().__init__("%(asctime)s - %(levelname)s - %(message)s", "%Y-%m-%d %H:%M:%S %z")
        self.traces = traces

    def format(self, record: logging.LogRecord) -> str:
        return concise(super().format(record), self.traces)


@logger(config_schema={"log_level": Field(str, is_required=False, default_value="INFO")},
        description="One line per event on stderr; stack traces only at DEBUG.")
def concise_console(init_context: InitLoggerContext) -> logging.Logger:
    level = init_context.logger_config["log_level"].upper()
    out = logging.Logger("postloan", level=level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConciseFormatter(traces=level == "DEBUG"))
    out.addHandler(handler)
    return out
