"""Applying for a licence: eligibility, priority domains, a verified university e-mail address,
learning tracks. One application per person per intake; editing and withdrawing until the
deadline; re-applying after a withdrawal. Telegram-free: the /apply conversation calls this."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import InvalidInputError, NotFoundError, ServiceUnavailableError
from bot.i18n import Catalogue
from bot.services.digits import ascii_digits
from bot.services.licences_intakes import IntakeDefinition, IntakeService
from bot.services.licences_mail import Mailer
from bot.storage import licence_repository as repo
from bot.storage.db import Database
from bot.storage.licence_models import (
    ApplicationStatus,
    EmailVerification,
    LicenceApplication,
    LicenceDecision,
)
from bot.storage.types import utcnow

ASCII_DIGITS = frozenset("0123456789")
EMAIL = re.compile(r"^[a-z0-9._%+'-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")
CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5
EDITABLE = frozenset(
    {
        ApplicationStatus.DRAFT.value,
        ApplicationStatus.SUBMITTED.value,
        ApplicationStatus.WITHDRAWN.value,
    }
)


class NoOpenIntakeError(NotFoundError):
    message_key = "licence-no-intake"


class EmailNotAllowedError(InvalidInputError):
    message_key = "licence-email-not-allowed"


class EmailTakenError(InvalidInputError):
    """Another Telegram account's application to this intake has this address verified."""

    message_key = "licence-email-taken"


class CodeWrongError(InvalidInputError):
    message_key = "licence-code-wrong"


class CodeExpiredError(InvalidInputError):
    message_key = "licence-code-expired"


class TooManyCodesError(InvalidInputError):
    message_key = "licence-code-too-many"


class ApplicationLockedError(InvalidInputError):
    """Decided already, or past the deadline: it can no longer be changed."""

    message_key = "licence-locked"


class IntakeClosedError(ApplicationLockedError):
    """The intake an application form started in closed (or passed its deadline) before the
    form was sent: the form is not moved to another intake."""

    message_key = "licence-intake-closed"

    def __init__(self, intake_id: int, title: str) -> None:
        super().__init__(f"intake {intake_id} ({title}) no longer takes applications")
        self.title = title

    @property
    def message_args(self) -> dict[str, str | int]:
        return {"intake": self.title}


class MailFailedError(ServiceUnavailableError):
    message_key = "licence-mail-failed"


@dataclass(frozen=True)
class Applicant:
    user_id: int
    language: str
    university_id: int | None
    learner_kind: str | None


@dataclass(frozen=True)
class ApplicationView:
    id: int
    intake_id: int
    status: str
    email: str | None
    email_verified: bool
    answers: dict[str, Any]
    domains: list[str]
    tracks: list[str]
    score: float
    submitted_at: datetime | None
    decision_reason: str | None


def _view(application: LicenceApplication) -> ApplicationView:
    assert application.id is not None
    return ApplicationView(
        id=application.id,
        intake_id=application.intake_id,
        status=application.status,
        email=application.email,
        email_verified=application.email_verified_at is not None,
        answers=dict(application.answers),
        domains=list(application.domains),
        tracks=list(application.tracks),
        score=application.score,
        submitted_at=application.submitted_at,
        decision_reason=application.decision_reason,
    )


def _hash(code: str, email: str) -> str:
    return hmac.new(email.encode(), code.encode(), hashlib.sha256).hexdigest()


