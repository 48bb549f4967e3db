"""The service's errors; :mod:`api.service.app` turns each into its HTTP status."""

from __future__ import annotations


class NotFoundError(LookupError):
    """An id names nothing the caller may see: 404, naming the kind and the id."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")


class ConflictError(RuntimeError):
    """The object is in a state that does not allow the request: 409, with that state."""


class TooLargeError(ValueError):
    """A request body over the configured size: 413."""


class UnsupportedTypeError(ValueError):
    """A body of a content type the route does not read: 415."""


class InputError(ValueError):
    """A request that is well formed but asks for something that cannot be: 422."""
