"""Builds the people feature's services (onboarding, roles, tickets, FAQ, insights, privacy)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

from bot.config import Settings
from bot.direct_delivery import DirectDelivery
from bot.i18n import Catalogue
from bot.services.faq import FaqIndexer, FaqService
from bot.services.faq_review import FaqReviewService
from bot.services.insights import InsightsService
from bot.services.notices import EnqueueJob, OutgoingNotice
from bot.services.onboarding import OnboardingService
from bot.services.privacy import PrivacyService
from bot.services.questions import Answerer
from bot.services.roles import RoleService
from bot.services.tickets import TicketService
from bot.services.universities import UniversityService
from bot.services.users import UserService
from bot.storage.db import Database


@runtime_checkable
class KnowsPlaceNames(Protocol):
    def set_known_names(self, names: Iterable[str]) -> None: ...


async def build_people_services(
    settings: Settings,
    database: Database,
    catalogue: Catalogue,
    answerer: Answerer,
    users: UserService,
    *,
    enqueue: EnqueueJob | None = None,
    message_factory: Callable[..., Any] = OutgoingNotice,
) -> dict[str, Any]:
    """Workflow data entries, by the parameter names handlers use.

    With the delivery Outbox: `enqueue=outbox.enqueue_job, message_factory=OutgoingMessage`,
    and register `extras["tickets"].run_due` with the scheduler (every few minutes). Without it,
    ticket notices are sent at once by `DirectDelivery` (not persistent, not rate-limited).
    """
    from handlers.tickets_rendering import TelegramTicketRenderer

    universities = UniversityService(database)
    await universities.ensure_loaded()
    # The rules apply to every university alike and never list them: the engine must not take
    # a learner naming theirs for a question about something the rules leave out.
    if isinstance(answerer, KnowsPlaceNames):
        answerer.set_known_names(await universities.place_names())
    delivery: DirectDelivery | None = None
    if enqueue is None:
        delivery = DirectDelivery(users)
        enqueue = delivery.enqueue_job
    # The knowledge engine indexes FAQ files; a test double without `index_paths` does not.
    indexer = answerer if isinstance(answerer, FaqIndexer) else None
    faq = FaqService(database, settings.data_dir / "faq", indexer)
    return {
        "universities": universities,
        "onboarding": OnboardingService(database),
        "roles": RoleService(database, admin_ids=settings.admin_ids),
        "tickets": TicketService(
            database,
            enqueue=enqueue,
            renderer=TelegramTicketRenderer(catalogue, message_factory),
        ),
        "faq": faq,
        "faq_review": FaqReviewService(database, faq),
        "insights": InsightsService(database),
        "privacy": PrivacyService(
            database, salt=settings.user_hash_salt, data_dir=settings.data_dir
        ),
        "direct_delivery": delivery,
    }
