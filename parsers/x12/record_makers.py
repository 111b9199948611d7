"""Record makers: frozen slotted dataclass records built without per-field frozen __setattr__.

Shared by the 835 and 837 readers, which build millions of small records per nightly batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")


def _twin(cls: type) -> type | None:
    """A plain class with the record's exact slots, or None when __class__ cannot move."""
    slots = vars(cls).get("__slots__")
    if not isinstance(slots, tuple) or hasattr(cls, "__post_init__"):
        return None
    if any(f.default_factory is not dataclasses.MISSING for f in dataclasses.fields(cls)):
        return None
    twin = type(f"{cls.__name__}Draft", (), {"__slots__": slots})
    try:
        probe: Any = object.__new__(twin)
        probe.__class__ = cls  # the layouts must match exactly, or we keep the slow path
    except TypeError:
        return None
    return twin


def _compile(name: str, params: str, body: list[str], env: dict[str, Any]) -> Callable[..., Any]:
    exec(f"def {name}({params}):\n" + "\n".join(body), env)  # as dataclasses do
    made: Callable[..., Any] = env[name]
    return made


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """Same signature as a frozen slotted dataclass, several times faster to call.

    A frozen __init__ stores each field through object.__setattr__, which dominates building
    millions of small records. Here a plain class with the very same slots is filled with
    ordinary attribute stores and then given the record's class (a layout-compatible
    __class__ assignment), so the result is an ordinary frozen record.
    """
    twin = _twin(cls)
    if twin is None:
        return cls
    env: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    params: list[str] = []
    body = ["    _o = _new(_twin)"]
    for n, field in enumerate(dataclasses.fields(cast(Any, cls))):
        if field.default is dataclasses.MISSING:
            params.append(field.name)
        else:
            env[f"_d{n}"] = field.default
            params.append(f"{field.name}=_d{n}")
        body.append(f"    _o.{field.name} = {field.name}")
    body += ["    _o.__class__ = _cls", "    return _o"]
    return _compile("make", ", ".join(params), body, env)


def record_builder(cls: type[T], source: type) -> Callable[[Any], T]:
    """A function making a `cls` record from a mutable builder with same-named attributes.

    Fields the builder lacks take their defaults; fields whose default is () are passed
    through tuple(), so the builder may collect them in lists. Required fields the builder
    lacks are a programming error, reported at import.
    """
    have = {n for k in source.__mro__ for n in vars(k).get("__slots__", ())}
    env: dict[str, Any] = {"_new": object.__new__, "_tuple": tuple, "_cls": cls}
    values: list[tuple[str, str]] = []
    for n, field in enumerate(dataclasses.fields(cast(Any, cls))):
        if field.name in have:
            wrap = "_tuple" if field.default == () else ""
            values.append((field.name, f"{wrap}(src.{field.name})"))
        elif field.default is dataclasses.MISSING:
            raise TypeError(f"{source.__name__} lacks {cls.__name__}.{field.name}")
        else:
            env[f"_d{n}"] = field.default
            values.append((field.name, f"_d{n}"))
    twin = _twin(cls)
    if twin is None:
        args = ", ".join(f"{k}={v}" for k, v in values)
        return _compile("build", "src", [f"    return _cls({args})"], env)
    env["_twin"] = twin
    body = ["    _o = _new(_twin)", *(f"    _o.{k} = {v}" for k, v in values)]
    body += ["    _o.__class__ = _cls", "    return _o"]
    return _compile("build", "src", body, env)
