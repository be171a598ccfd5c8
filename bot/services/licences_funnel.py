"""The licence funnel and the programme's headline figures, from applications and the latest
report snapshots on or before a day.

Definitions (the JSON of `hecbot licences funnel --json` uses these names):
- `applied`: applications submitted by the end of the day (not drafts, not withdrawn);
- `approved`: of those, the ones approved (a reclaimed licence was approved too);
- `invited`: distinct e-mail addresses in the membership snapshot;
- `joined`: of those, the ones with a join date;
- `active_30d`: distinct e-mail addresses in the usage snapshot whose last course activity falls
  in the 30 days up to and including the day (the day and the 29 before it);
- `completed_any`: distinct e-mail addresses in the usage snapshot with a completed course;
- `courses_completed`: usage rows (learner and course) marked completed;
- `learning_hours`: the sum of learning hours over every usage row (exact decimal sum).
A university (or city, or intake) figure counts only rows linked to learners of it by their
verified e-mail; unlinked rows count in the programme's total only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import ReportKind

ACTIVE_WINDOW_DAYS = 30
STAGES = ("applied", "approved", "invited", "joined", "active_30d", "completed_any")


@dataclass
class FunnelFigures:
    applied: int = 0
    approved: int = 0
    invited: int = 0
    joined: int = 0
    active_30d: int = 0
    completed_any: int = 0
    courses_completed: int = 0
    learning_hours: float = 0.0


@dataclass
class Funnel:
    as_of: date
    membership_as_of: date | None
    usage_as_of: date | None
    total: FunnelFigures
    by_university: dict[str, FunnelFigures] = field(default_factory=dict)
    by_city: dict[str, FunnelFigures] = field(default_factory=dict)
    by_intake: dict[str, FunnelFigures] = field(default_factory=dict)
    university: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The figures at the top level (the documented keys), then the dates and groups."""
        data: dict[str, Any] = asdict(self.total)
        data["as_of"] = self.as_of.isoformat()
        data["membership_as_of"] = _iso(self.membership_as_of)
        data["usage_as_of"] = _iso(self.usage_as_of)
        if self.university is not None:
            data["university"] = self.university
        data["by_university"] = {k: asdict(v) for k, v in sorted(self.by_university.items())}
        data["by_city"] = {k: asdict(v) for k, v in sorted(self.by_city.items())}
        data["by_intake"] = {k: asdict(v) for k, v in sorted(self.by_intake.items())}
        return data


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


class _Tally:
    """Distinct sets and sums for one group."""

    def __init__(self) -> None:
        self.applied = 0
        self.approved = 0
        # Keys are e-mail addresses; a row anonymised by /forget (empty address) is its own key.
        self.invited: set[object] = set()
        self.joined: set[object] = set()
        self.active: set[object] = set()
        self.completed_any: set[object] = set()
        self.courses_completed = 0
        self.hours: list[Decimal] = []

    def figures(self) -> FunnelFigures:
        return FunnelFigures(
            applied=self.applied,
            approved=self.approved,
            invited=len(self.invited),
            joined=len(self.joined),
            active_30d=len(self.active),
            completed_any=len(self.completed_any),
            courses_completed=self.courses_completed,
            learning_hours=float(sum(self.hours, Decimal(0))),
        )


