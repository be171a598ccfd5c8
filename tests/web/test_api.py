"""Every dashboard endpoint for every kind of caller, and its figures against the database."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
from sqlmodel import col, select

from bot.config import Settings
from bot.i18n import PAKISTAN_TIME
from bot.services.users import UserProfile
from bot.storage.models import QuestionLog, Role, User
from bot.storage.people_models import FaqEntry
from bot.storage.survey_models import SurveyInvitation
from tests.web.world import (
    ADMIN,
    FOCAL_A,
    FOCAL_B,
    LEARNER_A,
    STRANGER,
    World,
    dashboard_world,
    sign_init_data,
)

ENDPOINTS = [
    "/app/api/me",
    "/app/api/overview",
    "/app/api/gaps",
    "/app/api/surveys",
    "/app/api/surveys/impact",
    "/app/api/surveys/impact/export",
    "/app/api/broadcasts",
    "/app/api/webinars",
    "/app/api/licences",
    "/app/api/faq/drafts",
]


@pytest.fixture
async def world(settings: Settings) -> AsyncIterator[World]:
    async with dashboard_world(settings) as built:
        yield built


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_every_endpoint_by_role(world: World, path: str) -> None:
    assert (await world.get(path, user_id=ADMIN))[0] == 200
    # A focal person asking for another university's figures: refused, not narrowed.
    admin_only = path == "/app/api/faq/drafts"
    assert (await world.get(path, user_id=FOCAL_A))[0] == (403 if admin_only else 200)
    unscoped = ("/app/api/me", "/app/api/broadcasts", "/app/api/webinars")
    if path not in unscoped and not admin_only:
        status, _ = await world.get(path, user_id=FOCAL_A, university=world.university_b)
        assert status == 403
    assert (await world.get(path, user_id=LEARNER_A))[0] == 403
    assert (await world.get(path, user_id=STRANGER))[0] == 403
    assert (await world.get(path))[0] == 401
    forged = sign_init_data(ADMIN, token="999999:not-this-bot")
    assert (await world.get(path, header=f"tma {forged}"))[0] == 401
    stale = sign_init_data(ADMIN, auth_date=time.time() - 25 * 3600)
    assert (await world.get(path, header=f"tma {stale}"))[0] == 401


async def test_overview_counts_match_the_seeded_activity(world: World) -> None:
    status, everything = await world.get("/app/api/overview", user_id=ADMIN)
    assert status == 200
    assert isinstance(everything, dict)
    # Learners' questions only: the focal person's own test question is not demand.
    assert (everything["questions"], everything["answered"], everything["declined"]) == (6, 3, 3)
    assert (everything["thumbs_up"], everything["thumbs_down"]) == (1, 1)
    assert everything["open_tickets"] == 2
    assert everything["learners_onboarded"] == 2
    assert sum(d["answered"] + d["declined"] for d in everything["per_day"]) == 6

    status, own = await world.get("/app/api/overview", user_id=FOCAL_A)
    assert isinstance(own, dict)
    assert (own["questions"], own["declined"], own["open_tickets"]) == (4, 2, 1)
    status, filtered = await world.get(
        "/app/api/overview", user_id=ADMIN, university=world.university_b
    )
    assert isinstance(filtered, dict)
    assert (filtered["questions"], filtered["learners_onboarded"]) == (2, 1)
    status, by_city = await world.get("/app/api/overview", user_id=ADMIN, city=world.city_a)
    assert isinstance(by_city, dict)
    assert by_city["questions"] >= 4


async def test_date_filters_are_pakistan_days_and_checked(world: World) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Karachi")).date().isoformat()
    status, today_only = await world.get(
        "/app/api/overview", user_id=ADMIN, since=today, until=today
    )
    assert status == 200 and isinstance(today_only, dict)
    assert today_only["questions"] == 3
    assert (await world.get("/app/api/overview", user_id=ADMIN, since="yesterday"))[0] == 400
    assert (await world.get("/app/api/overview", user_id=ADMIN, since=today, until="2020-01-01"))[
        0
    ] == 400
    assert (await world.get("/app/api/overview", user_id=ADMIN, university="abc"))[0] == 400


async def test_gaps_group_wordings_most_frequent_first(world: World) -> None:
    status, gaps = await world.get("/app/api/gaps", user_id=ADMIN)
    assert status == 200 and isinstance(gaps, list)
    assert gaps[0]["count"] == 2
    assert gaps[0]["question"].lower().startswith("can i get a laptop")
    assert "staff trying the bot" not in [gap["question"] for gap in gaps]
    status, own = await world.get("/app/api/gaps", user_id=FOCAL_B)
    assert isinstance(own, list)
    assert [gap["question"] for gap in own] == ["Hostel rooms?"]


async def invitations(world: World) -> tuple[int, int]:
    """Invitations in the database: all, and those of people at university A (a hand count)."""
    async with world.services.database.session() as session:
        rows = (
            await session.exec(
                select(SurveyInvitation.user_id, User.university_id).join(
                    User, col(User.id) == col(SurveyInvitation.user_id)
                )
            )
        ).all()
    return len(rows), sum(1 for _, university in rows if university == world.university_a)


async def test_the_overview_counts_as_insights_in_the_chat_does(world: World) -> None:
    """The overview's figures equal /insights': a "👍" or "ok" (asked for a full question) was
    "answered" on the dashboard and not in the chat, and `/insights DAY` started the day at
    midnight UTC (05:00 in Pakistan) while the dashboard's From starts it at midnight there."""
    day = date(2026, 11, 20)
    early = datetime(2026, 11, 20, 1, 30, tzinfo=PAKISTAN_TIME)  # 20:30 UTC the day before
    async with world.services.database.session() as session:
        for question, content_free, abstained, when in (
            ("👍", True, False, early + timedelta(hours=8)),
            ("Can alumni apply?", False, False, early),
            ("Is there a hostel?", False, True, early + timedelta(hours=9)),
        ):
            session.add(
                QuestionLog(
                    user_id=LEARNER_A,
                    university_id=world.university_a,
                    question=question,
                    answer="",
                    abstained=abstained,
                    content_free=content_free,
                    created_at=when,
                )
            )
    status, overview = await world.get(
        "/app/api/overview", user_id=ADMIN, since=day.isoformat(), until=day.isoformat()
    )
    assert status == 200 and isinstance(overview, dict)
    report = await world.services.insights.report(None, since=day)
    assert report.total_questions - report.content_free > 0
    # Nothing was asked after the 20th but the seeded activity of the last days: the 20th's
    # three messages are the insights' whole count from that day on, less the seeded ones.
    seeded = await world.services.insights.report(None, since=date(2026, 11, 21))
    assert (
        (
            overview["questions"],
            overview["answered"],
            overview["declined"],
        )
        == (
            report.total_questions - seeded.total_questions,
            report.answered - seeded.answered,
            report.abstained - seeded.abstained,
        )
        == (3, 1, 1)
    )


