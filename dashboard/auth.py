"""Who is reading: users and roles from a configuration file, password hashes, the access log.

Roles (fixed here, assigned to users in the file):

* ``committee``: every branch, borrower names and id numbers shown (the committee decides on
  named large exposures);
* ``analyst``: every branch, reads the **masked published copy** (``postloan.masked.duckdb``), so
  names and id numbers are masked physically, in the dashboard and in every export;
* ``branch_officer``: only the branches listed for the user, names shown (an officer manages
  their own borrowers). Bank-wide figures (concentration ratios against capital ...) are not
  shown to an officer: the data layer scopes every table to the officer's branches or, where a
  table cannot be scoped, shows it empty.

The file (``POSTLOAN_USERS``, else ``config/dashboard_users.yaml``, else the bundled demo file
``config/dashboard_users.demo.yaml``) looks like::

    users:
      wang.fang:
        role: committee
        password_hash: "scrypt$16384$8$1$<salt, base64>$<hash, base64>"
      li.lei:
        role: branch_officer
        branches: [Shanghai]

``python -m dashboard.auth hash`` prints the hash of a password typed at the prompt. Hashes are
scrypt (``hashlib``) with a random 16-byte salt; plain pbkdf2_sha256 hashes
(``pbkdf2_sha256$<iterations>$<salt>$<hash>``) are accepted too.

Every view of unmasked personal data (a query result or an export with ``borrower_name`` or
``id_number`` read from the unmasked warehouse) is appended to the access log beside the
warehouse (``<warehouse>.access.jsonl``) with the user, role, UTC time, what was read and how many
rows.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import getpass
import hashlib
import hmac
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from postloan.paths import PROJECT_DIR

ROLES = ("committee", "analyst", "branch_officer")
MASKED_ROLES = frozenset({"analyst"})
BRANCH_ROLES = frozenset({"branch_officer"})
# Personal data as the dashboard names it: the landing contract's personal columns and the
# guarantor's name (a borrower_name read for a guarantor).
PERSONAL_COLUMNS = frozenset({"borrower_name", "id_number", "guarantor_name"})

USERS_ENV = "POSTLOAN_USERS"
USERS_FILE = PROJECT_DIR / "config" / "dashboard_users.yaml"
DEMO_USERS_FILE = PROJECT_DIR / "config" / "dashboard_users.demo.yaml"

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


class ConfigError(ValueError):
    """The users file is missing or malformed."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    branches: tuple[str, ...] = ()

    @property
    def masked(self) -> bool:
        """Reads the masked copy: personal data is never in what this user gets."""
        return self.role in MASKED_ROLES

    @property
    def branch_scope(self) -> tuple[str, ...] | None:
        """The branches this user may see; None for every branch."""
        return self.branches if self.role in BRANCH_ROLES else None


# --- password hashes ------------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` of ``password`` (a random salt unless one is given)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the ``stored`` hash; False for a malformed hash."""
    try:
        kind, *fields = stored.split("$")
        if kind == "scrypt":
            n, r, p, salt, expected = fields
            digest = hashlib.scrypt(
                password.encode("utf-8"),
                salt=base64.b64decode(salt),
                n=int(n),
                r=int(r),
                p=int(p),
                dklen=len(base64.b64decode(expected)),
            )
        elif kind == "pbkdf2_sha256":
            iterations, salt, expected = fields
            digest = hashlib.pbkdf2_hmac(
                "sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations)
            )
        else:
            return False
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


# --- the users file ---------------------------------------------------------------------------


def users_file() -> Path:
    """The users file in force: ``POSTLOAN_USERS``, else the real file, else the demo file."""
    configured = os.environ.get(USERS_ENV)
    if configured:
        return Path(configured)
    return USERS_FILE if USERS_FILE.exists() else DEMO_USERS_FILE


def is_demo(path: Path) -> bool:
    return path.resolve() == DEMO_USERS_FILE.resolve()


@dataclass(frozen=True)
class Account:
    user: User
    password_hash: str