class FunnelService:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def funnel(self, *, as_of: date, university_id: int | None = None) -> Funnel:
        end_of_day = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
        window_start = as_of - timedelta(days=ACTIVE_WINDOW_DAYS - 1)
        async with self._database.session() as session:
            names = await repo.university_cities(session)
            places = await repo.learner_places(session)
            intakes = {i.id: i.slug for i in await repo.list_intakes(session) if i.id is not None}
            applications = await repo.applications_up_to(session, until=end_of_day)
            membership = await repo.latest_snapshot(
                session, kind=ReportKind.MEMBERSHIP, on_or_before=as_of
            )
            usage = await repo.latest_snapshot(session, kind=ReportKind.USAGE, on_or_before=as_of)
            members = (
                await repo.membership_rows(session, snapshot_id=membership.id)
                if membership and membership.id
                else []
            )
            usages = (
                await repo.usage_rows(session, snapshot_id=usage.id) if usage and usage.id else []
            )

        def wanted(uni: int | None) -> bool:
            return university_id is None or uni == university_id

        total = _Tally()
        groups: dict[str, dict[str, _Tally]] = {
            "university": defaultdict(_Tally),
            "city": defaultdict(_Tally),
            "intake": defaultdict(_Tally),
        }

        def tallies(uni: int | None, intake: int | None) -> list[_Tally]:
            found = [total]
            if uni is not None and uni in names:
                short, city = names[uni]
                found.append(groups["university"][short])
                if city:
                    found.append(groups["city"][city])
            if intake is not None and intake in intakes:
                found.append(groups["intake"][intakes[intake]])
            return found

        def linked(user_id: int | None) -> tuple[int | None, int | None]:
            if user_id is None:
                return None, None
            return places.get(user_id, (None, None))

        for _user, uni, intake, status, decided_at in applications:
            if not wanted(uni):
                continue
            approved = status in repo.APPROVED_STATUSES and (
                decided_at is None or decided_at < end_of_day
            )
            for tally in tallies(uni, intake):
                tally.applied += 1
                tally.approved += int(approved)
        for email, user_id, _invited_on, joined_on in members:
            member_key: object = email or object()
            member_uni, member_intake = linked(user_id)
            if university_id is not None and member_uni != university_id:
                continue
            for tally in tallies(member_uni, member_intake):
                tally.invited.add(member_key)
                if joined_on is not None:
                    tally.joined.add(member_key)
        for email, user_id, _course, last_activity, hours, completed in usages:
            learner_key: object = email or object()
            learner_uni, learner_intake = linked(user_id)
            if university_id is not None and learner_uni != university_id:
                continue
            active = last_activity is not None and window_start <= last_activity <= as_of
            exact_hours = Decimal(repr(hours))
            for tally in tallies(learner_uni, learner_intake):
                if active:
                    tally.active.add(learner_key)
                if completed:
                    tally.completed_any.add(learner_key)
                    tally.courses_completed += 1
                tally.hours.append(exact_hours)

        def freeze(group: dict[str, _Tally]) -> dict[str, FunnelFigures]:
            return {key: tally.figures() for key, tally in group.items()}

        return Funnel(
            as_of=as_of,
            membership_as_of=membership.as_of if membership else None,
            usage_as_of=usage.as_of if usage else None,
            total=total.figures(),
            by_university=freeze(groups["university"]),
            by_city=freeze(groups["city"]),
            by_intake=freeze(groups["intake"]),
            university=names[university_id][0]
            if university_id is not None and university_id in names
            else None,
        )


UNIVERSITIES_IN_CHART = 12


def render_funnel_chart(funnel: Funnel, path: Path) -> Path:
    """The funnel stages as bars and, for the whole programme, the universities with the most
    members: invited, joined, active and completed side by side (matplotlib, Agg).

    Labels are English: matplotlib does not shape Urdu script (see survey_charts).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = funnel.total
    labels = ["applied", "approved", "invited", "joined", "active (30 days)", "completed a course"]
    values = [getattr(figures, stage) for stage in STAGES]
    universities = sorted(
        funnel.by_university.items(), key=lambda item: (-item[1].invited, item[0])
    )[:UNIVERSITIES_IN_CHART]
    show_universities = funnel.university is None and bool(universities)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 2 if show_universities else 1
    height = 3.6 + (0.35 * len(universities) + 1.2 if show_universities else 0)
    figure, axes_list = plt.subplots(rows, 1, figsize=(7, height), dpi=110, squeeze=False)
    try:
        axes = axes_list[0][0]
        positions = list(range(len(labels)))[::-1]
        axes.barh(positions, values, color="#1565c0")
        axes.set_yticks(positions, labels)
        top = max(values) if any(values) else 1
        for position, value in zip(positions, values, strict=True):
            axes.text(value + top * 0.01, position, f"{value:,}", va="center", fontsize=8)
        axes.set_xlim(0, top * 1.15)
        scope = funnel.university or "programme"
        axes.set_title(
            f"Licence funnel, {scope}, {funnel.as_of:%Y-%m-%d}: "
            f"{figures.courses_completed:,} courses completed, "
            f"{figures.learning_hours:,.0f} learning hours",
            fontsize=9,
        )
        if show_universities:
            _draw_universities(axes_list[1][0], universities)
        figure.tight_layout()
        figure.savefig(path, format="png")
    finally:
        plt.close(figure)
    return path


def _draw_universities(axes: Any, universities: list[tuple[str, FunnelFigures]]) -> None:
    stages = (
        ("invited", "#90caf9"),
        ("joined", "#1e88e5"),
        ("active_30d", "#2e7d32"),
        ("completed_any", "#f9a825"),
    )
    height = 0.8 / len(stages)
    for index, (stage, colour) in enumerate(stages):
        positions = [
            len(universities) - 1 - row + (len(stages) / 2 - index - 0.5) * height
            for row in range(len(universities))
        ]
        axes.barh(
            positions,
            [getattr(figures, stage) for _, figures in universities],
            height=height,
            color=colour,
            label=stage.replace("_30d", " (30 days)").replace("_any", " a course"),
        )
    axes.set_yticks(
        list(range(len(universities)))[::-1], [name[:28] for name, _ in universities], fontsize=8
    )
    axes.legend(fontsize=7, loc="lower right")
    axes.set_title("By university (linked learners)", fontsize=9)


def render_funnel_chart_png(funnel: Funnel) -> bytes:
    """The same chart as PNG bytes (for sending in the chat)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="hecbot-chart-") as directory:
        return render_funnel_chart(funnel, Path(directory) / "chart.png").read_bytes()
