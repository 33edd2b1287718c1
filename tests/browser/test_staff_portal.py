"""Signing in to the staff portal: every role lands on its own workbench and sees only its menu."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HOMES = {
    "operator1": ("/staff/intake", "话务受理"),
    "dispatcher1": ("/staff/dispatch", "派单与异议"),
    "andingmen.handler": ("/staff/inbox", "本单位工单"),
    "supervisor1": ("/staff/supervision", "督办与考评"),
    "analyst1": ("/staff/supervision", "督办与考评"),
    "admin1": ("/staff/admin/users", "用户与角色"),
}


@pytest.mark.parametrize("username", sorted(HOMES))
def test_each_role_lands_on_its_workbench(staff, snap, stack_url, username):
    page = staff(username)
    path, menu = HOMES[username]
    expect(page).to_have_url(f"{stack_url}{path}")
    expect(page.get_by_role("menuitem", name=menu)).to_be_visible()
    if username != "admin1":
        expect(page.get_by_role("menuitem", name="用户与角色")).to_have_count(0)
    snap(page, f"staff-home-{username}")


def test_the_unit_is_shown_and_other_sections_stay_closed(staff, stack_url):
    page = staff("andingmen.handler")
    expect(page.get_by_test_id("staff-unit")).to_contain_text("安定门街道")
    page.goto(f"{stack_url}/staff/admin/users")
    expect(page).to_have_url(f"{stack_url}/staff/inbox")


def test_a_wrong_password_is_refused_and_sign_out_ends_the_session(browser, stack_url, staff):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{stack_url}/staff/orders?status=dispatched")
    expect(page).to_have_url(f"{stack_url}/staff/sign-in?next=/staff/orders?status=dispatched")
    page.locator("#username").fill("operator1")
    page.locator("#password").fill("not-the-password")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sign-in-error")).to_contain_text("用户名或密码不正确")
    page.locator("#password").fill("Jiesu-demo-2026")
    page.get_by_test_id("sign-in").click()
    expect(page).to_have_url(f"{stack_url}/staff/orders?status=dispatched")
    page.get_by_test_id("sign-out").click()
    expect(page).to_have_url(f"{stack_url}/staff/sign-in")
    page.goto(f"{stack_url}/staff/orders")
    expect(page).to_have_url(f"{stack_url}/staff/sign-in?next=/staff/orders")
    context.close()
