"""Nudges from each learner's own record, and the proof that they work.

A rule (YAML, defined by HEC) names a trigger read from the latest Coursera reports: invited
but not joined after N days; joined but inactive for 14 days; licence ending within 14 days
with a course unfinished; a course completed; a seat freed for a waitlisted learner. Planning a
wave finds the eligible learners, assigns each at random (seeded, stratified by university) to
the nudge or to the holdout (10% by default) and records it; the nudge group gets the rule's
text in their language through the outbox, outside quiet hours (22:00-08:00 Pakistan time), at
most one nudge a week, and only if they consented. `report` compares the outcome the rule
targets between the two groups from later snapshots: difference and 95% confidence interval
(Newcombe's method, statsmodels).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.delivery import PRIORITY_REMINDER, Outbox, OutgoingMessage
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import PAKISTAN_TIME, Catalogue
from bot.services.buttons import Buttons
from bot.services.licences_intakes import SLUG
from bot.services.licences_yaml import YamlReader
from bot.services.survey_scheduling import invite_on_request
from bot.storage import licence_repository as repo
from bot.storage import survey_repository
from bot.storage.db import Database
from bot.storage.licence_models import (
    NudgeGroup,
    NudgeRule,
    ReportKind,
)
from bot.storage.types import utcnow

NUDGE_KIND = "licence_nudge"
QUIET_START = time(22, 0)
QUIET_END = time(8, 0)
ONE_NUDGE_PER = timedelta(days=7)


class Trigger(StrEnum):
    INVITED_NOT_JOINED = "invited_not_joined"
    INACTIVE = "inactive"
    ENDING_UNFINISHED = "ending_unfinished"
    COURSE_COMPLETED = "course_completed"
    SEAT_FREED = "seat_freed"


class Outcome(StrEnum):
    JOINED = "joined"
    ACTIVE_AGAIN = "active_again"
    COMPLETED = "completed"


# The outcome each trigger targets (the one `report` compares).
TARGET = {
    Trigger.INVITED_NOT_JOINED: Outcome.JOINED,
    Trigger.INACTIVE: Outcome.ACTIVE_AGAIN,
    Trigger.ENDING_UNFINISHED: Outcome.COMPLETED,
    Trigger.COURSE_COMPLETED: Outcome.ACTIVE_AGAIN,
    Trigger.SEAT_FREED: Outcome.JOINED,
}
DEFAULT_DAYS = {
    Trigger.INVITED_NOT_JOINED: 7,
    Trigger.INACTIVE: 14,
    Trigger.ENDING_UNFINISHED: 14,
    Trigger.COURSE_COMPLETED: 0,
    Trigger.SEAT_FREED: 0,
}


@dataclass(frozen=True)
class NudgeDefinition:
    slug: str
    trigger: Trigger
    days: int
    holdout: float
    seed: int
    text: dict[str, str]
    survey: str | None = None

    @property
    def outcome(self) -> Outcome:
        return TARGET[self.trigger]


def parse_rule(source: str) -> NudgeDefinition:
    """Validate a nudge rule file; `LicenceFileError` lists every problem with its line."""
    reader = YamlReader(source)
    data = reader.data
    if not isinstance(data, dict):
        reader.fail((), "a nudge rule is a mapping with id, trigger, text")
        reader.check()
    reader.unknown_keys(data, {"id", "trigger", "days", "holdout", "seed", "text", "survey"}, ())
    slug = data.get("id")
    if not isinstance(slug, str) or not SLUG.match(slug):
        reader.fail(("id",), "id must be lower-case letters, digits, '-' or '_'")
        slug = "?"
    try:
        trigger = Trigger(str(data.get("trigger")))
    except ValueError:
        reader.fail(("trigger",), f"trigger must be one of {', '.join(t.value for t in Trigger)}")
        trigger = Trigger.INACTIVE
    days = reader.integer(data, "days", (), default=DEFAULT_DAYS[trigger], low=0, high=365)
    holdout = data.get("holdout", 0.10)
    if isinstance(holdout, bool) or not isinstance(holdout, int | float) or not 0 <= holdout < 1:
        reader.fail(("holdout",), "holdout is a share from 0 to below 1 (0.10 is 10%)")
        holdout = 0.10
    seed = reader.integer(data, "seed", (), default=1, low=0, high=2**31)
    text = reader.local_text(data.get("text"), ("text",), "text")
    survey = data.get("survey")
    if survey is not None and not isinstance(survey, str):
        reader.fail(("survey",), "survey is a survey id")
    reader.check()
    return NudgeDefinition(str(slug), trigger, days, float(holdout), seed, text, survey)


def survey_wave_label(rule: str) -> str:
    """The survey wave a rule's learners are invited to (one per rule and survey version)."""
    return f"nudge:{rule}"[:64]


