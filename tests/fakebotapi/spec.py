"""Method parameters from the Bot API spec subset shipped beside this module.

`telegram_api_subset.json` is copied from PaulSonOfLars/telegram-bot-api-spec (MIT), commit
160fd99507e1c7c77e92dc90f5993d724735b51c, Bot API 10.1; see its "_source" key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.fakebotapi.models import UploadedFile

SPEC_PATH = Path(__file__).with_name("telegram_api_subset.json")


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status = error_code, with a description."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def method_fields(method: str) -> tuple[FieldSpec, ...]:
    """Parameters of `method` (exact Bot API spelling) as the spec lists them."""
    fields = _spec()["methods"][method]["fields"]
    return tuple(FieldSpec(f["name"], tuple(f["types"]), bool(f["required"])) for f in fields)


@cache
def type_field_names(type_name: str) -> tuple[str, ...]:
    return tuple(f["name"] for f in _spec()["types"][type_name]["fields"])


def known_methods() -> dict[str, str]:
    """Lower-case method name -> spec spelling (Bot API method names are case-insensitive)."""
    return {name.lower(): name for name in _spec()["methods"]}


_EMPTY_ERRORS = {"text": "message text is empty"}


def coerce_params(
    method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
) -> dict[str, Any]:
    """Convert form strings to the spec's types and check required parameters.

    Form values arrive as strings (JSON bodies may already be typed); objects and arrays are
    JSON-serialized; `attach://name` refers to a multipart part. Unknown parameters are kept
    as they are, as Telegram ignores them.
    """
    params = dict(raw)
    for spec_field in method_fields(method):
        value = params.get(spec_field.name)
        if value is None or value == "":
            if spec_field.required:
                reason = _EMPTY_ERRORS.get(spec_field.name, f"{spec_field.name} is empty")
                raise bad_request(reason)
            params.pop(spec_field.name, None)
            continue
        params[spec_field.name] = _coerce(spec_field, value, files)
    return params


def _coerce(spec_field: FieldSpec, value: Any, files: dict[str, UploadedFile]) -> Any:
    types = spec_field.types
    if "InputFile" in types:
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value.removeprefix("attach://"))
            if part is None:
                raise bad_request(f"wrong file identifier/HTTP URL specified ({value})")
            return part
        return value
    if not isinstance(value, str):
        return value
    if types in {("Integer",), ("Integer", "String")}:
        try:
            return int(value)
        except ValueError:
            if types == ("Integer",):
                raise bad_request(f"invalid {spec_field.name} specified") from None
            return value
    if types == ("Float",):
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {spec_field.name} specified") from None
    if types == ("Boolean",):
        return value.lower() in {"true", "1"}
    if types == ("String",):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise bad_request(f"can't parse {spec_field.name} JSON object") from None
