"""aiogram middlewares: they load context once per update and hand it to handlers."""