def next_allowed_time(now: datetime) -> datetime:
    """`now`, or the end of quiet hours (08:00 Pakistan time) when `now` falls inside them."""
    local = now.astimezone(PAKISTAN_TIME)
    if local.time() >= QUIET_START:
        local = datetime.combine(local.date() + timedelta(days=1), QUIET_END, tzinfo=PAKISTAN_TIME)
    elif local.time() < QUIET_END:
        local = datetime.combine(local.date(), QUIET_END, tzinfo=PAKISTAN_TIME)
    else:
        return now
    return local.astimezone(now.tzinfo)


def assign_groups(
    learners: list[tuple[int, int | None]], *, holdout: float, seed: int, salt: str
) -> dict[int, NudgeGroup]:
    """Random assignment stratified by university: within each university the learners are
    shuffled by a generator seeded from (seed, salt, university) and the first
    round(n * holdout) (randomly rounded) go to the holdout. Same inputs, same groups."""
    strata: dict[int | None, list[int]] = defaultdict(list)
    for user_id, university_id in learners:
        strata[university_id].append(user_id)
    groups: dict[int, NudgeGroup] = {}
    for university_id, members in sorted(strata.items(), key=lambda item: item[0] or -1):
        digest = hashlib.sha256(f"{seed}:{salt}:{university_id}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        ordered = sorted(members)
        rng.shuffle(ordered)
        exact = len(ordered) * holdout
        held = int(exact) + (1 if rng.random() < exact - int(exact) else 0)
        for position, user_id in enumerate(ordered):
            groups[user_id] = NudgeGroup.HOLDOUT if position < held else NudgeGroup.NUDGE
    return groups


@dataclass
class WavePlan:
    rule: str
    eligible: int = 0
    nudged: int = 0
    held_out: int = 0
    skipped_recent: int = 0
    skipped_consent: int = 0
    surveys_invited: int = 0
    send_at: datetime | None = None


@dataclass
class GroupResult:
    group: str
    learners: int
    successes: int

    @property
    def rate(self) -> float:
        return self.successes / self.learners if self.learners else 0.0


@dataclass
class NudgeReport:
    rule: str
    outcome: str
    as_of: date
    snapshot_as_of: date | None
    nudge: GroupResult
    holdout: GroupResult
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    pending: int = 0  # assigned on or after the snapshot: no later report yet
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "outcome": self.outcome,
            "as_of": self.as_of.isoformat(),
            "snapshot_as_of": self.snapshot_as_of.isoformat() if self.snapshot_as_of else None,
            "nudge": {"learners": self.nudge.learners, "successes": self.nudge.successes},
            "holdout": {"learners": self.holdout.learners, "successes": self.holdout.successes},
            "nudge_rate": self.nudge.rate,
            "holdout_rate": self.holdout.rate,
            "difference": self.difference,
            "ci95": [self.ci_low, self.ci_high] if self.ci_low is not None else None,
            "pending": self.pending,
        }