def load_accounts(path: Path) -> dict[str, Account]:
    """Every account of the users file, checked: a known role, a hash, branches for officers."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"users file not found: {path}") from None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, dict) or not users:
        raise ConfigError(f"{path}: no users")
    accounts = {}
    for name, entry in users.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: user {name!r} is not a mapping")
        role = entry.get("role")
        if role not in ROLES:
            raise ConfigError(f"{path}: user {name!r} has role {role!r}, not one of {ROLES}")
        password_hash = entry.get("password_hash")
        if not isinstance(password_hash, str) or "$" not in password_hash:
            raise ConfigError(f"{path}: user {name!r} has no password_hash")
        branches = entry.get("branches") or []
        if isinstance(branches, str):
            branches = [branches]
        branches = tuple(str(b) for b in branches)
        if role in BRANCH_ROLES and not branches:
            raise ConfigError(f"{path}: branch officer {name!r} has no branches")
        accounts[str(name)] = Account(User(str(name), role, branches), password_hash)
    return accounts


# Guessing passwords: after MAX_FAILURES wrong passwords in a row for one user name, that name
# is refused for LOCK_SECONDS (in this server process), right password or not.
MAX_FAILURES = 5
LOCK_SECONDS = 300.0
_FAILURES: dict[str, tuple[int, float]] = {}  # user name -> (failures in a row, last failure)
_FAILURES_LOCK = threading.Lock()


class LockedError(RuntimeError):
    """Too many wrong passwords for this user name; try again later."""


def _check_lock(name: str, now: float) -> None:
    with _FAILURES_LOCK:
        count, last = _FAILURES.get(name, (0, 0.0))
        if count >= MAX_FAILURES and now - last < LOCK_SECONDS:
            raise LockedError(name)
        if count >= MAX_FAILURES:
            _FAILURES.pop(name, None)  # the lock has expired


def _record(name: str, ok: bool, now: float) -> None:
    with _FAILURES_LOCK:
        if ok:
            _FAILURES.pop(name, None)
        else:
            count, _ = _FAILURES.get(name, (0, 0.0))
            _FAILURES[name] = (count + 1, now)


def authenticate(
    name: str, password: str, path: Path | None = None, now: float | None = None
) -> User | None:
    """The user when ``name`` and ``password`` match the users file, else None. Raises
    :class:`LockedError` while the name is locked after too many wrong passwords."""
    now = time.monotonic() if now is None else now
    _check_lock(name, now)
    accounts = load_accounts(path or users_file())
    account = accounts.get(name)
    if account is None:
        verify_password(password, hash_password("x"))  # same work for unknown names
        _record(name, False, now)
        return None
    ok = verify_password(password, account.password_hash)
    _record(name, ok, now)
    return account.user if ok else None


# --- access log -------------------------------------------------------------------------------

_LOG_LOCK = threading.Lock()


def access_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".access.jsonl")


def personal_columns(columns: Iterable[Any]) -> list[str]:
    return sorted(str(c) for c in columns if str(c) in PERSONAL_COLUMNS)


# Entities whose rejected raw records carry personal columns (the landing contract's borrowers).
PERSONAL_ENTITIES = frozenset({"borrowers"})


def personal_columns_of(frame: Any) -> list[str]:
    """The personal columns of a query result: the named ones, and ``raw_record`` when it holds a
    rejected row of an entity with personal columns (a borrower's name in the raw line)."""
    found = personal_columns(frame.columns)
    if "raw_record" in frame.columns and "entity" in frame.columns:
        if frame["entity"].isin(list(PERSONAL_ENTITIES)).any():
            found.append("raw_record")
    return sorted(found)


def log_personal_access(
    warehouse: Path,
    user: User | None,
    action: str,
    what: str,
    columns: Iterable[str],
    rows: int,
    params: Iterable[Any] = (),
) -> dict[str, Any]:
    """Append one record of unmasked personal data seen by ``user``; returns it."""
    record = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": None if user is None else user.name,
        "role": None if user is None else user.role,
        "action": action,  # "view" or "export"
        "what": what,
        "columns": sorted(columns),
        "rows": rows,
        "params": [str(p) for p in params],
    }
    path = access_log_path(warehouse)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _LOG_LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line)
    return record


def read_access_log(warehouse: Path) -> list[dict[str, Any]]:
    path = access_log_path(warehouse)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- command line: hash a password, check a file ---------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.auth")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("hash", help="print the scrypt hash of a password read from the prompt")
    check = sub.add_parser("check", help="load a users file and list its users and roles")
    check.add_argument("file", nargs="?", type=Path)
    args = parser.parse_args(argv)
    if args.command == "hash":
        password = getpass.getpass("password: ")
        if password != getpass.getpass("again: "):
            print("the two passwords differ", file=sys.stderr)
            return 1
        print(hash_password(password))
        return 0
    path = args.file or users_file()
    try:
        accounts = load_accounts(path)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, account in sorted(accounts.items()):
        branches = ", ".join(account.user.branches) or "all branches"
        print(f"{name}: {account.user.role} ({branches})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
