"""The admin screens: accounts, the catalogue, the time limits, machine keys and the audit trail.

The tests share one local stack and run in file order: the last one reads the audit trail the
others wrote."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NEW_USER = "jiaodaokou.clerk"
NEW_PASSWORD = "Jiesu-clerk-2026!"
CLIENT = "dongcheng-city-app"

VIEWS = {
    "users": "用户与角色",
    "units": "承办单位",
    "catalogue": "派单目录",
    "time-limits": "办理时限",
    "knowledge": "知识库",
    "keys": "接口密钥",
    "audit": "操作记录",
}


def choose_option(page: Page, text: str) -> None:
    """Clicks an option of the select whose drop-down is open."""
    page.locator(".el-select-dropdown__item:visible", has_text=text).first.click()


def test_admin_creates_a_handler_who_then_sets_a_password(staff, snap, browser, stack_url):
    page = staff("admin1")
    page.goto(f"{stack_url}/staff/admin/users")
    expect(page.get_by_test_id("user-row").first).to_be_visible()

    page.get_by_test_id("user-create").click()
    page.get_by_test_id("user-username").fill(NEW_USER)
    page.get_by_test_id("user-roles").get_by_text("承办人", exact=True).click()
    page.get_by_test_id("user-save").click()
    # A handler needs a unit: said under the unit field, nothing is sent.
    unit_item = page.locator(".el-form-item", has=page.get_by_test_id("user-unit"))
    expect(unit_item.locator(".el-form-item__error")).to_have_text("承办人、单位负责人须选择所属单位")
    snap(page, "staff-admin-user-invalid")

    page.get_by_test_id("user-unit").click()
    page.keyboard.type("交道口")
    choose_option(page, "交道口街道")
    expect(unit_item.locator(".el-form-item__error")).to_have_count(0)
    page.get_by_test_id("user-save").click()

    secret = page.get_by_test_id("temporary-password")
    expect(secret).to_have_value(re.compile(r".{12,}"))
    temporary = secret.input_value()
    expect(page.get_by_text("临时密码只显示这一次")).to_be_visible()
    snap(page, "staff-admin-user-created")
    page.get_by_test_id("secret-close").click()
    expect(page.get_by_test_id("temporary-password")).to_be_hidden()

    row = page.get_by_test_id("user-row").filter(has_text=NEW_USER)
    expect(row).to_contain_text("交道口街道")
    expect(row).to_contain_text("承办人")

    # The new handler signs in with the temporary password and must choose their own.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        first = context.new_page()
        first.goto(f"{stack_url}/staff/sign-in")
        first.locator("#username").fill(NEW_USER)
        first.locator("#password").fill(temporary)
        first.get_by_test_id("sign-in").click()
        first.locator("#new-password").fill(NEW_PASSWORD)
        first.locator("#confirm-password").fill(NEW_PASSWORD)
        snap(first, "staff-admin-first-sign-in")
        first.get_by_test_id("set-password").click()
        expect(first).to_have_url(f"{stack_url}/staff/inbox")
        expect(first.get_by_test_id("staff-unit")).to_contain_text("交道口街道")
    finally:
        context.close()


def test_admin_edits_a_category_and_the_time_limits(staff, snap, stack_url):
    page = staff("admin1")
    # The catalogue filtered to one 中类 of one 大类, both kept in the URL
    page.goto(
        f"{stack_url}/staff/admin/catalogue?major=urban_construction&group=urban_construction_municipal"
    )
    expect(page.get_by_test_id("filter-major")).to_contain_text("城乡建设与城市管理")
    expect(page.get_by_test_id("filter-group")).to_contain_text("市政设施")
    row = page.locator('[data-testid="category-row"][data-code="street_lighting"]')
    expect(row).to_contain_text("路灯照明")
    expect(row.get_by_test_id("category-path-cell")).to_have_text("城乡建设与城市管理 › 市政设施")
    expect(row.get_by_test_id("category-description-cell")).to_contain_text("路灯不亮")
    rows = page.get_by_test_id("category-row")
    for i in range(rows.count()):
        expect(rows.nth(i).get_by_test_id("category-path-cell")).to_have_text("城乡建设与城市管理 › 市政设施")

    row.get_by_test_id("category-edit").click()
    name = page.get_by_test_id("category-name")
    expect(name).to_have_value("路灯照明")
    expect(page.get_by_test_id("category-major")).to_contain_text("城乡建设与城市管理")
    expect(page.get_by_test_id("category-group")).to_contain_text("市政设施")
    expect(page.get_by_test_id("category-description")).to_have_value(re.compile("路灯不亮"))
    name.fill("路灯照明与景观灯")
    snap(page, "staff-admin-category-edit")
    page.get_by_test_id("category-save").click()
    expect(page.get_by_text("已保存分类 路灯照明与景观灯")).to_be_visible()
    expect(row).to_contain_text("路灯照明与景观灯")
    expect(row).to_contain_text("第2版")

    row.get_by_test_id("category-history").click()
    # The seeded version 1 is not in the stored history (only saved versions are): newest first.
    expect(page.get_by_test_id("category-version").first).to_contain_text("路灯照明与景观灯")
    snap(page, "staff-admin-category-history")
    page.keyboard.press("Escape")

    page.goto(f"{stack_url}/staff/admin/time-limits")
    contact = page.locator("#limit-15d-contact")
    expect(contact).to_have_value("3")
    contact.fill("4")
    contact.press("Tab")
    page.get_by_test_id("limits-save").click()
    expect(page.get_by_text("办理时限已保存")).to_be_visible()
    expect(page.get_by_test_id("limits-version")).to_contain_text("admin1")
    page.reload()
    expect(page.locator("#limit-15d-contact")).to_have_value("4")
    snap(page, "staff-admin-time-limits-saved")


def test_admin_issues_an_open311_key_and_revokes_it(staff, snap, stack_url):
    page = staff("admin1")
    page.goto(f"{stack_url}/staff/admin/keys")
    form = page.get_by_test_id("open311-form")
    form.get_by_test_id("key-client").fill("Not A Slug")
    form.get_by_test_id("key-issue").click()
    expect(form.locator(".el-form-item__error")).to_contain_text("客户端标识须为")

    form.get_by_test_id("key-client").fill(CLIENT)
    form.get_by_test_id("key-issue").click()
    key = page.get_by_test_id("key-value")
    expect(key).to_have_value(re.compile(r"^jiesu-"))
    snap(page, "staff-admin-key-issued")
    page.get_by_test_id("secret-close").click()

    row = page.locator(f'[data-testid="key-row"][data-client="{CLIENT}"]')
    expect(row).to_contain_text("有效")
    row.get_by_test_id("key-revoke").click()
    page.locator(".el-message-box").get_by_role("button", name="吊销").click()
    expect(row.get_by_test_id("key-state")).to_contain_text("已于")
    expect(row.get_by_test_id("key-revoke")).to_have_count(0)


def test_admin_adds_a_unit_and_edits_a_knowledge_entry(staff, snap, stack_url):
    page = staff("admin1")
    page.goto(f"{stack_url}/staff/admin/units")
    page.get_by_test_id("unit-create").click()
    page.get_by_test_id("unit-kind").click()
    choose_option(page, "委办局")
    expect(page.get_by_test_id("unit-kind")).to_contain_text("委办局")  # chosen before the id is checked
    page.get_by_test_id("unit-id").fill("Archives")
    page.get_by_test_id("unit-name").fill("北京市档案馆")
    page.get_by_test_id("unit-save").click()
    id_item = page.locator(".el-form-item", has=page.get_by_test_id("unit-id"))
    expect(id_item.locator(".el-form-item__error")).to_contain_text("小写字母、数字和连字符")
    page.get_by_test_id("unit-id").fill("bj-archives")
    page.get_by_test_id("unit-save").click()
    expect(page.get_by_text("已保存单位 北京市档案馆")).to_be_visible()
    page.goto(f"{stack_url}/staff/admin/units?kind=department&q=bj-archives")
    expect(page.get_by_test_id("unit-row")).to_have_count(1)
    expect(page.get_by_test_id("unit-row")).to_contain_text("北京市档案馆")

    page.goto(f"{stack_url}/staff/admin/knowledge?q=供暖")
    row = page.get_by_test_id("knowledge-row").filter(has_text="kb-heating-season")
    row.get_by_test_id("knowledge-edit").click()
    answer = page.get_by_test_id("knowledge-answer")
    answer.fill(answer.input_value() + "（已核对）")
    snap(page, "staff-admin-knowledge-edit")
    page.get_by_test_id("knowledge-save").click()
    expect(page.get_by_text("已保存条目 kb-heating-season")).to_be_visible()


def test_the_audit_trail_lists_the_changes(staff, snap, stack_url):
    page = staff("admin1")
    page.goto(f"{stack_url}/staff/admin/audit")
    page.get_by_test_id("audit-actor").fill("admin1")
    page.get_by_test_id("audit-actor").press("Enter")
    expect(page).to_have_url(f"{stack_url}/staff/admin/audit?actor=admin1")
    rows = page.get_by_test_id("audit-row")
    expect(rows.first).to_be_visible()
    for action, label in [
        ("user.created", "创建用户"),
        ("category.saved", "保存派单分类"),
        ("time_limits.saved", "修改办理时限"),
        ("key.issued", "签发密钥"),
        ("key.revoked", "吊销密钥"),
    ]:
        entry = page.locator(f'[data-testid="audit-row"][data-action="{action}"]').first
        expect(entry).to_contain_text(label)
        expect(entry).to_contain_text("admin1")
    expect(page.locator('[data-testid="audit-row"][data-action="user.created"]').first).to_contain_text(
        NEW_USER
    )
    snap(page, "staff-admin-audit")


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_each_admin_view_opens(staff, snap, stack_url, view):
    page = staff("admin1")
    page.goto(f"{stack_url}/staff/admin/{view}")
    expect(page.get_by_role("heading", level=1)).to_have_text(VIEWS[view])
    expect(page.get_by_text("加载失败")).to_have_count(0)
    expect(page.locator(".admin-table tbody tr, .limits").first).to_be_visible()
    snap(page, f"staff-admin-{view}")