async def test_survey_results_are_scoped_to_the_focal_persons_university(world: World) -> None:
    status, everything = await world.get("/app/api/surveys/impact", user_id=ADMIN)
    assert status == 200 and isinstance(everything, dict)
    assert everything["results"]["responses"] == 4
    status, own = await world.get("/app/api/surveys/impact", user_id=FOCAL_A)
    assert isinstance(own, dict)
    assert own["results"]["responses"] == 3
    assert {h["id"] for h in own["results"]["headlines"]} >= {"skill_gains", "keep_learning"}
    invited_all, invited_a = await invitations(world)
    assert [(w["invited"], w["completed"]) for w in everything["waves"]] == [(invited_all, 4)]
    assert [(w["invited"], w["completed"]) for w in own["waves"]] == [(invited_a, 3)]
    assert 0 < invited_a < invited_all
    # The survey list counts as the results page does: a focal person's university only (it
    # showed the programme's responses to every focal person).
    _, listed_all = await world.get("/app/api/surveys", user_id=ADMIN)
    _, listed_own = await world.get("/app/api/surveys", user_id=FOCAL_A)
    assert isinstance(listed_all, list) and isinstance(listed_own, list)
    assert [s["responses"] for s in listed_all if s["slug"] == "impact"] == [4]
    assert [s["responses"] for s in listed_own if s["slug"] == "impact"] == [3]
    status, exported = await world.get(
        "/app/api/surveys/impact/export", user_id=FOCAL_A, format="csv"
    )
    assert status == 200 and isinstance(exported, bytes)
    assert len(exported.decode().strip().splitlines()) == 1 + 3
    assert (await world.get("/app/api/surveys/impact/export", user_id=ADMIN, format="pdf"))[
        0
    ] == 400
    assert (await world.get("/app/api/surveys/nope", user_id=ADMIN))[0] == 404


