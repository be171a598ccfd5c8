"""Import aiogram without building every Telegram type's validator at import time.

aiogram declares its ~440 Telegram types with pydantic's `defer_build=True`, then ends
`aiogram/types/__init__.py` by calling `model_rebuild()` on every one of them, only so that the
forward references each module imports under `TYPE_CHECKING` resolve. That loop builds every
validator up front: 7 of the 10 seconds `import aiogram` took on the project's 2-core machine
(aiogram 3.31, pydantic 2.13; upstream aiogram#1876, #1891), paid by every process that starts a
bot, a worker or the dashboard, and by every end-to-end test that starts one.

`install()` puts a finder on `sys.meta_path` that wraps aiogram's own import: while aiogram's
package runs, that rebuild loop only records the names it was given; afterwards the names are
placed in each aiogram module, where pydantic looks for them when it builds a model, and every
type is built, as aiogram intended with `defer_build`, the first time it is used (an `Update`
on the first update, `SendMessage` on the first send). Behaviour does not change; only when the
work is done does. Nothing here imports aiogram or pydantic: `hecbot --help` stays cheap.

If aiogram changes its package so the loop is gone or the names differ, nothing breaks: the
rebuild calls then run as before (they are passed through), and tests/unit/test_aiogram_import.py
fails so the next upgrade looks at this module.

Once aiogram is imported, the `Response[...]` model of each Bot API method's result is kept.
aiogram writes `Response[method.__returning__]` for every reply it reads, and pydantic keeps a
parametrised generic model only weakly: after a garbage collection the next call builds it again,
30-200 ms of CPU for `Response[Message]` (seen as a third of an end-to-end test's CPU).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

_PACKAGE = "aiogram"
_DEFERRED_PACKAGES = ("aiogram.types", "aiogram.methods")


def install() -> None:
    """Defer aiogram's model builds if aiogram has not been imported yet (idempotent)."""
    if "aiogram.methods.base" in sys.modules:  # imported before bot: keep its responses anyway
        keep_parametrised_responses()
    if _PACKAGE in sys.modules or any(isinstance(f, _AiogramFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _AiogramFinder())


def deferred_model_count() -> int:
    """Telegram types whose validator is not built yet (0 when aiogram was imported as usual)."""
    types_module = sys.modules.get("aiogram.types")
    if types_module is None:
        return 0
    return sum(
        1
        for name in getattr(types_module, "__all__", ())
        if getattr(getattr(types_module, name, None), "__pydantic_complete__", True) is False
    )


class _AiogramFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _PACKAGE:
            return None
        sys.meta_path.remove(self)  # once: the real finders locate the package
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _DeferringLoader(spec.loader)
        return spec


class _DeferringLoader(importlib.abc.Loader):
    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        created: ModuleType | None = self._loader.create_module(spec)
        return created

    def exec_module(self, module: ModuleType) -> None:
        from pydantic import BaseModel

        original = BaseModel.__dict__["model_rebuild"]
        namespaces: list[Mapping[str, Any]] = []

        def record_instead(
            cls: type[BaseModel],
            *,
            force: bool = False,
            raise_errors: bool = True,
            _parent_namespace_depth: int = 2,
            _types_namespace: Mapping[str, Any] | None = None,
        ) -> bool | None:
            deferrable = (
                _types_namespace is not None
                and not force
                and cls.__module__.startswith(_DEFERRED_PACKAGES)
                and cls.model_config.get("defer_build", False)
            )
            if deferrable:
                assert _types_namespace is not None
                if not namespaces or namespaces[-1] is not _types_namespace:
                    namespaces.append(_types_namespace)
                return None
            result: bool | None = original.__func__(
                cls,
                force=force,
                raise_errors=raise_errors,
                _parent_namespace_depth=_parent_namespace_depth + 1,
                _types_namespace=_types_namespace,
            )
            return result

        BaseModel.model_rebuild = classmethod(record_instead)  # type: ignore[assignment,method-assign]
        try:
            self._loader.exec_module(module)
        finally:
            BaseModel.model_rebuild = original  # type: ignore[method-assign]
        for namespace in namespaces:
            _give_names_to_modules(namespace)
        keep_parametrised_responses()


def keep_parametrised_responses() -> None:
    """Hold every `Response[X]` aiogram makes, so pydantic's weak cache finds it next time
    (idempotent; takes aiogram's module from sys.modules: nothing here imports aiogram)."""
    methods = sys.modules.get("aiogram.methods.base")
    Response = getattr(methods, "Response", None)  # noqa: N806  (aiogram's class)
    if Response is None or "__class_getitem__" in Response.__dict__:
        return
    parametrise = Response.__class_getitem__  # pydantic's, bound to Response
    kept: dict[Any, Any] = {}

    def class_getitem(cls: type[Any], parameters: Any) -> Any:
        if cls is not Response:
            return parametrise.__func__(cls, parameters)  # type: ignore[attr-defined]
        try:
            model = kept.get(parameters)
        except TypeError:  # parameters that cannot be a key: pydantic's own way
            return parametrise(parameters)
        if model is None:
            model = kept[parameters] = parametrise(parameters)
        return model

    Response.__class_getitem__ = classmethod(class_getitem)  # type: ignore[assignment,method-assign]


def _give_names_to_modules(namespace: Mapping[str, Any]) -> None:
    """Each aiogram module gets the names its annotations use, without replacing its own."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(_DEFERRED_PACKAGES):
            continue
        module_names = module.__dict__
        for key, value in namespace.items():
            module_names.setdefault(key, value)
