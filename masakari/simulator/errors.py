"""Errors raised by the simulated Nova, rendered as Nova fault bodies.

Nova wraps every error as ``{"<faultName>": {"code": N, "message": "..."}}``;
novaclient maps the status code to its exception classes, so the code and
the message are what callers see.
"""

from __future__ import annotations

from masakari.common.fault_names import FAULT_NAMES

UNEXPECTED_ERROR = (
    'Unexpected API Error. Please report this at '
    'http://bugs.launchpad.net/nova/ and attach the Nova API log if '
    'possible.\n%s')


def fault_body(code: int, message: str) -> dict:
    """The JSON body Nova answers for an error with this status code."""
    name = FAULT_NAMES.get(code, 'computeFault')
    return {name: {'code': code, 'message': message}}


class NovaError(Exception):
    """An error the API turns into a Nova fault response."""

    code = 500

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class BadRequest(NovaError):
    code = 400


class Forbidden(NovaError):
    code = 403


class NotFound(NovaError):
    code = 404


class MethodNotAllowed(NovaError):
    code = 405


class NotAcceptable(NovaError):
    code = 406


class Conflict(NovaError):
    code = 409


class NoValidHost(Exception):
    """The scheduler found no host; not an API error (the instance errors)."""

    def __init__(self, reason: str = 'There are not enough hosts available.'):
        super().__init__('No valid host was found. %s' % reason)


def invalid_state(action: str, server_id: str, attr: str,
                  state: str | None) -> Conflict:
    """Nova's 409 for an action that the instance state does not allow."""
    return Conflict("Cannot '%s' instance %s while it is in %s %s"
                    % (action, server_id, attr, state))


def instance_not_found(server_id: str) -> NotFound:
    return NotFound('Instance %s could not be found.' % server_id)
