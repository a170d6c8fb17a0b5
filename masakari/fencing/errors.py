"""The exceptions of the fencing package.

Their messages go to logs, notifications and the operator's terminal, so
each one names the host (and the file or driver) but never a credential:
``BMCError`` scrubs the password out of any text a BMC library gave it, in
case a library echoes what it was sent.
"""

MASK = '****'


class FencingError(Exception):
    """Base of every error of this package."""


class InventoryError(FencingError):
    """The BMC inventory file, or one host's entry in it, is unusable."""

    def __init__(self, path, reason, host=None):
        self.path = path
        self.host = host
        where = path if host is None else '%s, host %r' % (path, host)
        super().__init__('BMC inventory %s: %s' % (where, reason))


class BMCError(FencingError):
    """A call to a host's BMC failed (refused, timed out, unexpected reply).

    ``answered``: the BMC took the call and answered it with an error (an
    HTTP error status, an IPMI completion code), as opposed to not
    answering or refusing the credentials: another call may still work.
    """

    def __init__(self, bmc, action, detail, answered=False):
        self.host = bmc.host
        self.driver = bmc.driver
        self.action = action
        self.answered = answered
        message = '%s of host %r through its %s BMC at %s failed: %s' % (
            action, bmc.host, bmc.driver, bmc.address, detail)
        super().__init__(scrub(message, bmc.password))


class NotFenceable(FencingError):
    """An explicit power action was asked for a host without a real BMC."""

    def __init__(self, host, why):
        self.host = host
        super().__init__('Host %r cannot be power-controlled: %s'
                         % (host, why))


def scrub(text, secret):
    """``text`` with every occurrence of ``secret`` masked."""
    if not secret:
        return text
    return text.replace(secret, MASK)
