"""`python -m bot.cli ...` is `hecbot ...`."""

from bot.cli.root import main

main()
