"""Fencing operations: what the engine and ``masakari-manage`` call.

``fence`` is the safety step of a host recovery: the host's instances may
only be rebuilt elsewhere once its BMC reports it off, because a host that
merely lost its network could otherwise keep writing to the same disks. So
every doubt ends in ``HostFencingFailed``, and the engine evacuates nothing.

A host that tells us it is writing a kernel crash dump (fence_kdump, see
``kdump``) is fenced already, and is not powered off: that would destroy
the dump. Its message is waited for first, before any BMC call, so a host
whose BMC is unreachable (often so when the whole host is in trouble) is
still fenced by its message.

``fence`` never powers a host back on; ``power_on`` exists for the operator
who has repaired it.
"""

import dataclasses
import logging
import socket
import time

from masakari.conf import CONF
from masakari import exception
from masakari.fencing import drivers
from masakari.fencing.drivers import base
from masakari.fencing.errors import BMCError
from masakari.fencing.errors import FencingError
from masakari.fencing.errors import NotFenceable
from masakari.fencing import inventory
from masakari.fencing import kdump

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Fenced:
    """Proof that ``host`` is off: its ``driver`` BMC reported it so; or,
    with ``kdump_address``, that it is writing a crash dump.

    ``already_off`` when it was off before we asked; ``seconds`` from the
    start of fencing to the reading that showed it off (or to the kdump
    message). ``kdump_address``: the address a fence_kdump message came
    from; the host was then not powered off at all.
    """

    host: str
    driver: str
    already_off: bool
    seconds: float
    kdump_address: str | None = None


def fence(host_name, sleep=time.sleep, clock=time.monotonic):
    """Power ``host_name`` off and see it off, or hear that it is writing
    a crash dump (``[fencing] kdump_wait``), or raise HostFencingFailed.

    Returns None when no BMC is configured for the host (not listed, or
    driver noop): the caller recovers it without fencing.
    """
    try:
        bmc = inventory.lookup(host_name)
    except FencingError as exc:
        raise _failed(host_name, str(exc))
    if bmc is None:
        return None
    driver = drivers.get(bmc.driver)
    if not driver.fences:
        return None

    LOG.info('Fencing host %s through its %s', host_name, bmc)
    started = clock()
    heard = _kdump_message_from(bmc)
    if heard is not None:
        return _fenced_by_kdump(bmc, heard, clock() - started)
    try:
        state = driver.power_state(bmc)
    except BMCError as exc:
        if not exc.answered:
            # Unreachable, or the credentials refused: so would the
            # power-off be.
            raise _failed(host_name, str(exc))
        # Only a reading of Off fences the host, whatever happens next.
        LOG.warning('Host %s: its BMC answered the power state read with '
                    'an error; powering it off anyway: %s', host_name, exc)
        state = None
    except FencingError as exc:
        raise _failed(host_name, str(exc))
    if state == base.OFF:
        return _fenced(bmc, True, clock() - started)

    try:
        driver.power_off(bmc)
    except FencingError as power_off_error:
        return _after_failed_power_off(driver, bmc, power_off_error,
                                       started, clock)
    return _wait_until_off(driver, bmc, started, sleep, clock)


def _after_failed_power_off(driver, bmc, power_off_error, started, clock):
    """A power-off call can fail after the BMC acted on it (a lost reply):
    one reading decides."""
    LOG.warning('Power off of host %s reported an error, reading its power '
                'state back: %s', bmc.host, power_off_error)
    try:
        state = driver.power_state(bmc)
    except FencingError:
        state = None
    if state == base.OFF:
        return _fenced(bmc, False, clock() - started)
    raise _failed(bmc.host, str(power_off_error))


def _wait_until_off(driver, bmc, started, sleep, clock):
    timeout = CONF.fencing.power_off_timeout
    interval = CONF.fencing.power_state_poll_interval
    deadline = clock() + timeout
    state, last_error = None, None
    while True:
        try:
            state = driver.power_state(bmc)
        except FencingError as exc:
            state, last_error = None, exc
        if state == base.OFF:
            return _fenced(bmc, False, clock() - started)
        remaining = deadline - clock()
        if remaining <= 0:
            break
        sleep(min(interval, remaining))
    if state is None:
        reason = ('its power state could not be read within %.1f s of the '
                  'power-off request: %s' % (timeout, last_error))
    else:
        reason = ('its BMC accepted the power off but still reported '
                  'power state %r %.1f s later' % (state, timeout))
    raise _failed(bmc.host, reason)