def difference_ci(
    successes_a: int, n_a: int, successes_b: int, n_b: int
) -> tuple[float, float, float]:
    """Difference of two proportions (a - b) and its 95% interval, Newcombe's hybrid score
    method (statsmodels): well behaved with small groups and rates near 0 or 1."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        successes_a, n_a, successes_b, n_b, method="newcomb", compare="diff", alpha=0.05
    )
    return successes_a / n_a - successes_b / n_b, float(low), float(high)


@dataclass(frozen=True)
class _Eligible:
    user_id: int
    email: str
    university_id: int | None


class NudgeService:
    def __init__(
        self, database: Database, outbox: Outbox, catalogue: Catalogue, *, buttons: Buttons
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._catalogue = catalogue
        # A rule's survey invitation carries its "Start" button (from the Telegram layer).
        self._buttons = buttons

    async def add(self, source: str) -> NudgeDefinition:
        definition = parse_rule(source)
        async with self._database.session() as session:
            if (
                definition.survey
                and await survey_repository.current_version(session, definition.survey) is None
            ):
                raise InvalidInputError(
                    f"nudge {definition.slug}: there is no survey {definition.survey!r} "
                    "(add it first with `hecbot survey add FILE`)"
                )
            rule = await repo.get_rule(session, slug=definition.slug)
            if rule is None:
                rule = NudgeRule(slug=definition.slug, trigger=definition.trigger.value, source="")
            rule.source = source
            rule.trigger = definition.trigger.value
            session.add(rule)
        return definition

    async def list_rules(self) -> list[tuple[NudgeDefinition, int, int]]:
        """Each rule with its learners in the nudge and in the holdout."""
        found = []
        async with self._database.session() as session:
            for rule in await repo.list_rules(session):
                assert rule.id is not None
                assignments = await repo.assignments_of(session, rule_id=rule.id)
                nudged = sum(1 for a in assignments if a.group == NudgeGroup.NUDGE.value)
                found.append((parse_rule(rule.source), nudged, len(assignments) - nudged))
        return found

    async def stop(self, slug: str) -> None:
        """No more waves of this rule (its assignments stay, so its report still works)."""
        async with self._database.session() as session:
            rule, _ = await self._rule(session, slug)
            rule.stopped_at = rule.stopped_at or utcnow()
            session.add(rule)

    async def run_due(self, now: datetime) -> int:
        """Plan a wave of every active rule as of today in Pakistan (the delivery worker's
        scheduler calls this); learners already assigned to a rule are never assigned again.
        Returns the nudges queued."""
        async with self._database.session() as session:
            active = [rule.slug for rule in await repo.list_rules(session) if not rule.stopped_at]
        queued = 0
        for slug in active:
            plan = await self.plan(slug, as_of=now.astimezone(PAKISTAN_TIME).date(), now=now)
            queued += plan.nudged
        return queued

    async def _rule(self, session: AsyncSession, slug: str) -> tuple[NudgeRule, NudgeDefinition]:
        rule = await repo.get_rule(session, slug=slug)
        if rule is None or rule.id is None:
            raise NotFoundError(f"no nudge rule {slug}")
        return rule, parse_rule(rule.source)

    async def plan(
        self, slug: str, *, as_of: date, now: datetime | None = None, dry_run: bool = False
    ) -> WavePlan:
        """Find the eligible learners, assign them, queue the nudges (not in quiet hours)."""
        now = now or utcnow()
        plan = WavePlan(rule=slug)
        async with self._database.session() as session:
            rule, definition = await self._rule(session, slug)
            assert rule.id is not None
            eligible = await self._eligible(session, definition, as_of)
            already = await repo.assigned_users(session, rule_id=rule.id)
            eligible = [e for e in eligible if e.user_id not in already]
            consenting = await repo.consenting_users(
                session, user_ids=[e.user_id for e in eligible]
            )
            plan.skipped_consent = sum(1 for e in eligible if e.user_id not in consenting)
            eligible = [e for e in eligible if e.user_id in consenting]
            recent = await repo.nudged_since(session, since=now - ONE_NUDGE_PER)
            plan.skipped_recent = sum(1 for e in eligible if e.user_id in recent)
            eligible = [e for e in eligible if e.user_id not in recent]
            plan.eligible = len(eligible)
            groups = assign_groups(
                [(e.user_id, e.university_id) for e in eligible],
                holdout=definition.holdout,
                seed=definition.seed,
                salt=f"{slug}:{as_of.isoformat()}",
            )
            send_at = next_allowed_time(now)
            plan.send_at = send_at
            messages: list[OutgoingMessage] = []
            rows: list[dict[str, Any]] = []
            for learner in eligible:
                group = groups[learner.user_id]
                nudged = group is NudgeGroup.NUDGE
                rows.append(
                    {
                        "rule_id": rule.id,
                        "user_id": learner.user_id,
                        "email": learner.email[:254],
                        "university_id": learner.university_id,
                        "group": group.value,
                        "assigned_at": now,
                        "baseline_as_of": as_of,
                        "sent_at": send_at if nudged else None,
                    }
                )
                if nudged:
                    language = consenting.get(learner.user_id, "en")
                    text = definition.text.get(language) or definition.text["en"]
                    messages.append(OutgoingMessage(chat_id=learner.user_id, text=text))
                    plan.nudged += 1
                else:
                    plan.held_out += 1
            if dry_run:
                return plan
            await repo.insert_assignments(session, rows=rows)
            if definition.survey and messages:
                # The rule's survey: each learner of the nudge group (never the holdout) is
                # invited to its wave, the invitation right after the nudge in the same job.
                invitations = await invite_on_request(
                    session,
                    self._catalogue,
                    self._buttons,
                    slug=definition.survey,
                    label=survey_wave_label(slug),
                    user_ids=[message.chat_id for message in messages],
                    now=now,
                )
                plan.surveys_invited = len(invitations)
                invitation_of = {message.chat_id: message for message in invitations}
                messages = [
                    sent
                    for message in messages
                    for sent in (message, invitation_of.get(message.chat_id))
                    if sent is not None
                ]
            if messages:
                await self._outbox.enqueue_job(
                    kind=NUDGE_KIND,
                    reference=f"nudge:{slug}:{as_of.isoformat()}"[:128],
                    messages=messages,
                    priority=PRIORITY_REMINDER,
                    not_before=send_at if send_at > now else None,
                    session=session,
                )
        return plan

    async def _eligible(
        self, session: AsyncSession, definition: NudgeDefinition, as_of: date
    ) -> list[_Eligible]:
        places = await repo.learner_places(session)
        found: list[_Eligible] = []
        trigger = definition.trigger
        if trigger is Trigger.SEAT_FREED:
            # Waitlisted learners promoted (a "promote" decision) in the last `days` (or 7).
            since = datetime.combine(
                as_of - timedelta(days=definition.days or 7), time(), tzinfo=PAKISTAN_TIME
            )
            for user_id, email, university_id in await repo.promoted_since(session, since=since):
                found.append(_Eligible(user_id, email or "", university_id))
            return found
        membership = await repo.latest_snapshot(
            session, kind=ReportKind.MEMBERSHIP, on_or_before=as_of
        )
        usage = await repo.latest_snapshot(session, kind=ReportKind.USAGE, on_or_before=as_of)
        approved = await repo.approved_users(session)
        if trigger is Trigger.INVITED_NOT_JOINED:
            if membership is None or membership.id is None:
                return []
            cutoff = as_of - timedelta(days=definition.days)
            for email, member, invited_on, joined_on in await repo.membership_rows(
                session, snapshot_id=membership.id, linked_only=True
            ):
                if member is None or joined_on is not None or invited_on is None:
                    continue
                if invited_on <= cutoff:
                    found.append(_Eligible(member, email, places.get(member, (None, 0))[0]))
            return found
        if usage is None or usage.id is None:
            return []
        per_user: dict[int, list[tuple[str, date | None, bool]]] = defaultdict(list)
        emails: dict[int, str] = {}
        for email, row_user, _course, activity, _hours, completed in await repo.usage_rows(
            session, snapshot_id=usage.id, linked_only=True
        ):
            if row_user is None:
                continue
            per_user[row_user].append((email, activity, completed))
            emails[row_user] = email
        joined: set[int] = set()
        if membership is not None and membership.id is not None:
            for member_email, member_user, _invited, joined_on in await repo.membership_rows(
                session, snapshot_id=membership.id, linked_only=True
            ):
                if member_user is not None and joined_on is not None:
                    joined.add(member_user)
                    emails.setdefault(member_user, member_email)
        if trigger is Trigger.INACTIVE:
            cutoff = as_of - timedelta(days=definition.days)
            for learner in sorted(joined):
                days = [a for _, a, _ in per_user.get(learner, []) if a is not None]
                if not days or max(days) <= cutoff:
                    found.append(
                        _Eligible(learner, emails[learner], places.get(learner, (None, 0))[0])
                    )
        elif trigger is Trigger.ENDING_UNFINISHED:
            ends = await repo.licence_ends(session)
            for user_id, rows in sorted(per_user.items()):
                end = ends.get(user_id)
                if end is None or user_id not in approved:
                    continue
                if as_of <= end <= as_of + timedelta(days=definition.days) and any(
                    not completed for _, _, completed in rows
                ):
                    found.append(
                        _Eligible(user_id, emails[user_id], places.get(user_id, (None, 0))[0])
                    )
        elif trigger is Trigger.COURSE_COMPLETED:
            # A completion that is new since the previous usage snapshot.
            previous = await repo.latest_snapshot(
                session, kind=ReportKind.USAGE, on_or_before=usage.as_of - timedelta(days=1)
            )
            before: dict[int, int] = defaultdict(int)
            if previous is not None and previous.id is not None:
                for _e, earlier_user, _c, _a, _h, was_completed in await repo.usage_rows(
                    session, snapshot_id=previous.id, linked_only=True
                ):
                    if earlier_user is not None and was_completed:
                        before[earlier_user] += 1
            for user_id, rows in sorted(per_user.items()):
                done = sum(1 for _, _, completed in rows if completed)
                if done > before[user_id]:
                    found.append(
                        _Eligible(user_id, emails[user_id], places.get(user_id, (None, 0))[0])
                    )
        return found

    async def report(self, slug: str, *, as_of: date) -> NudgeReport:
        """Compare the targeted outcome between nudge and holdout, from the latest snapshot on
        or before `as_of` that is later than each learner's assignment."""
        async with self._database.session() as session:
            rule, definition = await self._rule(session, slug)
            assert rule.id is not None
            assignments = await repo.assignments_of(session, rule_id=rule.id)
            kind = (
                ReportKind.MEMBERSHIP if definition.outcome is Outcome.JOINED else ReportKind.USAGE
            )
            snapshot = await repo.latest_snapshot(session, kind=kind, on_or_before=as_of)
            success: dict[int, bool] = {}
            if snapshot is not None and snapshot.id is not None:
                if kind is ReportKind.MEMBERSHIP:
                    for _e, user_id, _i, joined_on in await repo.membership_rows(
                        session, snapshot_id=snapshot.id
                    ):
                        if user_id is not None:
                            success[user_id] = joined_on is not None
                else:
                    usage = await repo.usage_rows_full(session, snapshot_id=snapshot.id)
                    baseline = {a.user_id: a.baseline_as_of for a in assignments}
                    for user_id, activity, completed, completed_on in usage:
                        if user_id is None or user_id not in baseline:
                            continue
                        since = baseline[user_id] or date.min
                        if definition.outcome is Outcome.ACTIVE_AGAIN:
                            hit = activity is not None and activity > since
                        else:
                            hit = completed and (completed_on is None or completed_on > since)
                        success[user_id] = success.get(user_id, False) or hit
        counts = {NudgeGroup.NUDGE.value: [0, 0], NudgeGroup.HOLDOUT.value: [0, 0]}
        pending = 0
        for assignment in assignments:
            if (
                snapshot is None
                or assignment.baseline_as_of is None
                or snapshot.as_of <= assignment.baseline_as_of
            ):
                pending += 1
                continue
            tally = counts[assignment.group]
            tally[0] += 1
            tally[1] += int(
                bool(assignment.user_id is not None and success.get(assignment.user_id))
            )
        nudge = GroupResult("nudge", *counts[NudgeGroup.NUDGE.value])
        holdout = GroupResult("holdout", *counts[NudgeGroup.HOLDOUT.value])
        report = NudgeReport(
            rule=slug,
            outcome=definition.outcome.value,
            as_of=as_of,
            snapshot_as_of=snapshot.as_of if snapshot else None,
            nudge=nudge,
            holdout=holdout,
            pending=pending,
        )
        if nudge.learners and holdout.learners:
            report.difference, report.ci_low, report.ci_high = difference_ci(
                nudge.successes, nudge.learners, holdout.successes, holdout.learners
            )
        else:
            report.notes.append("no later report for one of the groups yet")
        return report


