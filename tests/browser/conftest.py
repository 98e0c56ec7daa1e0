"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

Without Chromium the tests are skipped with a clear message, unless REQUIRE_BROWSER=1
(as in CI), which makes a missing browser a failure.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's `chromium` "
        "(apt-get install chromium) or set CHROMIUM_PATH"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            if os.environ.get("REQUIRE_BROWSER") == "1":
                raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {message}")
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def strict_page(browser, live_server, *, allowed: tuple[str, ...] = (), **context_options):
    """A page that fails the test on any CSP violation or console error (a generator for
    fixtures: phone_page here, laptop and touch pages in the tests that need them)."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    page = context.new_page()
    errors: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        "e=>console.error('CSPV '+e.violatedDirective+' '+e.blockedURI))"
    )
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    context.close()
    real = [e for e in errors if not any(text in e for text in allowed)]
    assert not real, f"browser console errors: {real}"


@pytest.fixture
def phone_page(browser, live_server):
    """A 375 px wide page that fails the test on any CSP violation or console error."""
    # A 422 or 409 is how invalid forms answer: the browser logs it, it is not an error.
    yield from strict_page(
        browser,
        live_server,
        allowed=("status of 422", "status of 409"),
        viewport={"width": 375, "height": 812},
    )


def open_section(page, section_id: str):
    """Open a KOL page section the way a phone user does (static/js/sections.js): tap its
    Open button when it is closed. Returns the section. On a wide screen all are open."""
    section = page.locator(f"#{section_id}")
    toggle = section.locator(":scope > .section-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    return section