def kdump_wait(bmc):
    """Seconds ``fence`` first waits for a fence_kdump message from the
    host of ``bmc``: ``[fencing] kdump_wait``, or 0 when that is 0 or the
    host's entry lists no ``kdump_addresses``."""
    if CONF.fencing.kdump_wait <= 0 or bmc.kdump_addresses == ():
        return 0.0
    return CONF.fencing.kdump_wait


def _kdump_message_from(bmc):
    """Which of the host's addresses sent a fence_kdump message in time,
    when ``[fencing] kdump_wait`` is set; else None."""
    window = kdump_wait(bmc)
    if not window:
        return None
    addresses = _kdump_addresses(bmc)
    if not addresses:
        return None
    try:
        listener = kdump.listener(CONF.fencing.kdump_listen_address,
                                  CONF.fencing.kdump_port)
    except OSError as exc:
        LOG.error('Host %s: cannot listen for fence_kdump messages on %s '
                  'UDP port %d (%s); powering it off without waiting for '
                  'them', bmc.host, CONF.fencing.kdump_listen_address,
                  CONF.fencing.kdump_port, exc)
        return None
    LOG.info('Host %s: waiting up to %.1f s for a fence_kdump message from '
             '%s before powering it off', bmc.host, window,
             ', '.join(addresses))
    return listener.wait(addresses, window)


def _kdump_addresses(bmc):
    """The inventory's ``kdump_addresses``, else the host name's."""
    if bmc.kdump_addresses is not None:
        return list(bmc.kdump_addresses)
    try:
        found = socket.getaddrinfo(bmc.host, None, type=socket.SOCK_DGRAM)
    except OSError as exc:
        LOG.warning('Host %s: its name does not resolve (%s), so no '
                    'fence_kdump message can be recognised as its; set '
                    'kdump_addresses in its inventory entry', bmc.host, exc)
        return []
    addresses = []
    for *_, sockaddr in found:
        address = kdump.normal_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def _fenced_by_kdump(bmc, address, seconds):
    LOG.info('Host %s is fenced: it is writing a kernel crash dump '
             '(fence_kdump message from %s), so it was not powered off '
             '(%.1f s)', bmc.host, address, seconds)
    return Fenced(host=bmc.host, driver=bmc.driver, already_off=False,
                  seconds=seconds, kdump_address=address)


def _fenced(bmc, already_off, seconds):
    LOG.info('Host %s is fenced: %s BMC reports it off%s (%.1f s)',
             bmc.host, bmc.driver, ' (it already was)' if already_off
             else '', seconds)
    return Fenced(host=bmc.host, driver=bmc.driver, already_off=already_off,
                  seconds=seconds)


def _failed(host_name, reason):
    LOG.error('Fencing of host %s failed, none of its instances will be '
              'evacuated: %s', host_name, reason)
    return exception.HostFencingFailed(host=host_name, reason=reason)


def power_state(host_name):
    """The power state the host's BMC reports ('on', 'off', ...).

    Raises NotFenceable for a host without a BMC (or with noop), BMCError
    or InventoryError when asking fails.
    """
    bmc, driver = _power_controlled(host_name)
    return driver.power_state(bmc)


def power_on(host_name):
    """Power the host on: an operator's decision after a repair, never the
    engine's. Raises as ``power_state`` does."""
    bmc, driver = _power_controlled(host_name)
    LOG.info('Powering on host %s through its %s', host_name, bmc)
    driver.power_on(bmc)


def _power_controlled(host_name):
    bmc = inventory.lookup(host_name)
    if bmc is None:
        raise NotFenceable(host_name, 'it is not listed in the BMC '
                           'inventory (%s)' % (
                               CONF.fencing.bmc_inventory_file or
                               '[fencing] bmc_inventory_file is not set'))
    driver = drivers.get(bmc.driver)
    if not driver.fences:
        raise NotFenceable(host_name, 'its inventory entry has driver %s'
                           % bmc.driver)
    return bmc, driver