def render_report_chart(report: NudgeReport, path: Path) -> Path:
    """Two bars (nudge, holdout) with the outcome's rate and the difference's 95% CI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(6, 3.4), dpi=110)
    try:
        rates = [report.nudge.rate * 100, report.holdout.rate * 100]
        labels = [f"nudge (n={report.nudge.learners})", f"holdout (n={report.holdout.learners})"]
        axes.bar([0, 1], rates, color=["#2e7d32", "#9e9e9e"])
        axes.set_xticks([0, 1], labels)
        axes.set_ylim(0, 100)
        axes.set_ylabel(f"% {report.outcome.replace('_', ' ')}")
        for position, rate in enumerate(rates):
            axes.text(position, rate + 2, f"{rate:.1f}%", ha="center", fontsize=9)
        title = f"Nudge {report.rule}"
        if report.difference is not None and report.ci_low is not None:
            title += (
                f": {report.difference * 100:+.1f} points "
                f"(95% CI {report.ci_low * 100:+.1f} to {(report.ci_high or 0) * 100:+.1f})"
            )
        axes.set_title(title, fontsize=9)
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path


def render_report_chart_png(report: NudgeReport) -> bytes:
    """The same chart as PNG bytes (for sending in the chat)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hecbot-chart-") as directory:
        return render_report_chart(report, Path(directory) / "chart.png").read_bytes()
