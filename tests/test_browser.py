"""The dashboard in a real browser: Debian's Chromium driven by Playwright against ``postloan
serve`` on 127.0.0.1, over the warehouse built from the bundled public data.

The test signs in (demo committee user), visits every page of ``dashboard.app.PAGES`` in both
languages, clicks a bar of the overview's DPD chart (its loans are listed) and drills from the
loan list into a loan, downloads a table's CSV and the
committee pack, and saves a screenshot of every step under ``test-output/browser/`` (git-ignored).

Set-up, as CI needs it on a clean machine (run as root): Chromium, a CJK and an emoji font
(``apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji``) are installed when
missing. The Python package ``playwright`` is a development dependency (it drives the system
Chromium; no browser download). ``POSTLOAN_BROWSER_WAREHOUSE`` names an already built
warehouse to skip the ~2 minute build.
"""

from __future__ import annotations

import ast
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from dashboard.i18n import translate
from postloan.adapters import build_all
from postloan.cli import run_build
from postloan.paths import PROJECT_DIR, SOURCES_DIR

OUTPUT = PROJECT_DIR / "test-output" / "browser"
CHROMIUM = "/usr/bin/chromium"
CJK_FONT = "Noto Sans CJK"
EMOJI_FONT = "Noto Color Emoji"  # the concentration page's traffic lights
DEMO_USER, DEMO_PASSWORD = "committee", "committee-demo"
LANGS = ("zh", "en")


# --- set-up -----------------------------------------------------------------------------------


def _has_fonts() -> bool:
    try:
        fonts = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return False
    return CJK_FONT in fonts and EMOJI_FONT in fonts


