"""Errors of the local AWS: AWS errors its emulators return, and its own state errors."""
from __future__ import annotations

from moto.core.exceptions import ServiceException

from vending.errors import ConfigError


class LocalStateError(ConfigError):
    """The local state directory is busy (another process holds it) or unreadable."""


class AwsServiceError(ServiceException):
    """An AWS error as the emulators raise it; moto serializes it with the service's error shape.

    `fields` become members of the error response (e.g. `Reason` of Organizations'
    ConstraintViolationException), which botocore exposes at the top of `ClientError.response`.
    Raised inside a moto response method, it reaches the client as a `ClientError` with this
    code, in-process and in server mode alike.
    """

    def __init__(self, code: str, message: str, **fields: str):
        super().__init__(code, message)
        self.fields = fields
        for name, value in fields.items():
            setattr(self, name, value)