async def test_licence_funnel_matches_the_reports_and_is_scoped(world: World) -> None:
    status, everything = await world.get("/app/api/licences", user_id=ADMIN)
    assert status == 200 and isinstance(everything, dict)
    # Two approved applications; two invited, one joined; learner A active with one completion.
    assert [everything[key] for key in ("applied", "approved", "invited", "joined")] == [2, 2, 2, 1]
    assert (everything["active_30d"], everything["completed_any"]) == (1, 1)
    assert everything["courses_completed"] == 1
    assert everything["learning_hours"] == pytest.approx(15.75)
    status, own = await world.get("/app/api/licences", user_id=FOCAL_B)
    assert isinstance(own, dict)
    assert [own[key] for key in ("applied", "invited", "joined", "active_30d")] == [1, 1, 0, 0]
    assert (await world.get("/app/api/licences", user_id=ADMIN, as_of="someday"))[0] == 400


async def test_nudge_reports_are_for_hec_admins(world: World) -> None:
    status, reports = await world.get("/app/api/nudges", user_id=ADMIN)
    assert status == 200 and reports == []
    assert (await world.get("/app/api/nudges", user_id=FOCAL_A))[0] == 403
    assert (await world.get("/app/api/nudges", user_id=LEARNER_A))[0] == 403
    status, me = await world.get("/app/api/me", user_id=FOCAL_A)
    assert isinstance(me, dict) and me["features"] == ["licences", "faq_drafts"]


async def test_broadcasts_and_webinars_are_the_callers_own(world: World) -> None:
    status, mine = await world.get("/app/api/broadcasts", user_id=FOCAL_A)
    assert status == 200 and isinstance(mine, list) and len(mine) == 1
    broadcast = mine[0]
    assert broadcast["recipients"] >= 1 and broadcast["state"] in ("queued", "sending")
    path = f"/app/api/broadcasts/{broadcast['id']}"
    assert (await world.get(path, user_id=FOCAL_A))[0] == 200
    assert (await world.get(path, user_id=ADMIN))[0] == 200
    assert (await world.get(path, user_id=FOCAL_B))[0] == 404  # not theirs: not even its existence
    assert (await world.get(path, user_id=LEARNER_A))[0] == 403
    assert (await world.get("/app/api/broadcasts/abc", user_id=ADMIN))[0] == 404
    assert (await world.get("/app/api/broadcasts", user_id=FOCAL_B))[1] == []

    status, webinars = await world.get("/app/api/webinars", user_id=FOCAL_A)
    assert isinstance(webinars, list) and [w["rsvps_total"] for w in webinars] == [1]
    status, others = await world.get("/app/api/webinars", user_id=FOCAL_B)
    assert isinstance(others, list) and all(w["rsvps_total"] == 0 for w in others)


async def test_me_lists_only_the_universities_a_focal_person_may_filter_by(world: World) -> None:
    status, me = await world.get("/app/api/me", user_id=FOCAL_B)
    assert status == 200 and isinstance(me, dict)
    assert me["role"] == "focal_person" and me["language"] == "ur"
    assert [u["id"] for u in me["universities"]] == [world.university_b]
    status, admin = await world.get("/app/api/me", user_id=ADMIN)
    assert isinstance(admin, dict)
    assert len(admin["universities"]) > 2


async def test_one_time_sign_in_link_gives_a_session_once(world: World) -> None:
    dashboard = world.services.dashboard
    admin = UserProfile(
        id=ADMIN,
        language="en",
        role=Role.ADMIN,
        learner_kind=None,
        university_id=None,
        onboarded_at=None,
    )
    token = await dashboard.create_sign_in_link(admin)
    async with world.http.post(world.url("/app/api/session"), json={"token": token}) as response:
        assert response.status == 200
        session = (await response.json())["session"]
    status, me = await world.get("/app/api/me", header=f"Bearer {session}")
    assert status == 200 and isinstance(me, dict) and me["id"] == ADMIN
    async with world.http.post(world.url("/app/api/session"), json={"token": token}) as again:
        assert again.status == 401
    async with world.http.post(world.url("/app/api/session"), json={}) as empty:
        assert empty.status == 400


async def test_texts_come_from_the_catalogue_in_both_languages(world: World) -> None:
    status, english = await world.get("/app/api/texts", lang="en")
    status_ur, urdu = await world.get("/app/api/texts", lang="ur")
    assert status == status_ur == 200
    assert isinstance(english, dict) and isinstance(urdu, dict)
    assert set(english) == set(urdu)
    assert english["tab-overview"] == "Overview"
    assert urdu["tab-overview"] != english["tab-overview"]


