"""Fencing against real protocols: a Redfish BMC over HTTP driven by sushy
and an IPMI BMC over UDP driven by pyghmi, both on 127.0.0.1."""

import logging
import time

import pytest

from masakari import exception
from masakari.fencing import api
from masakari.fencing.errors import BMCError

HOST = 'compute1'


def test_already_off(bmc):
    bmc.set_state('off')
    fenced = api.fence(HOST)
    assert (fenced.host, fenced.driver, fenced.already_off) == (
        HOST, bmc.driver, True)
    assert bmc.power_off_requests == []


def test_off_after_a_few_polls(bmc, conf):
    # Room for three reads on a loaded machine (an IPMI read may take a
    # second then): the point here is the polling, not the timeout.
    conf.set_override('power_off_timeout', 30, 'fencing')
    bmc.set_reads_until_off(3)
    went_off = []
    bmc.on_power_off = lambda: went_off.append(time.monotonic())
    before = time.monotonic()
    fenced = api.fence(HOST)
    assert fenced.already_off is False
    assert fenced.seconds >= 0.2  # two or more polls, 0.1 s apart
    assert len(bmc.power_off_requests) == 1
    _wait_for(lambda: went_off)
    assert before < bmc.power_off_requests[0] <= bmc.powered_off_at[0]
    assert went_off[0] >= bmc.powered_off_at[0]
    assert api.power_state(HOST) == 'off'


def test_refused(bmc):
    bmc.set_fault('refuse')
    with pytest.raises(exception.HostFencingFailed) as caught:
        api.fence(HOST)
    assert "'compute1'" in str(caught.value)
    assert bmc.power_off_requests == []


def test_hang_is_bounded_by_the_call_timeout(bmc, conf):
    bmc.set_fault('hang')
    started = time.monotonic()
    with pytest.raises(exception.HostFencingFailed):
        api.fence(HOST)
    assert time.monotonic() - started < conf.fencing.bmc_call_timeout + 1.5


def test_never_off_fails_after_the_power_off_timeout(bmc, conf):
    bmc.set_fault('never-off')
    started = time.monotonic()
    with pytest.raises(exception.HostFencingFailed,
                       match="still reported power state 'on'"):
        api.fence(HOST)
    elapsed = time.monotonic() - started
    timeout = conf.fencing.power_off_timeout
    assert timeout <= elapsed < timeout + conf.fencing.bmc_call_timeout + 1
    assert len(bmc.power_off_requests) == 1
    assert bmc.powered_off_at == []


def test_wrong_password_in_the_inventory(bmcs, bmc):
    entry = dict(bmc.inventory_entry(), password='not-the-password')
    bmcs.set_entry(HOST, entry)
    with pytest.raises(exception.HostFencingFailed):
        api.fence(HOST)


def test_unreachable_redfish_bmc(bmcs):
    bmc = bmcs.redfish(HOST)
    bmc.stop()
    with pytest.raises(exception.HostFencingFailed,
                       match='Connection refused'):
        api.fence(HOST)


def test_operator_power_on_and_state(bmc):
    bmc.set_state('off')
    assert api.power_state(HOST) == 'off'
    api.power_on(HOST)
    assert api.power_state(HOST) == 'on'
    assert len(bmc.power_on_requests) == 1


def test_operator_action_on_a_refusing_bmc(bmc):
    bmc.set_fault('refuse')
    with pytest.raises(BMCError, match=bmc.driver):
        api.power_state(HOST)


def test_noop_host_is_not_fenced(bmcs):
    bmcs.noop(HOST)
    assert api.fence(HOST) is None


def test_password_appears_nowhere(bmcs, caplog):
    """Every failure mode, every log record at DEBUG (the libraries'
    included) and every message: the password is in none of them."""
    caplog.set_level(logging.DEBUG)
    messages = []
    for kind in ('redfish', 'ipmi'):
        for fault in ('refuse', 'never-off', 'hang', None):
            host = '%s-%s' % (kind, fault)
            bmc = getattr(bmcs, kind)(host, password='S3cr3t-%s' % kind)
            bmc.set_fault(fault)
            try:
                messages.append(repr(api.fence(host)))
            except exception.HostFencingFailed as exc:
                messages.append(str(exc))
            bmc.set_fault(None)
    text = caplog.text + '\n'.join(messages)
    assert 'S3cr3t' not in text
    assert 'compute' not in text and 'redfish-refuse' in text


def _wait_for(condition, timeout=5):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_power_state_read_answered_with_an_error_does_not_stop_fencing(
        bmc, caplog):
    """The BMC answers the engine's first read with an error (sushy
    retries a 500 once, so two reads fail for Redfish): the engine powers
    the host off anyway and calls it fenced only once a read says off."""
    bmc.set_failing_reads(2 if bmc.driver == 'redfish' else 1)
    fenced = api.fence(HOST)
    assert fenced.already_off is False
    assert len(bmc.power_off_requests) == 1
    assert api.power_state(HOST) == 'off'
    assert 'powering it off anyway' in caplog.text


def test_an_unreadable_state_that_stays_so_fences_nothing(bmc, conf):
    """Reads keep failing: the power-off goes out, but without a reading
    of off the host is not fenced."""
    conf.set_override('power_off_timeout', 1, 'fencing')
    bmc.set_failing_reads(1000)
    with pytest.raises(exception.HostFencingFailed):
        api.fence(HOST)
