"""The `hecbot` command line (entry point `bot.cli.root:main`); see bot/cli/root.py."""