def ensure_browser() -> None:
    """Install Debian's Chromium, a CJK and an emoji font when missing (CI starts clean)."""
    if Path(CHROMIUM).exists() and _has_fonts():
        return
    if os.geteuid() != 0:
        pytest.fail("chromium / fonts-noto-cjk are missing and installing them needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "-o", "DPkg::Lock::Timeout=600", "chromium",
         "fonts-noto-cjk", "fonts-noto-color-emoji"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (command, done.stdout[-2000:], done.stderr[-2000:])
    assert Path(CHROMIUM).exists() and _has_fonts()


def pages() -> list[tuple[str, str]]:
    """(url path, title key) of every page in ``dashboard/app.py``'s PAGES, read from its source so
    that pages other branches add are visited too."""
    tree = ast.parse((PROJECT_DIR / "dashboard" / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "PAGES":
            sections = ast.literal_eval(node.value)
            return [(url, title) for entries in sections.values() for _, url, title, _ in entries]
    raise AssertionError("PAGES not found in dashboard/app.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    given = os.environ.get("POSTLOAN_BROWSER_WAREHOUSE")
    if given:
        return Path(given)
    root = tmp_path_factory.mktemp("browser")
    build_all(SOURCES_DIR, root / "landing")
    path = root / "warehouse" / "postloan.duckdb"
    assert run_build(root / "landing", path, ephemeral=True, log_level="WARNING") == 0
    return path


@pytest.fixture(scope="module")
def server(warehouse: Path):
    port = free_port()
    env = {**os.environ, "POSTLOAN_USERS": str(PROJECT_DIR / "config" /
                                              "dashboard_users.demo.yaml")}
    postloan = Path(sys.executable).with_name("postloan")
    proc = subprocess.Popen(
        [str(postloan), "serve", "--warehouse", str(warehouse), "--address", "127.0.0.1",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            assert time.monotonic() < deadline, "the dashboard did not answer in 90 s"
            time.sleep(0.5)
        yield url
    finally:
        stop_group(proc)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_group(proc: subprocess.Popen) -> None:
    """Stop ``postloan serve`` and the Streamlit server it started (same process group): SIGTERM,
    then SIGKILL for whatever is still there after 20 s, so no server outlives the test."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 20
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        proc.poll()  # reap the direct child
        time.sleep(0.2)
    if _group_alive(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is a development dependency (see README)")
    ensure_browser()
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


# --- helpers ------------------------------------------------------------------------------------


def settle(page, seconds: float = 90) -> None:
    """Wait until the app has finished its run (no status widget for a while) and charts drew."""
    deadline = time.monotonic() + seconds
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.5:
            break
        page.wait_for_timeout(250)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def shot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def click_download(page, button, tries: int = 3):
    """Click a download button and return the download. The file is made on the server when
    clicked; a click that lands while the app reruns can be lost, so it is tried again."""
    for attempt in range(1, tries + 1):
        settle(page)
        try:
            with page.expect_download(timeout=20_000) as download:
                button.click()
            return download.value
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; retried, then raised
            shot(page, f"download_attempt_{attempt}")
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


def sidebar_link(page, title: str):
    return page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)


# --- the test -----------------------------------------------------------------------------------


@pytest.mark.slow
# ``browser`` first: without playwright the test is skipped before the warehouse is built.
def test_every_page_in_both_languages_with_drill_down_and_exports(browser, server) -> None:
    for old in OUTPUT.glob("*"):
        old.unlink()
    # Tall enough for a whole page: Streamlit scrolls inside its own container, so a "full page"
    # screenshot is only the window.
    context = browser.new_context(viewport={"width": 1600, "height": 2600}, accept_downloads=True)
    page = context.new_page()
    page.goto(server)
    page.get_by_label("用户名").fill(DEMO_USER)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    shot(page, "00_login")
    page.get_by_role("button", name="登录").click()
    page.get_by_text(translate("overview.title", "zh")).first.wait_for(timeout=60_000)
    settle(page)

    seen = []
    for lang in LANGS:
        if lang == "en":
            page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
            settle(page)
        for n, (url, title_key) in enumerate(pages(), start=1):
            sidebar_link(page, translate(title_key, lang)).click()
            page.wait_for_timeout(500)
            settle(page)
            # the first page is the default one, served at "/"
            assert n == 1 or page.url.split("?")[0].endswith(f"/{url}"), (url, page.url)
            heading = page.locator("h1, h2").first.inner_text()
            assert heading, url
            seen.append((lang, url))
            shot(page, f"{lang}_{n:02d}_{url}")
    assert len(seen) == 2 * len(pages())

    # Drill-down from an aggregate: a click on the M0 bar lists that bucket's loans (English is
    # on). The bundled LendingClub book has 9,374 loans in M0 (141,589,488.17 USD).
    sidebar_link(page, translate("nav.overview", "en")).click()
    settle(page)
    page.locator('[data-testid="stVegaLiteChart"] .mark-rect path').first.click(force=True)
    settle(page)
    page.get_by_text("9,374 loans shown, outstanding principal 141,589,488.17 USD.").wait_for()
    shot(page, "drill_bucket_M0")

    # ... and from the loan list to one loan.
    picker = page.get_by_label(translate("classification.open_loan", "en")).last
    picker.scroll_into_view_if_needed()
    picker.click()
    page.keyboard.type("LC18Q1-00001")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("link", name=translate(
        "classification.open_loan_link", "en", loan_id="LC18Q1-00001")).click()
    page.wait_for_timeout(500)
    settle(page)
    assert page.url.endswith("/loan?loan_id=LC18Q1-00001"), page.url
    page.get_by_text(translate("loan.heading", "en", loan_id="LC18Q1-00001")).first.wait_for()
    shot(page, "drill_loan_LC18Q1-00001")

    # Export: the loan page's first table (its terms) as CSV, then the committee pack.
    download = click_download(page, page.get_by_role("button", name="CSV", exact=True).first)
    csv_path = OUTPUT / download.suggested_filename
    download.save_as(csv_path)
    text = csv_path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff") and len(text.splitlines()) >= 2
    download = click_download(
        page, page.get_by_role("button", name=translate("pack.download", "en"), exact=True))
    pack_path = OUTPUT / download.suggested_filename
    download.save_as(pack_path)
    with zipfile.ZipFile(io.BytesIO(pack_path.read_bytes())) as z:
        workbook = z.read("xl/workbook.xml").decode()
    for sheet in ("Summary", "DPD buckets", "Loans"):
        assert f'name="{sheet}"' in workbook
    shot(page, "exports_done")
    context.close()

    # An analyst reads the masked copy: the same loan without the borrower's name.
    context = browser.new_context(viewport={"width": 1600, "height": 2600})
    page = context.new_page()
    page.goto(server)
    page.get_by_label("用户名").fill("analyst")
    page.get_by_label("密码").fill("analyst-demo")
    page.get_by_role("button", name="登录").click()
    page.get_by_text(translate("overview.title", "zh")).first.wait_for(timeout=60_000)
    settle(page)
    sidebar_link(page, translate("nav.loan", "zh")).click()
    page.get_by_text(translate("loan.borrower_masked", "zh")).first.wait_for(timeout=60_000)
    settle(page)
    # every bundled LendingClub name is "LendingClub borrower NNNNN" (26 characters)
    assert page.get_by_text("LendingClub borrower").count() == 0
    assert page.get_by_text("L" + "*" * 25, exact=True).count() == 1
    shot(page, "analyst_masked_loan")
    context.close()
