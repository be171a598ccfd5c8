"""The Telegram runtime: the app factory, the service container, polling/webhook/terminal runners,
the webhook server, the terminal chat and the middlewares. With handlers/, the only code in the
project that imports aiogram (see docs/architecture.md)."""