async def test_texts_name_the_operators_programme_as_written(settings: Settings) -> None:
    """The page sets each text as text: PROGRAMME_NAME and PROGRAMME_OPERATOR reach the title
    and the refusal as the operator wrote them (the catalogue's "&amp;" was shown as such)."""
    settings.programme.name = "Sindh HEC & Coursera"
    settings.programme.operator = "Sindh HEC"
    async with dashboard_world(settings) as world:
        status, english = await world.get("/app/api/texts", lang="en")
        _, urdu = await world.get("/app/api/texts", lang="ur")
    assert status == 200 and isinstance(english, dict) and isinstance(urdu, dict)
    assert english["title"] == "Sindh HEC & Coursera programme"
    assert english["forbidden"] == "This dashboard is for focal persons and Sindh HEC staff."
    assert urdu["title"].startswith("Sindh HEC & Coursera ")


async def test_pages_are_served_with_a_strict_content_policy(world: World) -> None:
    async with world.http.get(world.url("/app/")) as response:
        assert response.status == 200
        html = await response.text()
        assert "static/app.js" in html
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "http" not in html.replace("http-equiv", ""), "no asset from another origin"
    assert quote("/app/") == "/app/"


async def post(world: World, path: str, body: object, *, user_id: int) -> tuple[int, object]:
    headers = {"Authorization": f"tma {sign_init_data(user_id)}"}
    async with world.http.post(world.url(path), json=body, headers=headers) as response:
        return response.status, await response.json()


async def drafts_in_database(world: World) -> list[tuple[str, int | None, bool]]:
    async with world.services.database.session() as session:
        rows = (await session.exec(select(FaqEntry).order_by(col(FaqEntry.id)))).all()
    return [(row.question, row.university_id, row.reviewed_at is not None) for row in rows]


async def test_a_gap_becomes_a_draft_that_only_an_admin_publishes(world: World) -> None:
    gap = {"question": "Can I get a free laptop?", "answer": "No: HEC's laptop scheme is separate."}
    # A focal person proposes for their own university, never for another.
    status, _ = await post(
        world, "/app/api/faq/drafts", {**gap, "university_id": world.university_b}, user_id=FOCAL_A
    )
    assert status == 403
    status, draft = await post(world, "/app/api/faq/drafts", gap, user_id=FOCAL_A)
    assert status == 201 and isinstance(draft, dict)
    assert draft["university_id"] == world.university_a and draft["reviewed"] is False
    assert "path" not in draft
    assert (await post(world, "/app/api/faq/drafts", {**gap, "answer": " "}, user_id=ADMIN))[
        0
    ] == 400
    assert (await world.get("/app/api/faq/drafts", user_id=FOCAL_A))[0] == 403
    status, queue = await world.get("/app/api/faq/drafts", user_id=ADMIN)
    assert status == 200 and isinstance(queue, list)
    assert [d["id"] for d in queue] == [draft["id"]]

    entry = f"/app/api/faq/drafts/{draft['id']}"
    for path in (entry, f"{entry}/approve", f"{entry}/reject"):
        assert (await post(world, path, {"question": "x"}, user_id=FOCAL_A))[0] == 403
        assert (await post(world, path, {}, user_id=LEARNER_A))[0] == 403
    assert await drafts_in_database(world) == [(gap["question"], world.university_a, False)]

    status, edited = await post(
        world,
        entry,
        {"question": "Does HEC give laptops?", "university_id": None},
        user_id=ADMIN,
    )
    assert status == 200 and isinstance(edited, dict)
    assert (edited["question"], edited["university_id"]) == ("Does HEC give laptops?", None)
    assert (await post(world, f"{entry}/approve", {}, user_id=ADMIN))[0] == 200
    assert await drafts_in_database(world) == [("Does HEC give laptops?", None, True)]
    assert (await world.get("/app/api/faq/drafts", user_id=ADMIN))[1] == []
    assert (await post(world, "/app/api/faq/drafts/999/approve", {}, user_id=ADMIN))[0] == 404


async def test_a_rejected_draft_is_gone(world: World) -> None:
    status, draft = await post(
        world,
        "/app/api/faq/drafts",
        {"question": "Hostels?", "answer": "Ask the university."},
        user_id=ADMIN,
    )
    assert status == 201 and isinstance(draft, dict) and draft["university_id"] is None
    assert (await post(world, f"/app/api/faq/drafts/{draft['id']}/reject", {}, user_id=ADMIN))[
        0
    ] == 200
    assert await drafts_in_database(world) == []
    async with world.http.post(
        world.url("/app/api/faq/drafts"),
        data="not json",
        headers={"Authorization": f"tma {sign_init_data(ADMIN)}"},
    ) as response:
        assert response.status == 400
