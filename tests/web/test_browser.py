"""The dashboard in a real browser: Debian's headless Chromium driven by Playwright.

Signed in as Telegram would sign in a Mini App, at phone and desktop sizes, in English and Urdu;
figures checked against the seeded database; forged and stale sign-ins refused. Screenshots are
saved under `test-artifacts/dashboard/` (or `$HECBOT_TEST_ARTIFACTS`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.config import Settings
from tests.bounded import bounded
from tests.web.conftest import chromium_path
from tests.web.world import ADMIN, FOCAL_B, World, dashboard_world, sign_init_data

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine")

ARTIFACTS = (
    Path(os.environ.get("HECBOT_TEST_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))
    / "dashboard"
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
THEME = {"bg_color": "#17212b", "text_color": "#f5f5f5", "button_color": "#5288c1"}
# Chromium's connections outside this machine are refused here: keep it from trying.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with dashboard_world(settings) as built:
        yield built


# Playwright's actions have timeouts of their own; closing the browser and stopping its driver
# have none.
CLOSE_SECONDS = 30.0


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    playwright = await bounded(
        playwright_api.async_playwright().start(), CLOSE_SECONDS * 2, "starting Playwright"
    )
    try:
        launched = await bounded(
            playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS),
            CLOSE_SECONDS * 2,
            "launching Chromium",
        )
        try:
            yield launched
        finally:
            await bounded(launched.close(), CLOSE_SECONDS, "closing Chromium")
    finally:
        await bounded(playwright.stop(), CLOSE_SECONDS, "stopping Playwright's driver")


def mini_app_url(world: World, init_data: str) -> str:
    """The URL as Telegram opens a Mini App: launch parameters in the fragment."""
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop"
        f"&tgWebAppThemeParams={quote(json.dumps(THEME), safe='')}"
    )
    return world.url("/app/") + "#" + fragment


async def open_page(browser: object, world: World, init_data: str, size: dict[str, int]):  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport=size)  # type: ignore[attr-defined]
    page = await context.new_page()
    await page.goto(mini_app_url(world, init_data))
    return context, page


async def card_value(page, testid: str) -> str:  # type: ignore[no-untyped-def]
    locator = page.locator(f'[data-testid="{testid}"] .value')
    await locator.wait_for()
    return str(await locator.inner_text())


async def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
async def test_admin_reads_every_page_and_filters(
    world: World, browser: object, size_name: str
) -> None:
    size = PHONE if size_name == "phone" else DESKTOP
    context, page = await open_page(browser, world, sign_init_data(ADMIN), size)
    try:
        assert await card_value(page, "questions") == "6"
        assert await card_value(page, "declined") == "3"
        assert await card_value(page, "open-tickets") == "2"
        assert await card_value(page, "learners") == "2"
        # Telegram's theme colours reach the page.
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(23, 33, 43)"
        await shoot(page, f"overview-{size_name}")

        await page.select_option('select[name="university"]', str(world.university_b))
        # The page's CSP forbids eval, so wait with a locator rather than a JS predicate.
        await playwright_api.expect(page.locator('[data-testid="questions"] .value')).to_have_text(
            "2"
        )
        await page.select_option('select[name="university"]', "")

        await page.click('button[data-tab="gaps"]')
        first_gap = page.locator('[data-testid="gaps"] tbody tr').first
        await first_gap.wait_for()
        assert "laptop" in (await first_gap.inner_text()).lower()
        await shoot(page, f"gaps-{size_name}")
        # A gap becomes an FAQ draft, reviewed and published by the admin on the FAQ page.
        await first_gap.locator('button[data-action="draft"]').click()
        await page.fill('[data-testid="draft-form"] textarea', "HEC's laptop scheme is separate.")
        await page.click('[data-testid="draft-form"] button[type="submit"]')
        await page.locator('[data-testid="draft-saved"]').wait_for()
        await page.click('button[data-tab="faq"]')
        draft = page.locator('[data-testid="faq-draft"]')
        await draft.wait_for()
        assert await draft.locator("textarea").input_value() == "HEC's laptop scheme is separate."
        await shoot(page, f"faq-{size_name}")
        await draft.locator('button[data-action="approve"]').click()
        await playwright_api.expect(draft).to_have_count(0)

        await page.click('button[data-tab="surveys"]')
        await page.click('button[data-slug="impact"]')
        await page.locator('[data-testid="survey-title"]').wait_for()
        assert await card_value(page, "responses") == "4"
        await page.locator('[data-testid="waves"]').wait_for()
        await shoot(page, f"survey-{size_name}")

        await page.click('button[data-tab="licences"]')
        funnel = page.locator('[data-testid="funnel"] .hbar')
        await funnel.first.wait_for()
        assert await funnel.count() == 6
        assert (await funnel.first.locator(".num").inner_text()) == "2"
        assert await card_value(page, "courses-completed") == "1"
        await shoot(page, f"licences-{size_name}")

        await page.click('button[data-tab="broadcasts"]')
        await page.locator("main h2").first.wait_for()
        await shoot(page, f"broadcasts-{size_name}")
        # Nothing wider than the screen: the page works at phone width.
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1
    finally:
        await bounded(context.close(), CLOSE_SECONDS, "closing the browser context")


async def test_focal_person_in_urdu_sees_their_university_right_to_left(
    world: World, browser: object
) -> None:
    context, page = await open_page(browser, world, sign_init_data(FOCAL_B), PHONE)
    try:
        assert await card_value(page, "questions") == "2"
        assert await page.get_attribute("html", "dir") == "rtl"
        assert await page.is_disabled('select[name="university"]')
        tab = await page.locator('button[data-tab="overview"]').inner_text()
        assert tab == "جائزہ"
        await shoot(page, "overview-focal-urdu")
    finally:
        await bounded(context.close(), CLOSE_SECONDS, "closing the browser context")


@pytest.mark.parametrize("case", ["forged", "stale"])
async def test_forged_and_stale_sign_ins_show_nothing(
    world: World, browser: object, case: str
) -> None:
    init_data = (
        sign_init_data(ADMIN, token="999999:someone-else")
        if case == "forged"
        else sign_init_data(ADMIN, auth_date=time.time() - 2 * 24 * 3600)
    )
    context, page = await open_page(browser, world, init_data, PHONE)
    try:
        message = page.locator("#message")
        await message.wait_for()
        assert "/dashboard" in await message.inner_text()
        assert await page.locator('[data-testid="questions"]').count() == 0
        await shoot(page, f"refused-{case}")
    finally:
        await bounded(context.close(), CLOSE_SECONDS, "closing the browser context")
