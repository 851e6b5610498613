"""#15 in a real browser: a filter rule tried (the preview), saved and listed, a bad
pattern given back with its reason, deleted; the page on a 360 px phone with a rule,
a preview and a long pattern, with no horizontal scroll.

``tidings serve`` as in test_browser.py, reading the fixture gazette over loopback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer

from web import test_browser as kit
from web.newsroom import gazette

pytestmark = [pytest.mark.browser]
sync_api = kit.sync_api
expect = kit.expect


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        base = server.url("").rstrip("/")
        server.set("/gazette.xml", gazette(base))
        server.set("/coast.xml", gazette(base, count=5, title="Coast Radio"))
        yield server


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``TIDINGS_SCREENSHOTS=docs/screenshots`` keeps the screenshots."""
    target = os.environ.get("TIDINGS_SCREENSHOTS")
    path = Path(target) if target else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=kit.CHROMIUM, headless=True, args=kit.ARGS)
        yield b
        b.close()


@pytest.fixture
def signed_in(
    browser: Any, feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[kit.Reader, dict[str, Any]]]:
    """A reader set up through its pages, following two feeds; the session's state."""
    reader = kit.Reader(tmp_path_factory.mktemp("reader"))
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(reader.base + "/")
        page.fill('input[name="name"]', "editor")
        page.fill('input[name="password"]', kit.PASSWORD)
        page.fill('input[name="confirm"]', kit.PASSWORD)
        page.click("text=Create account")
        page.wait_for_url("**/subscriptions")
        for path in ("/gazette.xml", "/coast.xml"):
            page.fill('input[name="url"]', feeds.url(path))
            page.click("button:has-text('Subscribe')")
            page.wait_for_url("**/subscriptions?added=*")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page.goto(reader.base + "/subscriptions")
            if "never" not in page.locator(".health").inner_text():  # both fetched
                break
            time.sleep(0.3)
        page.goto(reader.base + "/")
        assert page.locator("#cards .card").count() == 12  # Coast Radio's are copies
        yield reader, context.storage_state()
        context.close()
    finally:
        reader.stop()


def test_a_rule_previewed_saved_listed_and_deleted(
    browser: Any, signed_in: tuple[kit.Reader, dict[str, Any]], shots: Path
) -> None:
    reader, state = signed_in
    context = browser.new_context(viewport={"width": 1280, "height": 860}, storage_state=state)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(reader.base + "/settings")
    page.click("a[href='/rules']")
    page.wait_for_url("**/rules")
    expect(page.locator("h1")).to_have_text("Filter rules")
    expect(page.locator(".sidebar a[href='/rules']")).to_have_class("active")
    expect(page.locator(".manage")).to_contain_text("You have no rules yet.")

    page.select_option("select[name=feed]", label="Harbour Gazette")
    page.fill("input[name=pattern]", "harbou?r|ferr(y|ies)")
    page.select_option("select[name=action]", "tag")
    page.fill("input[name=value]", "waterfront")
    page.click("button:has-text('Preview')")
    preview = page.locator(".rule-preview")
    expect(preview).to_contain_text("This rule would match")
    expect(preview).to_contain_text("of the 12 stories in Harbour Gazette")
    expect(preview.locator("li").first).to_be_visible()
    titles = preview.locator("li a").all_inner_texts()
    assert "Harbour bridge reopens after two years of repairs" in titles
    assert page.locator(".rule").count() == 0  # nothing saved yet
    page.screenshot(path=str(shots / "rules.png"), full_page=True)
    # the form is still filled in: save it as previewed
    expect(page.locator("input[name=pattern]")).to_have_value("harbou?r|ferr(y|ies)")
    page.click("button:has-text('Save rule')")
    page.wait_for_url("**/rules?added=*")
    expect(page.locator(".manage .notice[role=status]")).to_contain_text("Rule added.")
    rule = page.locator(".rule")
    expect(rule).to_have_count(1)
    expect(rule).to_contain_text("Harbour Gazette")
    expect(rule.locator(".rule-pattern")).to_have_text("harbou?r|ferr(y|ies)")
    expect(rule).to_contain_text("waterfront")

    # a pattern that is no regular expression: the form back, with the reason
    page.fill("input[name=pattern]", "ferr(y")
    with page.expect_response(lambda r: r.url.endswith("/rules")) as answer:
        page.click("button:has-text('Save rule')")
    assert answer.value.status == 400
    expect(page.locator("[role=alert]")).to_contain_text("invalid pattern")
    expect(page.locator("input[name=pattern]")).to_have_value("ferr(y")
    expect(page.locator(".rule")).to_have_count(1)

    page.click(".rule button:has-text('Delete')")
    page.wait_for_url("**/rules?deleted=1")
    expect(page.locator(".manage .notice[role=status]")).to_contain_text("Rule deleted.")
    expect(page.locator(".manage")).to_contain_text("You have no rules yet.")
    context.close()


def test_the_rules_page_fits_a_phone(
    browser: Any, signed_in: tuple[kit.Reader, dict[str, Any]], shots: Path
) -> None:
    reader, state = signed_in
    too_wide = []
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 360, "height": 800},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            color_scheme=scheme,
            storage_state=state,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(reader.base + "/rules")
        long_pattern = "harbour" + "".join(f"|unbrokenwordnumber{i}" for i in range(20))
        page.fill("input[name=pattern]", long_pattern)
        page.fill("input[name=value]", "a-rather-long-tag-name-without-any-spaces-in-it")
        page.select_option("select[name=action]", "tag")
        page.click("button:has-text('Preview')")
        expect(page.locator(".rule-preview")).to_contain_text("This rule would match")
        for step in ("preview", "saved"):
            if (step, scheme) == ("saved", "light"):
                page.screenshot(path=str(shots / "phone-rules.png"), full_page=True)
            got = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if int(got[0]) > min(int(got[1]), 360):
                too_wide.append(f"{step} in {scheme}: {got[0]}")
            if step == "preview":
                page.click("button:has-text('Save rule')")
                page.wait_for_url("**/rules?added=*")
                expect(page.locator(".rule")).to_have_count(1)
        box = page.locator(".rule button:has-text('Delete')").bounding_box()
        assert box and box["x"] + box["width"] <= 360
        page.click(".rule button:has-text('Delete')")
        page.wait_for_url("**/rules?deleted=1")
        context.close()
    assert too_wide == []
