"""Business logic. Plain Python: no Telegram, no aiogram; handlers and the CLI call these."""
