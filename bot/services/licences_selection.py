"""Selection HEC can run and audit: applications ranked by the intake's published criteria,
decisions imported from a CSV (approve, waitlist, reject with a reason) within the seats of each
university, every decision logged with who and when, learners told in their language through the
outbox, waitlisted learners moved up when a seat frees, unused licences reclaimed after a warning.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import PRIORITY_REMINDER, Outbox, OutgoingMessage
from bot.errors import NotFoundError
from bot.i18n import Catalogue, in_pakistan
from bot.services.licences_intakes import IntakeDefinition, parse_stored_intake
from bot.services.licences_reports import ReportImportError, RowProblem
from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import (
    ApplicationStatus,
    Decision,
    Intake,
    LicenceApplication,
    LicenceDecision,
    ReportKind,
)
from bot.storage.types import utcnow

OUTCOME_KIND = "licence_outcome"
RECLAIM_KIND = "licence_reclaim"
INACTIVE_DAYS = 30
EXPORT_COLUMNS = [
    "application_id",
    "rank",
    "university",
    "seats",
    "learner_kind",
    "score",
    "submitted_at",
    "domains",
    "tracks",
    "status",
    "decision",
    "reason",
]
DECISION_STATUS = {
    Decision.APPROVE: ApplicationStatus.APPROVED,
    Decision.WAITLIST: ApplicationStatus.WAITLISTED,
    Decision.REJECT: ApplicationStatus.REJECTED,
}


@dataclass(frozen=True)
class RankedApplication:
    id: int
    rank: int  # within the university, 1 = first
    university: str
    seats: int
    learner_kind: str
    score: float
    submitted_at: datetime | None
    domains: list[str]
    tracks: list[str]
    status: str

    def row(self) -> dict[str, Any]:
        return {
            "application_id": self.id,
            "rank": self.rank,
            "university": self.university,
            "seats": self.seats,
            "learner_kind": self.learner_kind,
            "score": f"{self.score:g}",
            "submitted_at": (
                f"{in_pakistan(self.submitted_at):%Y-%m-%d %H:%M}" if self.submitted_at else ""
            ),
            "domains": ";".join(self.domains),
            "tracks": ";".join(self.tracks),
            "status": self.status,
            "decision": "",
            "reason": "",
        }


@dataclass
class DecisionSummary:
    approved: int = 0
    waitlisted: int = 0
    rejected: int = 0
    promoted: int = 0
    notified: int = 0


@dataclass(frozen=True)
class ReclaimCandidate:
    application_id: int
    user_id: int
    university: str
    last_seen: date | None
    warned_at: datetime | None


@dataclass
class ReclaimSummary:
    warned: int = 0
    reclaimed: int = 0
    promoted: int = 0
    candidates: list[ReclaimCandidate] | None = None


def _rank_key(application: LicenceApplication) -> tuple[float, datetime, int]:
    return (-application.score, application.submitted_at or utcnow(), application.id or 0)


class SelectionService:
    def __init__(self, database: Database, outbox: Outbox, catalogue: Catalogue) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue

    async def _intake(self, session: AsyncSession, slug: str) -> tuple[Intake, IntakeDefinition]:
        intake = await repo.get_intake(session, slug=slug)
        if intake is None or intake.id is None:
            raise NotFoundError(f"no intake {slug}")
        return intake, parse_stored_intake(intake.source)

    async def ranked(self, slug: str) -> list[RankedApplication]:
        """Submitted and decided applications, ranked within each university by the intake's
        criteria: score, then the earlier submission, then the lower number."""
        async with self._database.session() as session:
            intake, definition = await self._intake(session, slug)
            assert intake.id is not None
            applications = await repo.applications_of_intake(
                session, intake_id=intake.id, statuses=repo.SUBMITTED_STATUSES
            )
            codes = await repo.university_codes(session)
        by_university: dict[int | None, list[LicenceApplication]] = defaultdict(list)
        for application in applications:
            by_university[application.university_id].append(application)
        ranked: list[RankedApplication] = []
        for university_id, group in by_university.items():
            code = codes.get(university_id) if university_id is not None else None
            for rank, application in enumerate(sorted(group, key=_rank_key), start=1):
                assert application.id is not None
                ranked.append(
                    RankedApplication(
                        id=application.id,
                        rank=rank,
                        university=code or "",
                        seats=definition.seats_for(code),
                        learner_kind=application.learner_kind or "",
                        score=application.score,
                        submitted_at=application.submitted_at,
                        domains=list(application.domains),
                        tracks=list(application.tracks),
                        status=application.status,
                    )
                )
        return sorted(ranked, key=lambda r: (r.university, r.rank))

    async def export_csv(self, slug: str) -> str:
        """The ranked list as CSV; fill `decision` and `reason` and import it back."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for application in await self.ranked(slug):
            writer.writerow(application.row())
        return buffer.getvalue()

    async def import_decisions(
        self, text: str, *, decided_by: str, source: str = "", now: datetime | None = None
    ) -> DecisionSummary:
        """Apply a decisions CSV (`application_id`, `decision`, `reason`): all rows or none."""
        now = now or utcnow()
        reader = csv.DictReader(io.StringIO(text))
        header = {name.strip().lower() for name in reader.fieldnames or []}
        missing = {"application_id", "decision"} - header
        if missing:
            raise ReportImportError(
                [RowProblem(1, f"missing column(s): {', '.join(sorted(missing))}")]
            )
        problems: list[RowProblem] = []
        planned: list[tuple[int, Decision, str]] = []
        seen: dict[int, int] = {}
        for row in reader:
            line = reader.line_num
            values = {str(k).strip().lower(): (v or "").strip() for k, v in row.items() if k}
            raw_decision = values.get("decision", "").lower()
            if not raw_decision:
                continue  # a row of the export left undecided
            try:
                application_id = int(values.get("application_id", ""))
            except ValueError:
                problems.append(RowProblem(line, "application_id is not a number"))
                continue
            try:
                decision = Decision(raw_decision)
            except ValueError:
                problems.append(
                    RowProblem(
                        line, f"decision must be approve, waitlist or reject, not {raw_decision!r}"
                    )
                )
                continue
            if decision not in DECISION_STATUS:
                problems.append(RowProblem(line, "decision must be approve, waitlist or reject"))
                continue
            reason = values.get("reason", "")[:500]
            if decision is Decision.REJECT and not reason:
                problems.append(RowProblem(line, "a rejection needs a reason"))
                continue
            if application_id in seen:
                problems.append(
                    RowProblem(
                        line, f"application {application_id} is also on line {seen[application_id]}"
                    )
                )
                continue
            seen[application_id] = line
            planned.append((application_id, decision, reason))
        summary = DecisionSummary()
        async with self._database.session() as session:
            codes = await repo.university_codes(session)
            applications: dict[int, LicenceApplication] = {}
            for application_id, _, _ in planned:
                found = await repo.get_application_by_id(session, application_id=application_id)
                if found is None or found.status not in (
                    ApplicationStatus.SUBMITTED.value,
                    ApplicationStatus.WAITLISTED.value,
                    ApplicationStatus.APPROVED.value,
                    ApplicationStatus.REJECTED.value,
                ):
                    problems.append(
                        RowProblem(
                            seen[application_id],
                            f"application {application_id} "
                            + ("does not exist" if found is None else f"is {found.status}"),
                        )
                    )
                    continue
                applications[application_id] = found
            # Seats: approvals already made plus approvals in this file, per intake and university.
            approved_now: dict[tuple[int, int | None], int] = defaultdict(int)
            for application_id, decision, _ in planned:
                application = applications.get(application_id)
                if application is None:
                    continue
                key = (application.intake_id, application.university_id)
                was_approved = application.status == ApplicationStatus.APPROVED.value
                if decision is Decision.APPROVE and not was_approved:
                    approved_now[key] += 1
                elif decision is not Decision.APPROVE and was_approved:
                    approved_now[key] -= 1
            for (intake_id, university_id), extra in approved_now.items():
                if extra <= 0:
                    continue
                intake = await repo.get_intake_by_id(session, intake_id=intake_id)
                assert intake is not None
                definition = parse_stored_intake(intake.source)
                code = codes.get(university_id) if university_id is not None else None
                seats = definition.seats_for(code)
                taken = (
                    await repo.count_approved(
                        session, intake_id=intake_id, university_id=university_id
                    )
                    if university_id is not None
                    else 0
                )
                if taken + extra > seats:
                    lines = [
                        seen[a_id]
                        for a_id, decision, _ in planned
                        if decision is Decision.APPROVE
                        and a_id in applications
                        and applications[a_id].intake_id == intake_id
                        and applications[a_id].university_id == university_id
                    ]
                    problems.append(
                        RowProblem(
                            max(lines),
                            f"{code or 'no university'} has {seats} seats in {intake.slug}: "
                            f"{taken} approved already, {extra} more here",
                        )
                    )
            if problems:
                raise ReportImportError(sorted(problems, key=lambda p: p.line))
            messages = []
            freed: list[LicenceApplication] = []
            for application_id, decision, reason in planned:
                application = applications[application_id]
                status = DECISION_STATUS[decision]
                if (
                    application.status == ApplicationStatus.APPROVED.value
                    and status is not ApplicationStatus.APPROVED
                ):
                    freed.append(application)
                self._decide(
                    session, application, decision, status, reason, decided_by, source, now
                )
                if status is ApplicationStatus.APPROVED:
                    summary.approved += 1
                elif status is ApplicationStatus.WAITLISTED:
                    summary.waitlisted += 1
                else:
                    summary.rejected += 1
                message = await self._outcome_message(session, application, decision.value, reason)
                if message is not None:
                    messages.append(message)
            await session.flush()
            # An approval taken back frees a seat: the waiting list of that university moves up.
            for application in freed:
                promoted = await self._promote(session, application, now)
                if promoted is not None:
                    messages.append(promoted)
                    summary.promoted += 1
                await session.flush()
            if messages:
                await self._outbox.enqueue_job(
                    kind=OUTCOME_KIND,
                    reference=f"decisions:{source}"[:128],
                    messages=messages,
                    priority=PRIORITY_REMINDER,
                    session=session,
                )
            summary.notified = len(messages)
        return summary

    @staticmethod
    def _decide(  # noqa: PLR0917
        session: AsyncSession,
        application: LicenceApplication,
        decision: Decision,
        status: ApplicationStatus,
        reason: str,
        decided_by: str,
        source: str,
        now: datetime,
    ) -> None:
        assert application.id is not None
        application.status = status.value
        application.decided_at = now
        application.decision_reason = reason or None
        application.updated_at = now
        session.add(application)
        session.add(
            LicenceDecision(
                application_id=application.id,
                decision=decision.value,
                reason=reason,
                decided_by=decided_by[:128],
                decided_at=now,
                source=source[:300],
            )
        )

    async def _outcome_message(
        self, session: AsyncSession, application: LicenceApplication, outcome: str, reason: str
    ) -> OutgoingMessage | None:
        if application.user_id is None:
            return None
        intake = await repo.get_intake_by_id(session, intake_id=application.intake_id)
        assert intake is not None
        texts = self._catalogue.for_language(application.language)
        key = {
            "approve": "licence-outcome-approved",
            "waitlist": "licence-outcome-waitlisted",
            "reject": "licence-outcome-rejected",
            "promote": "licence-outcome-promoted",
        }[outcome]
        title = parse_stored_intake(intake.source).title_in(texts.language)
        return OutgoingMessage(
            chat_id=application.user_id, text=texts(key, intake=title, reason=reason or "-")
        )

    async def decisions_log(self, application_id: int) -> list[LicenceDecision]:
        async with self._database.session() as session:
            return await repo.decisions_of(session, application_id=application_id)

    async def _promote(
        self, session: AsyncSession, freed: LicenceApplication, now: datetime
    ) -> OutgoingMessage | None:
        """Give a freed seat to the first on the waiting list of the same intake and
        university; returns the message telling them."""
        waiting = await repo.applications_of_intake(
            session,
            intake_id=freed.intake_id,
            statuses=[ApplicationStatus.WAITLISTED.value],
        )
        same = [a for a in waiting if a.university_id == freed.university_id]
        if not same:
            return None
        first = sorted(same, key=_rank_key)[0]
        self._decide(
            session,
            first,
            Decision.PROMOTE,
            ApplicationStatus.APPROVED,
            f"seat freed by application {freed.id}",
            "hecbot",
            "seat-freed",
            now,
        )
        return await self._outcome_message(session, first, "promote", "")

    async def _candidates(self, session: AsyncSession, as_of: date) -> list[ReclaimCandidate]:
        membership = await repo.latest_snapshot(
            session, kind=ReportKind.MEMBERSHIP, on_or_before=as_of
        )
        if membership is None or membership.id is None:
            return []
        usage = await repo.latest_snapshot(session, kind=ReportKind.USAGE, on_or_before=as_of)
        last_seen: dict[int, date] = {}
        members = await repo.membership_rows(session, snapshot_id=membership.id, linked_only=True)
        for _email, user_id, invited_on, joined_on in members:
            if user_id is None:
                continue
            days = [d for d in (invited_on, joined_on) if d is not None]
            last_seen[user_id] = max(days) if days else date.min
        if usage is not None and usage.id is not None:
            for _email, user_id, _course, activity, _hours, _completed in await repo.usage_rows(
                session, snapshot_id=usage.id, linked_only=True
            ):
                if user_id in last_seen and activity is not None:
                    last_seen[user_id] = max(last_seen[user_id], activity)
        codes = await repo.university_codes(session)
        cutoff = as_of - timedelta(days=INACTIVE_DAYS)
        found = []
        for application in await repo.approved_applications(session):
            user_id = application.user_id
            if user_id is None or user_id not in last_seen or application.id is None:
                continue
            intake = await repo.get_intake_by_id(session, intake_id=application.intake_id)
            if intake is None or intake.licence_ends_on < as_of:
                continue
            seen = last_seen[user_id]
            if seen > cutoff:
                continue
            found.append(
                ReclaimCandidate(
                    application_id=application.id,
                    user_id=user_id,
                    university=codes.get(application.university_id or -1, ""),
                    last_seen=seen if seen != date.min else None,
                    warned_at=application.reclaim_warned_at,
                )
            )
        return found

    async def reclaim(
        self,
        as_of: date,
        *,
        grace: timedelta = timedelta(days=7),
        decided_by: str = "hecbot",
        dry_run: bool = False,
        now: datetime | None = None,
    ) -> ReclaimSummary:
        """Warn each inactive licence holder once; reclaim the licences of those still
        inactive `grace` after their warning, and move the waiting list up."""
        now = now or utcnow()
        summary = ReclaimSummary()
        async with self._database.session() as session:
            candidates = await self._candidates(session, as_of)
            summary.candidates = candidates
            if dry_run:
                return summary
            warnings: list[OutgoingMessage] = []
            outcomes: list[OutgoingMessage] = []
            for candidate in candidates:
                application = await repo.get_application_by_id(
                    session, application_id=candidate.application_id
                )
                assert application is not None
                texts = self._catalogue.for_language(application.language)
                if application.reclaim_warned_at is None:
                    application.reclaim_warned_at = now
                    session.add(application)
                    warnings.append(
                        OutgoingMessage(candidate.user_id, texts("licence-reclaim-warning"))
                    )
                    summary.warned += 1
                    continue
                if now - application.reclaim_warned_at < grace:
                    continue
                self._decide(
                    session,
                    application,
                    Decision.RECLAIM,
                    ApplicationStatus.RECLAIMED,
                    f"no activity since {candidate.last_seen or 'the invitation'}",
                    decided_by,
                    "reclaim",
                    now,
                )
                outcomes.append(OutgoingMessage(candidate.user_id, texts("licence-reclaimed")))
                summary.reclaimed += 1
                await session.flush()
                promoted = await self._promote(session, application, now)
                if promoted is not None:
                    outcomes.append(promoted)
                    summary.promoted += 1
            await session.flush()
            for kind, messages in ((RECLAIM_KIND, warnings), (OUTCOME_KIND, outcomes)):
                if messages:
                    await self._outbox.enqueue_job(
                        kind=kind,
                        reference=f"reclaim:{as_of}",
                        messages=messages,
                        priority=PRIORITY_REMINDER,
                        session=session,
                    )
        return summary
