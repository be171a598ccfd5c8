"""The dashboard's HTTP side: static pages under `/app/` and a JSON API under `/app/api/`.

Mounted on the webhook server (`create_web_app`) and served alone by `hecbot web`. Handlers here
only authenticate, parse query parameters, call `DashboardService` and serialise: the rules of
who sees what live in the service, exactly as in the chat.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.errors import HecbotError, InvalidInputError, NotAllowedError, NotFoundError
from bot.i18n import SUPPORTED_LANGUAGES, Catalogue, pakistan_today
from bot.services.dashboard import DashboardFilters, DashboardService
from bot.services.faq import FaqView
from bot.services.faq_review import FaqReviewService
from bot.services.survey_results import ExportFormat
from bot.services.users import UserProfile, UserService
from bot.storage.models import Role
from bot.web.auth import (
    AuthenticationError,
    WebIdentity,
    identity_from_header,
    issue_session_token,
)

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
TEXT_PREFIX = "dashboard-"


@dataclasses.dataclass(frozen=True)
class WebConfig:
    """What the web layer needs besides the services."""

    bot_token: str
    init_data_max_age_seconds: int


@dataclasses.dataclass(frozen=True)
class WebDependencies:
    dashboard: DashboardService
    faq_review: FaqReviewService
    users: UserService
    catalogue: Catalogue
    config: WebConfig


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _as_dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def _as_dict(value: Any) -> dict[str, Any]:
    """A dataclass as a dict, with its properties (e.g. `state`, `rate`) included."""
    result = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    for name in dir(type(value)):
        if isinstance(getattr(type(value), name, None), property):
            result[name] = getattr(value, name)
    return result


def json_response(payload: Any, *, status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(payload, default=_json_default, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _error(status: int, code: str) -> web.Response:
    return json_response({"ok": False, "error": code}, status=status)


def _optional_int(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise InvalidInputError(f"{name} must be a whole number") from error


def _optional_date(request: web.Request, name: str) -> date | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise InvalidInputError(f"{name} must be a date like 2026-12-05") from error


def filters_from(request: web.Request) -> DashboardFilters:
    return DashboardFilters(
        university_id=_optional_int(request, "university"),
        city=request.query.get("city", "").strip() or None,
        since=_optional_date(request, "since"),
        until=_optional_date(request, "until"),
    )


def _language(request: web.Request, viewer: UserProfile) -> str:
    asked = request.query.get("lang", "")
    return asked if asked in SUPPORTED_LANGUAGES else viewer.language


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as error:
        raise InvalidInputError("the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise InvalidInputError("the body must be a JSON object")
    return body


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be text")
    return value


def _optional_int_field(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInputError(f"{name} must be a whole number")
    try:
        return int(value)
    except ValueError as error:
        raise InvalidInputError(f"{name} must be a whole number") from error


def _path_id(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError as error:
        raise NotFoundError(name) from error


def _faq_json(draft: FaqView) -> dict[str, Any]:
    """What the page needs of an FAQ entry (never its file path on the server)."""
    return {
        "id": draft.id,
        "question": draft.question,
        "answer": draft.answer,
        "author_role": draft.author_role,
        "university_id": draft.university_id,
        "university_name": draft.university_name,
        "created_at": draft.created_at,
        "reviewed": draft.reviewed,
        "from_ticket": draft.ticket_id is not None,
    }


class DashboardApi:
    """The `/app/api/` endpoints; each resolves the caller before doing anything else."""

    def __init__(self, deps: WebDependencies) -> None:
        self._deps = deps

    async def viewer(self, request: web.Request) -> UserProfile:
        identity = self._identity(request)
        profile = await self._deps.users.get(identity.user_id)
        if profile is None:
            raise NotAllowedError("unknown user")
        self._deps.dashboard.require_staff(profile)
        return profile

    def _identity(self, request: web.Request) -> WebIdentity:
        config = self._deps.config
        return identity_from_header(
            request.headers.get("Authorization", ""),
            bot_token=config.bot_token,
            max_age_seconds=config.init_data_max_age_seconds,
        )

    async def me(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        universities = await self._deps.dashboard.universities(viewer)
        return json_response(
            {
                "id": viewer.id,
                "role": viewer.role.value,
                "university_id": viewer.university_id,
                "language": viewer.language,
                "universities": universities,
                # Pages beyond the common ones that this viewer may open.
                "features": [
                    "licences",
                    "faq_drafts",
                    *(["nudges", "faq_review"] if viewer.role is Role.ADMIN else []),
                ],
            }
        )

    async def overview(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        return json_response(await self._deps.dashboard.overview(viewer, filters_from(request)))

    async def gaps(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        return json_response(await self._deps.dashboard.gaps(viewer, filters_from(request)))

    async def surveys(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        return json_response(await self._deps.dashboard.surveys(viewer, filters_from(request)))

    async def survey(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        page = await self._deps.dashboard.survey(
            viewer,
            request.match_info["slug"],
            filters_from(request),
            language=_language(request, viewer),
        )
        return json_response(page)

    async def survey_export(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        fmt: ExportFormat
        match request.query.get("format", "csv"):
            case "csv":
                fmt = "csv"
            case "xlsx":
                fmt = "xlsx"
            case _:
                raise InvalidInputError("format must be csv or xlsx")
        name, content = await self._deps.dashboard.survey_export(
            viewer, request.match_info["slug"], filters_from(request), fmt
        )
        return web.Response(
            body=content,
            content_type="text/csv" if fmt == "csv" else "application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def broadcasts(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        return json_response(await self._deps.dashboard.broadcasts(viewer))

    async def broadcast(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        broadcast_id = _path_id(request, "broadcast_id")
        return json_response(await self._deps.dashboard.broadcast(viewer, broadcast_id))

    async def webinars(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        past = request.query.get("past", "") in ("1", "true", "yes")
        return json_response(await self._deps.dashboard.webinars(viewer, include_past=past))

    async def licences(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        as_of = _optional_date(request, "as_of") or pakistan_today()
        funnel = await self._deps.dashboard.licences(viewer, filters_from(request), as_of=as_of)
        return json_response(funnel.to_json())

    async def nudges(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        as_of = _optional_date(request, "as_of") or pakistan_today()
        reports = await self._deps.dashboard.nudge_reports(viewer, as_of=as_of)
        return json_response([report.to_json() for report in reports])

    # --- FAQ drafts: proposed from a knowledge gap, reviewed by HEC admins -------------------

    async def faq_drafts(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        drafts = await self._deps.faq_review.list_drafts(viewer)
        return json_response([_faq_json(draft) for draft in drafts])

    async def faq_propose(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        body = await _json_body(request)
        draft = await self._deps.faq_review.propose(
            viewer,
            question=_text_field(body, "question"),
            answer=_text_field(body, "answer"),
            university_id=_optional_int_field(body, "university_id"),
        )
        return json_response(_faq_json(draft), status=201)

    async def faq_edit(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        entry_id = _path_id(request, "entry_id")
        body = await _json_body(request)
        review = self._deps.faq_review
        draft = await review.edit(
            viewer,
            entry_id,
            question=_text_field(body, "question") if "question" in body else None,
            answer=_text_field(body, "answer") if "answer" in body else None,
        )
        if "university_id" in body:
            draft = await review.set_scope(
                viewer, entry_id, _optional_int_field(body, "university_id")
            )
        return json_response(_faq_json(draft))

    async def faq_approve(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        draft = await self._deps.faq_review.approve(viewer, _path_id(request, "entry_id"))
        return json_response(_faq_json(draft))

    async def faq_reject(self, request: web.Request) -> web.Response:
        viewer = await self.viewer(request)
        await self._deps.faq_review.reject(viewer, _path_id(request, "entry_id"))
        return json_response({"ok": True})

    async def session(self, request: web.Request) -> web.Response:
        """Exchange a one-time sign-in link's token for a session token."""
        try:
            body = await request.json()
            token = str(body["token"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "token required")
        user_id = await self._deps.dashboard.redeem_sign_in_link(token)
        if user_id is None:
            return _error(401, "link expired or already used")
        session = issue_session_token(user_id, bot_token=self._deps.config.bot_token)
        return json_response({"ok": True, "session": session})

    async def texts(self, request: web.Request) -> web.Response:
        """The dashboard's own strings from the Fluent catalogue, for one language, as plain text
        (the page sets them as text: an operator's "A & B" is not shown as "A &amp; B")."""
        language = request.query.get("lang", "en")
        if language not in SUPPORTED_LANGUAGES:
            language = "en"
        catalogue = self._deps.catalogue
        keys = sorted(key for key in catalogue.keys(language) if key.startswith(TEXT_PREFIX))
        return json_response(
            {key.removeprefix(TEXT_PREFIX): catalogue.plain(language, key) for key in keys}
        )


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors as status codes: 401 no proof, 403 not yours, 404, 400 bad filters."""
    try:
        return await handler(request)
    except AuthenticationError as error:
        log.info("dashboard: unauthenticated request to %s (%s)", request.path, error)
        return _error(401, "unauthorized")
    except NotAllowedError:
        return _error(403, "forbidden")
    except NotFoundError:
        return _error(404, "not found")
    except InvalidInputError as error:
        return _error(400, str(error.args[0]) if error.args else "invalid input")
    except HecbotError as error:
        log.warning("dashboard: %s on %s", error, request.path)
        return _error(400, "invalid input")


@web.middleware
async def _security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    # Everything is served from here: no other origin may supply scripts or styles.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors https://web.telegram.org https://*.telegram.org 'self'",
    )
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/app/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_dashboard_app(deps: WebDependencies) -> web.Application:
    """The sub-application to mount at `/app/`."""
    app = web.Application(middlewares=[_security_headers, _errors])
    api = DashboardApi(deps)

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR, append_version=True)
    app.router.add_get("/api/texts", api.texts)
    app.router.add_post("/api/session", api.session)
    app.router.add_get("/api/me", api.me)
    app.router.add_get("/api/overview", api.overview)
    app.router.add_get("/api/gaps", api.gaps)
    app.router.add_get("/api/surveys", api.surveys)
    app.router.add_get("/api/surveys/{slug}", api.survey)
    app.router.add_get("/api/surveys/{slug}/export", api.survey_export)
    app.router.add_get("/api/broadcasts", api.broadcasts)
    app.router.add_get("/api/broadcasts/{broadcast_id}", api.broadcast)
    app.router.add_get("/api/webinars", api.webinars)
    app.router.add_get("/api/licences", api.licences)
    app.router.add_get("/api/faq/drafts", api.faq_drafts)
    app.router.add_post("/api/faq/drafts", api.faq_propose)
    app.router.add_post("/api/faq/drafts/{entry_id}", api.faq_edit)
    app.router.add_post("/api/faq/drafts/{entry_id}/approve", api.faq_approve)
    app.router.add_post("/api/faq/drafts/{entry_id}/reject", api.faq_reject)
    app.router.add_get("/api/nudges", api.nudges)
    return app


def mount_dashboard(app: web.Application, deps: WebDependencies) -> None:
    """Serve the dashboard under `/app/` of `app` (the webhook server or `hecbot web`)."""
    app.add_subapp("/app/", create_dashboard_app(deps))
