"""Options base: small frozen dataclasses with documented defaults (like ``optimoptions``)."""
from __future__ import annotations

import dataclasses

from .errors import InvalidProblemError

__all__ = ["Options", "resolve_options"]


@dataclasses.dataclass(frozen=True)
class Options:
    """Base class; ``replace(**kw)`` returns a modified copy."""

    def replace(self, **changes):
        for k in changes:
            if k not in {f.name for f in dataclasses.fields(self)}:
                raise InvalidProblemError(f"{type(self).__name__}.{k} = {changes[k]!r}: unknown option")
        return dataclasses.replace(self, **changes)


def resolve_options(cls, options=None, **overrides):
    """``options`` may be None, an instance of ``cls`` or a dict of fields; ``overrides`` win."""
    if options is None:
        opts = cls()
    elif isinstance(options, cls):
        opts = options
    elif isinstance(options, dict):
        opts = cls().replace(**options)
    else:
        raise InvalidProblemError(f"options = {options!r}: expected {cls.__name__}, dict or None")
    return opts.replace(**overrides) if overrides else opts
