"""`HandlerServices` (what handlers are typed against) and `AppServices` (what the container
builds) list the same services with the same types, so neither can grow without the other."""

from __future__ import annotations

import dataclasses
from typing import Any, get_type_hints

from bot.telegram.container import AppServices, HandlerServices


def _app_fields() -> dict[str, Any]:
    hints = get_type_hints(AppServices)
    return {field.name: hints[field.name] for field in dataclasses.fields(AppServices)}


def test_every_service_but_those_kept_from_handlers_reaches_them() -> None:
    app = _app_fields()
    assert app.keys() >= AppServices.NOT_FOR_HANDLERS
    assert set(HandlerServices.__required_keys__) == app.keys() - AppServices.NOT_FOR_HANDLERS


def test_handlers_are_typed_as_the_container_builds() -> None:
    app = _app_fields()
    handler_types = get_type_hints(HandlerServices)
    assert {name: app[name] for name in handler_types} == handler_types


def test_workflow_data_hands_over_the_container_objects() -> None:
    services = object.__new__(AppServices)  # no wiring: one marker object per field
    markers = {field.name: object() for field in dataclasses.fields(AppServices)}
    for name, marker in markers.items():
        setattr(services, name, marker)

    data = services.workflow_data()

    assert data.keys() == HandlerServices.__required_keys__
    assert all(value is markers[name] for name, value in data.items())