def normalise_email(text: str) -> str:
    """The address as typed or pasted: without the invisible marks a copy from a web page or a
    right-to-left chat brings (zero-width space, RLM), a full stop ending the sentence, the
    angle brackets or "mailto:" of a mail client, a phone keyboard's full-width ＠."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    email = unicodedata.normalize("NFKC", visible).strip().rstrip(".").strip("<>").strip()
    return email.removeprefix("mailto:").lower()


class ApplicationService:
    def __init__(
        self,
        database: Database,
        intakes: IntakeService,
        mailer: Mailer,
        catalogue: Catalogue,
    ) -> None:
        self._database = database
        self._intakes = intakes
        self.mailer = mailer
        self._catalogue = catalogue

    async def open_intake(self, now: datetime | None = None) -> tuple[int, IntakeDefinition]:
        current = await self._intakes.current(now)
        if current is None:
            raise NoOpenIntakeError("no intake is taking applications")
        return current

    async def form_intake(
        self, applicant: Applicant, intake_id: int, now: datetime | None = None
    ) -> IntakeDefinition:
        """The intake an application form started in, each step: not whichever is open now (a
        new one opening mid-form changed the questions, the choices and the intake submitted
        to); `IntakeClosedError` once it no longer takes applications."""
        definition, taking = await self._intakes.taking(intake_id, now)
        if not taking:
            raise IntakeClosedError(intake_id, definition.title_in(applicant.language))
        return definition

    async def mine(self, user_id: int, intake_id: int | None = None) -> ApplicationView | None:
        async with self._database.session() as session:
            if intake_id is None:
                application = await repo.latest_application(session, user_id=user_id)
            else:
                application = await repo.get_application(
                    session, intake_id=intake_id, user_id=user_id
                )
        return _view(application) if application is not None else None

    async def begin(
        self, applicant: Applicant, now: datetime | None = None
    ) -> tuple[int, IntakeDefinition, ApplicationView | None]:
        """The open intake and the person's application to it (None: a first application)."""
        intake_id, definition = await self.open_intake(now)
        existing = await self.mine(applicant.user_id, intake_id)
        if existing is not None and existing.status not in EDITABLE:
            raise ApplicationLockedError(f"application {existing.id} is {existing.status}")
        return intake_id, definition, existing

    @staticmethod
    def eligible(definition: IntakeDefinition, answers: dict[str, bool]) -> bool:
        return all(
            answers.get(question.id) == question.eligible_answer
            for question in definition.eligibility
        )

    async def send_code(
        self,
        applicant: Applicant,
        intake_id: int,
        definition: IntakeDefinition,
        email_text: str,
    ) -> str:
        """Mail a six-digit code to the address; returns the normalised address. An address
        another account has verified for this intake is refused (EmailTakenError): a second
        Telegram account would otherwise hold a second application, and seat, for it."""
        email = normalise_email(email_text)
        if not EMAIL.match(email) or not definition.email_allowed(email):
            raise EmailNotAllowedError(email)
        now = utcnow()
        code = f"{secrets.randbelow(1_000_000):06d}"
        async with self._database.session() as session:
            await self._refuse_held_address(session, applicant, intake_id, email)
            recent = await repo.codes_since(
                session, user_id=applicant.user_id, since=now - timedelta(hours=1)
            )
            if recent >= MAX_CODES_PER_HOUR:
                raise TooManyCodesError(f"{recent} codes in the last hour")
            session.add(
                EmailVerification(
                    user_id=applicant.user_id,
                    email=email,
                    code_hash=_hash(code, email),
                    created_at=now,
                    expires_at=now + CODE_TTL,
                )
            )
        texts = self._catalogue.for_language(applicant.language)
        try:
            await self.mailer.send(
                to=email,
                subject=texts("licence-mail-subject"),
                body=texts("licence-mail-body", code=code, minutes=int(CODE_TTL.seconds / 60)),
                user_id=applicant.user_id,
            )
        except ServiceUnavailableError as error:
            raise MailFailedError(str(error)) from error
        return email

    async def verify_code(self, applicant: Applicant, intake_id: int, code_text: str) -> str:
        """Check the code; on success the address is stored as verified on the application
        (a draft is created if needed) and report rows with that address are linked."""
        # A phone's Urdu keyboard types the code in Urdu digits (۱۲۳): the same code.
        code = "".join(ch for ch in ascii_digits(code_text) if ch in ASCII_DIGITS)
        now = utcnow()
        async with self._database.session() as session:
            pending = await repo.latest_code(session, user_id=applicant.user_id)
            if pending is None or pending.verified_at is not None:
                raise CodeExpiredError("no code pending")
            if pending.expires_at <= now or pending.attempts >= MAX_ATTEMPTS:
                raise CodeExpiredError("code expired")
            if not hmac.compare_digest(pending.code_hash, _hash(code, pending.email)):
                pending.attempts += 1
                session.add(pending)
                wrong = CodeWrongError("wrong code")
            else:
                # Two accounts may both have had a code before either verified.
                await self._refuse_held_address(session, applicant, intake_id, pending.email)
                pending.verified_at = now
                session.add(pending)
                application = await self._draft(session, applicant, intake_id)
                application.email = pending.email
                application.email_verified_at = now
                application.updated_at = now
                session.add(application)
                await repo.link_rows(session, email=pending.email, user_id=applicant.user_id)
                return pending.email
        raise wrong

    @staticmethod
    async def _refuse_held_address(
        session: AsyncSession, applicant: Applicant, intake_id: int, email: str
    ) -> None:
        if await repo.address_held_by_another(
            session, intake_id=intake_id, email=email, user_id=applicant.user_id
        ):
            raise EmailTakenError(email)

    async def submit(
        self,
        applicant: Applicant,
        intake_id: int,
        *,
        answers: dict[str, bool],
        domains: list[str],
        tracks: list[str],
        now: datetime | None = None,
    ) -> ApplicationView:
        now = now or utcnow()
        definition = await self.form_intake(applicant, intake_id, now)
        known_domains = {choice.id for choice in definition.domains}
        known_tracks = {choice.id for choice in definition.tracks}
        if not self.eligible(definition, answers):
            raise InvalidInputError("not eligible")
        if not domains or not set(domains) <= known_domains:
            raise InvalidInputError("choose at least one priority domain")
        if not tracks or len(tracks) > definition.max_tracks or not set(tracks) <= known_tracks:
            raise InvalidInputError(f"choose 1 to {definition.max_tracks} tracks")
        async with self._database.session() as session:
            application = await self._draft(session, applicant, intake_id)
            if application.status not in EDITABLE:
                raise ApplicationLockedError(application.status)
            if application.email_verified_at is None:
                raise InvalidInputError("verify your university e-mail address first")
            application.answers = dict(answers)
            application.domains = list(domains)
            application.tracks = list(tracks)
            application.university_id = applicant.university_id
            application.learner_kind = applicant.learner_kind
            application.language = applicant.language
            application.score = definition.score(applicant.learner_kind, domains)
            if application.status != ApplicationStatus.SUBMITTED.value:
                application.submitted_at = now
            application.status = ApplicationStatus.SUBMITTED.value
            application.updated_at = now
            session.add(application)
            await session.flush()
            return _view(application)

    async def withdraw(self, user_id: int, now: datetime | None = None) -> ApplicationView:
        now = now or utcnow()
        async with self._database.session() as session:
            application = await repo.latest_application(session, user_id=user_id)
            if application is None or application.id is None:
                raise NotFoundError("no application")
            if application.status == ApplicationStatus.WITHDRAWN.value:
                # Withdrawn already (Withdraw pressed twice): nothing to change, and the learner
                # is not told it "can no longer be changed" (they may apply again).
                return _view(application)
            if application.status not in (
                ApplicationStatus.SUBMITTED.value,
                ApplicationStatus.DRAFT.value,
                ApplicationStatus.WAITLISTED.value,
            ):
                raise ApplicationLockedError(application.status)
            application.status = ApplicationStatus.WITHDRAWN.value
            application.updated_at = now
            session.add(application)
            session.add(
                LicenceDecision(
                    application_id=application.id,
                    decision="withdraw",
                    decided_by=f"learner:{user_id}",
                    decided_at=now,
                    source="telegram",
                )
            )
            return _view(application)

    async def _draft(
        self, session: Any, applicant: Applicant, intake_id: int
    ) -> LicenceApplication:
        application = await repo.get_application(
            session, intake_id=intake_id, user_id=applicant.user_id
        )
        if application is None:
            application = LicenceApplication(
                intake_id=intake_id,
                user_id=applicant.user_id,
                university_id=applicant.university_id,
                learner_kind=applicant.learner_kind,
                language=applicant.language,
            )
            session.add(application)
            await session.flush()
        return application
