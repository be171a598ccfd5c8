"""The dashboard: a Telegram Mini App served by hecbot over the same services as the chat."""
