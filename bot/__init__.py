"""hecbot: the HEC × Coursera learners' assistant on Telegram."""

from bot import aiogram_import

# Before anything imports aiogram: its Telegram types are then built when first used, not all
# at import (bot/aiogram_import.py says why; ~7 s of every bot process's start on our machines).
aiogram_import.install()
