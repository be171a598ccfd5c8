"""A learner's own licence: where it stands, days left, courses and hours from the latest
Coursera reports, and their /myplan progress measured against the days left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.i18n import pakistan_today
from bot.services.licences_intakes import parse_stored_intake
from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import ApplicationStatus, ReportKind

ACTIVE_DAYS = 30
# A plan course takes about this long at a few hours a week: more courses left than fit in the
# days left and the plan is at risk.
DAYS_PER_PLAN_COURSE = 14


@dataclass(frozen=True)
class LicenceStatusView:
    status: str  # applied, waitlisted, approved, invited, joined, active, inactive, ended, ...
    intake: str
    ends_on: date
    days_left: int | None
    reason: str | None
    courses_completed: int
    courses_enrolled: int
    hours: float
    report_as_of: date | None
    plan_done: int
    plan_total: int
    plan_at_risk: bool


def licence_stage(
    *,
    application_status: str,
    today: date,
    ends_on: date,
    in_membership: bool,
    joined: bool,
    last_activity: date | None,
) -> str:
    """One word for where a licence stands, from the application and the latest reports."""
    if application_status == ApplicationStatus.SUBMITTED.value:
        return "applied"
    if application_status != ApplicationStatus.APPROVED.value:
        return application_status  # draft, waitlisted, rejected, withdrawn, reclaimed
    if today > ends_on:
        return "ended"
    if not in_membership:
        return "approved"
    if not joined:
        return "invited"
    if last_activity is None:
        return "joined"
    if last_activity >= today - timedelta(days=ACTIVE_DAYS - 1):
        return "active"
    return "inactive"


class LicenceStatusService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def status(self, user_id: int, today: date | None = None) -> LicenceStatusView | None:
        today = today or pakistan_today()
        async with self._database.session() as session:
            application = await repo.latest_application(session, user_id=user_id)
            if application is None:
                return None
            intake = await repo.get_intake_by_id(session, intake_id=application.intake_id)
            assert intake is not None
            membership = await repo.latest_snapshot(
                session, kind=ReportKind.MEMBERSHIP, on_or_before=today
            )
            usage = await repo.latest_snapshot(session, kind=ReportKind.USAGE, on_or_before=today)
            member = (
                await repo.membership_of(session, snapshot_id=membership.id, user_id=user_id)
                if membership and membership.id
                else None
            )
            rows = (
                await repo.usage_rows_of(session, snapshot_id=usage.id, user_id=user_id)
                if usage and usage.id
                else []
            )
            plan_done, plan_total = await repo.plan_progress(session, user_id=user_id)
        activity = [row.last_activity_on for row in rows if row.last_activity_on is not None]
        stage = licence_stage(
            application_status=application.status,
            today=today,
            ends_on=intake.licence_ends_on,
            in_membership=member is not None,
            joined=member is not None and member.joined_on is not None,
            last_activity=max(activity) if activity else None,
        )
        licensed = stage in {"approved", "invited", "joined", "active", "inactive"}
        days_left = max(0, (intake.licence_ends_on - today).days) if licensed else None
        remaining_plan = plan_total - plan_done
        definition = parse_stored_intake(intake.source)
        return LicenceStatusView(
            status=stage,
            intake=definition.title_in(application.language),
            ends_on=intake.licence_ends_on,
            days_left=days_left,
            reason=application.decision_reason,
            courses_completed=sum(1 for row in rows if row.completed),
            courses_enrolled=len(rows),
            hours=sum(row.hours for row in rows),
            report_as_of=usage.as_of if usage and rows else None,
            plan_done=plan_done,
            plan_total=plan_total,
            plan_at_risk=days_left is not None
            and remaining_plan * DAYS_PER_PLAN_COURSE > days_left,
        )
