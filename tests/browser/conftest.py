"""Browser tests: Debian's chromium, driven by Playwright, against `python -m infra.local`.

`make test` runs the files on two pytest-xdist workers (Makefile, TEST_WORKERS), each file whole on
one worker: a file's tests share its stack (`stack_url`, started once per file) and run in file
order, and no file may count on another having run. A new stack costs a file about 20 s of a core
before its first test, so a new screen's test goes in the file of the screens it walks, as one more
function, with what is here: `staff("username")` (a signed-in portal page), `act` (an order
action's dialog), `pick_category`, `staff_token` and `snap`; and an order brought to where the
test starts through the API, not the pages: test_staff_orders.py's `submit` (a request 安定门街道's
office gets at once), `dispatched` (waits for the dispatch), `handled` (signed, contacted and
replied) and `staff_call`. A file of its own only for a story that needs a stack to itself (a
clock at another TIME_SCALE, generated analytics history)."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from infra.local.server import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
STACK_LOGS = ROOT / "test-artifacts" / "stacks"

# Two workers share two cores, each with a stack and a chromium: a page's answer may take longer
# than Playwright's 5 s; every `expect` waits up to 15 s (what it asserts is the same).
expect.set_options(timeout=15_000)


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        pytest.fail(
            "Debian's chromium is needed for the browser tests: `make test` installs it (apt chromium)."
        )
    return found


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium(),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


def _ctrl_c_stops() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def stack_url(request):
    """The local stack exactly as `make run` starts it, on free ports, its demo clock at 3600x (or a
    module's TIME_SCALE, for a story that must finish before its deadlines fall due): a
    fresh one per test module, so each starts on day one of its demo clock and its own data."""
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("The frontend is not built: run `make frontend` (make test does).")
    port = free_port()
    scale = getattr(request.module, "TIME_SCALE", 3600)
    # What the stack prints (its Lambdas log every call) goes to a file, kept for a failure's
    # reading: a pipe nobody reads would stop the stack once full.
    STACK_LOGS.mkdir(parents=True, exist_ok=True)
    log_path = STACK_LOGS / f"{request.module.__name__.rsplit('.', 1)[-1]}.log"
    log = log_path.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--time-scale", str(scale)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        # As from a terminal: a shell that runs the suite in the background makes its children
        # ignore Ctrl-C, and the stack would then not stop on it.
        preexec_fn=_ctrl_c_stops,
    )
    url = f"http://localhost:{port}"
    # Two workers start their stacks at once, on a machine that may be busy with more.
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{url}/config.json", timeout=5).ok:
                break
        except (requests.ConnectionError, requests.Timeout):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            log.close()
            output = log_path.read_text(encoding="utf-8")
            pytest.fail(f"the local stack did not start:\n{output[-3000:]}")
        time.sleep(0.2)
    yield url
    process.send_signal(signal.SIGINT)  # what Ctrl-C does
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the local stack did not stop on Ctrl-C")
    finally:
        log.close()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Mobile first: every page is driven at a phone's size (390 x 844)."""
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}}


@pytest.fixture
def shot(page):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return lambda name: page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


STAFF_PASSWORD = "Jiesu-demo-2026"


def staff_token(url: str, username: str) -> str:
    """An ID token of a demo account from the stack's user pool, for calling the API directly."""
    config = requests.get(f"{url}/config.json", timeout=5).json()
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=config["cognitoEndpoint"],
        region_name=config["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    answer = idp.initiate_auth(
        ClientId=config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STAFF_PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def act(page: Page, action: str, fields: dict[str, str] | None = None, click: tuple[str, ...] = ()) -> None:
    """Opens an order action's dialog, fills it in and submits it; waits for the dialog to close
    (the call can take a while on a loaded machine) and says what the dialog showed if it did not."""
    page.get_by_test_id(f"action-{action}").click()
    dialog = page.locator(".el-dialog:visible")
    expect(dialog).to_be_visible()
    for testid, value in (fields or {}).items():
        dialog.get_by_test_id(testid).fill(value)
    for testid in click:
        dialog.get_by_test_id(testid).click()
    dialog.get_by_test_id("dialog-submit").click()
    try:
        expect(dialog).to_have_count(0, timeout=15_000)
    except AssertionError as error:
        shown = " | ".join(dialog.all_inner_texts())
        raise AssertionError(f"the {action} dialog stayed open: {shown}") from error


def pick_category(page: Page, picker: Locator, *path: str) -> None:
    """Chooses a category in a category picker (an Element Plus cascader) through the catalogue's
    levels, 大类 › 中类 › 小类, by their names; the picker then shows the path."""
    dropdown = page.locator(".category-cascader:visible")
    expect(dropdown).to_have_count(0)  # one still closing would take the click that opens it
    picker.locator("input").click()
    expect(dropdown).to_be_visible()
    columns = dropdown.locator(".el-cascader-menu")
    for depth, name in enumerate(path):
        columns.nth(depth).get_by_role("menuitem", name=name, exact=True).click()
    expect(picker.locator("input")).to_have_value(" › ".join(path))


def sign_in(page: Page, username: str, password: str = STAFF_PASSWORD) -> None:
    """Fills in the sign-in form the page shows and waits for the portal."""
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id("staff-user").wait_for()


def signs_in_again(page: Page, username: str, password: str = STAFF_PASSWORD) -> Page:
    """The portal keeps its tokens in the page's memory only (frontend/src/staff/session.ts), so
    every reload, and every address typed in, shows the sign-in form and then the page asked for.
    This page's goto and reload do what the person at the desk would: sign in again."""
    goto, reload = page.goto, page.reload

    def again() -> None:
        page.locator('[data-testid="staff-user"], #username').first.wait_for()
        if page.locator("#username").is_visible():
            sign_in(page, username, password)

    def goto_and_sign_in(url: str, **kwargs: Any) -> Any:
        response = goto(url, **kwargs)
        if "/staff" in url and "/staff/sign-in" not in url:
            again()
        return response

    def reload_and_sign_in(**kwargs: Any) -> Any:
        response = reload(**kwargs)
        again()
        return response

    page.goto = goto_and_sign_in  # type: ignore[method-assign]
    page.reload = reload_and_sign_in  # type: ignore[method-assign]
    return page


@pytest.fixture
def staff(browser, stack_url):
    """Signs a demo account in to the staff portal in a context of its own, at a desk's size."""
    contexts = []

    def open_as(username: str, password: str = STAFF_PASSWORD, **context_args: Any) -> Page:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", **context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{stack_url}/staff/sign-in")
        sign_in(page, username, password)
        return signs_in_again(page, username, password)

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def snap():
    """A full-page screenshot of any page, kept in test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return lambda page, name: page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
