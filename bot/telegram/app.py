"""The aiogram app factory: one Dispatcher for polling, webhooks and the terminal chat."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation

from bot.config import Settings
from bot.outages import Outages
from bot.storage.fsm import DatabaseStorage
from bot.storage.seen_updates import MemorySeenUpdates, RedisSeenUpdates, SeenUpdates
from bot.telegram.container import AppServices
from bot.telegram.inline_filters import run_filters_inline
from bot.telegram.middlewares.handled import MarkHandledMiddleware, UpdateOnceMiddleware
from bot.telegram.middlewares.observability import install_observability
from bot.telegram.middlewares.private_only import PrivateChatsOnlyMiddleware
from bot.telegram.middlewares.throttling import FloodGate, ThrottlingMiddleware
from bot.telegram.middlewares.user import UserMiddleware
from handlers import feature_routers


def create_bot(settings: Settings, *, session: BaseSession | None = None) -> Bot:
    """A Bot speaking HTML, pointed at `TELEGRAM_API_BASE` unless a session is given."""
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram.api_base))
    token = (
        settings.telegram.bot_token.get_secret_value()
        if settings.telegram.bot_token
        else "0:terminal"
    )
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


# Every Redis call of an update (its state, its learner's lock, its update id) gives up after
# this long without a reply, and is retried once it has (`retry_on_timeout`). Without a socket
# timeout a reply that never comes (a connection cut without a reset, a failover) kept the update
# waiting forever, holding the learner's lock, which the lease keeper's thread renews meanwhile:
# the learner was never answered again. Redis answers in milliseconds; seconds mean it is gone.
REDIS_SOCKET_TIMEOUT_SECONDS = 5.0


def redis_key_builder(settings: Settings) -> DefaultKeyBuilder:
    return DefaultKeyBuilder(prefix=f"{settings.database.redis_key_prefix}:fsm", with_destiny=True)


def create_storage(services: AppServices) -> BaseStorage:
    """Redis when configured (several instances), otherwise hecbot's own database."""
    if services.settings.database.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(
            services.settings.database.redis_url,
            connection_kwargs={
                "health_check_interval": 30,
                "retry_on_timeout": True,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
            key_builder=redis_key_builder(services.settings),
        )
    return DatabaseStorage(services.database)


def create_event_isolation(
    storage: BaseStorage, outages: Outages | None = None
) -> BaseEventIsolation:
    """One update at a time per user, across every instance when the state lives in Redis.

    Without it two instances could each read a learner's state, both act on the same step, and
    one answer would overwrite the other. In one process a local lock is enough.
    """
    from aiogram.fsm.storage.redis import RedisStorage

    if isinstance(storage, RedisStorage):
        # A short lease, renewed while the update is handled: a killed instance's learners
        # wait seconds for its locks, not a minute (bot.storage.locks).
        from bot.storage.locks import LeasedEventIsolation

        return LeasedEventIsolation(
            storage.redis,
            storage.key_builder,
            outage_watch=outages.redis if outages is not None else None,
        )
    return SimpleEventIsolation()


def seen_updates(storage: BaseStorage) -> SeenUpdates:
    """Handled update ids where every instance sees them: Redis when the state is there."""
    from aiogram.fsm.storage.redis import RedisStorage

    if isinstance(storage, RedisStorage):
        builder = storage.key_builder
        prefix = builder.prefix if isinstance(builder, DefaultKeyBuilder) else "fsm"
        return RedisSeenUpdates(storage.redis, prefix)
    return MemorySeenUpdates()


def create_dispatcher(services: AppServices, *, storage: BaseStorage | None = None) -> Dispatcher:
    """Wire middlewares, routers and services into a Dispatcher."""
    storage = storage or create_storage(services)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=create_event_isolation(storage, services.outages),
        **services.workflow_data(),
    )
    settings = services.settings
    # First of ours, so inside aiogram's FSM middleware (which holds the per-user lock) and
    # around everything else: it marks the update handled once all of it has returned.
    dispatcher.update.outer_middleware(MarkHandledMiddleware())
    # Before anything reads or stores the user: groups and channels get nothing.
    dispatcher.update.outer_middleware(
        PrivateChatsOnlyMiddleware(services.catalogue, settings.default_language)
    )
    dispatcher.update.outer_middleware(
        UpdateOnceMiddleware(seen_updates(storage), services.metrics)
    )
    dispatcher.update.outer_middleware(
        ThrottlingMiddleware(
            FloodGate(settings.telegram.throttle_seconds),
            services.catalogue,
            settings.default_language,
        )
    )
    dispatcher.update.outer_middleware(
        UserMiddleware(services.users, services.catalogue, settings.default_language)
    )
    install_observability(dispatcher, services.metrics, settings.user_hash_salt, services.outages)
    dispatcher.include_routers(*feature_routers())
    # Filters are pure and cheap: evaluated on the loop, not each in a thread hop.
    run_filters_inline(dispatcher)
    return dispatcher
