"""What the dashboard tests share for driving the app headless with AppTest."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.auth import User
from dashboard.data import VIEWER_KEY

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
# The reader the page tests sign in as: the committee sees every branch, unmasked.
COMMITTEE = User("test.committee", "committee")


def checked(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_app(user: User | None = COMMITTEE, timeout: float = 30) -> AppTest:
    """The app after its first run, signed in as ``user`` (None: not signed in, the login form).

    Signing in puts the user in the session as the login form does after checking the password
    (``tests/test_dashboard_access.py`` tests the form itself)."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if user is not None:
        at.session_state[VIEWER_KEY] = user
    at.run()
    return checked(at)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def texts(elements) -> list[str]:  # noqa: ANN001 - an AppTest element list
    return [e.value for e in elements]
