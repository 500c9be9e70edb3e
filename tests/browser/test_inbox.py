"""The inbox in a real browser: log in with two-factor, see a handoff arrive live, claim it,
reply, watch the reply reach the outbox, add a note, hand back, resolve. Every page is
scanned with axe-core, used with the keyboard alone, and photographed at desktop and
phone widths (var/screenshots/)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from scripts.stack import Stack
from tests.browser.accessibility import assert_accessible, no_sideways_scroll, screenshot
from tests.inbox_support import Account, make_account
from tests.support import Gateway, Resident, wait_for

pytestmark = pytest.mark.stack

PHONE = {"width": 390, "height": 844}


def log_in(page: Page, base: str, account: Account) -> None:
    page.goto(base + "/inbox")
    expect(page).to_have_url(base + "/inbox/login")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_label("Code from your authenticator app").fill(account.code())
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(base + "/inbox")
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()


def outbox_bodies(resident: Resident) -> list[str]:
    return [str(m["body"]) for m in resident.outbox()]


def test_a_practitioner_handles_a_handoff_from_start_to_end(
    healthy: Stack, gateway: Gateway, page: Page
) -> None:
    base = gateway.base_url
    account = make_account(healthy, "admin", "Priya Jones")

    page.goto(base + "/inbox/login")
    assert_accessible(page)
    screenshot(page, "login-desktop")
    log_in(page, base, account)
    page.wait_for_function("document.body.dataset.live === 'on'")
    page.evaluate("window.__sameDocument = true")
    assert_accessible(page)

    # A resident asks for a person; the queue shows it live, with no reload.
    resident = Resident(gateway)
    asked = time.monotonic()
    resident.send("I want to talk to a real person please")
    row = page.locator(".row", has_text=f"Resident {resident.number[-4:]}")
    expect(row).to_be_visible(timeout=20_000)
    print(f"handoff visible in the queue {time.monotonic() - asked:.2f}s after the webhook")
    assert page.evaluate("window.__sameDocument") is True
    expect(row).to_contain_text("Waiting for a person")
    expect(row).to_contain_text("Asked for a person")
    screenshot(page, "queue-desktop")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.locator("#transcript")).to_contain_text("I want to talk to a real person please")
    assert_accessible(page)

    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#owner")).to_have_text("With a person: Priya Jones")

    # The reply box counts characters, encoding and SMS parts as you type.
    box = page.get_by_label("Your message")
    words = "Hello, this is Priya. I can help with that today."
    box.fill(words)
    expect(page.locator("#reply-meter")).to_have_text(f"{len(words)} characters · GSM-7 · 1 SMS")
    box.fill(words * 4)  # 196 characters: two SMS parts of 153
    expect(page.locator("#reply-meter")).to_have_text(f"{len(words) * 4} characters · GSM-7 · 2 SMS")
    box.fill("It\u2019s Priya")
    expect(page.locator("#reply-meter")).to_contain_text("UCS-2")
    box.fill("Hello, this is Priya. I can help with that today.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").filter(has_text="Reply sent.")).to_be_visible()
    wait_for(
        lambda: "Hello, this is Priya. I can help with that today." in outbox_bodies(resident),
        15,
        what="the reply in the outbox",
    )

    # A canned reply by its shortcut goes out in the resident's language.
    box = page.get_by_label("Your message")
    box.fill("/wait")
    expect(page.locator("#canned-preview")).to_contain_text("Thank you for waiting")
    box.fill("")
    page.get_by_role("button", name="Send").click()
    wait_for(
        lambda: any("Thank you for waiting" in b for b in outbox_bodies(resident)), 15, what="canned reply"
    )

    # The resident answers: the transcript updates live; the bot says nothing.
    page.evaluate("window.__sameDocument = true")
    sent_before = len(outbox_bodies(resident))
    resident.send("thank you, I am at home all day")
    expect(page.locator("#transcript")).to_contain_text("thank you, I am at home all day", timeout=20_000)
    assert page.evaluate("window.__sameDocument") is True
    time.sleep(1)
    assert len(outbox_bodies(resident)) == sent_before

    page.get_by_label("Add a note").fill("Prefers a call after 2pm. Check the housing form.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".notes")).to_contain_text("Prefers a call after 2pm.")
    assert_accessible(page)
    screenshot(page, "conversation-desktop")

    page.get_by_role("button", name="Hand back to the bot").click()
    expect(page.locator("#owner")).to_have_text("With the bot")
    wait_for(
        lambda: any("automatic helper" in b for b in outbox_bodies(resident)), 15, what="hand-back notice"
    )

    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#owner")).to_have_text("Resolved")

    page.goto(base + "/inbox/audit")
    expect(page.get_by_role("table")).to_contain_text("reply sent")
    assert_accessible(page)

    # Phone width: the same pages, readable without sideways scrolling.
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/inbox?status=all", "queue-phone"),
        (row_url(page, base, resident), "conversation-phone"),
    ):
        page.goto(base + path)
        assert no_sideways_scroll(page), f"{path} scrolls sideways at phone width"
        assert_accessible(page)
        screenshot(page, name)


def tab_to(page: Page, target: Locator, limit: int) -> None:
    """Press Tab until the target has the focus (it must be reachable by keyboard)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{target} cannot be reached with Tab")


def row_url(page: Page, base: str, resident: Resident) -> str:
    page.goto(base + "/inbox?status=all")
    href = (
        page.locator(".row", has_text=f"Resident {resident.number[-4:]}")
        .get_by_role("link")
        .get_attribute("href")
    )
    assert href
    return href


def test_the_inbox_works_with_the_keyboard_alone(healthy: Stack, gateway: Gateway, page: Page) -> None:
    base = gateway.base_url
    account = make_account(healthy, name="Kim Lee")
    page.goto(base + "/inbox/login")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    tab_to(page, page.get_by_label("Username"), 5)
    page.keyboard.type(account.username)
    page.keyboard.press("Tab")
    page.keyboard.type(account.password)
    page.keyboard.press("Tab")
    page.keyboard.type(account.code())
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/inbox")

    resident = Resident(gateway)
    resident.send("0")
    row_link = page.locator(".row", has_text=f"Resident {resident.number[-4:]}").get_by_role("link")
    expect(row_link).to_be_visible(timeout=20_000)
    tab_to(page, row_link, 60)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Claim"), 80)
    page.keyboard.press("Enter")
    expect(page.locator("#owner")).to_have_text("With a person: Kim Lee")


def test_an_open_inbox_goes_to_the_login_page_when_its_session_ends(
    healthy: Stack, gateway: Gateway, page: Page
) -> None:
    """Logging out in one tab ends the live stream in every other: the page leaves the queue for
    the login page by itself, with nothing clicked there."""
    base = gateway.base_url
    account = make_account(healthy, name="Sam Okafor")
    log_in(page, base, account)
    page.wait_for_function("document.body.dataset.live === 'on'")
    other = page.context.new_page()  # a second tab of the same browser: the same session
    other.goto(base + "/inbox")
    other.get_by_role("button", name="Log out").click()
    # This tab's own stream may end it before the logout's redirect lands: either login page.
    expect(other).to_have_url(re.compile(re.escape(base) + r"/inbox/login(\?bye=1)?$"))
    expect(page).to_have_url(base + "/inbox/login", timeout=10_000)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
