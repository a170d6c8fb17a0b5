"""The kdump wait against real UDP: a sender standing in for the crashed
host's fence_kdump_send on 127.0.0.1, and the emulated Redfish (or IPMI)
BMC that must get no power-off when the host is dumping."""

import struct
import time

import pytest

from masakari import exception
from masakari.fencing import api
from masakari.fencing import kdump
from masakari.tests.fixtures.kdump import Sender

HOST = 'compute1'


def _dumps_from(bmcs, bmc, address='127.0.0.1'):
    """List the host's kdump kernel as sending from ``address``."""
    bmcs.set_entry(HOST, dict(bmc.inventory_entry(),
                              kdump_addresses=[address]))


@pytest.fixture
def redfish(bmcs, kdump_conf):
    bmc = bmcs.redfish(HOST)
    _dumps_from(bmcs, bmc)
    return bmc


def test_a_dumping_host_is_fenced_and_not_powered_off(bmcs, bmc, kdump_conf,
                                                      kdump_senders):
    """The sender starts before anything listens (the listener starts with
    the fence); its next datagram is heard within the wait."""
    _dumps_from(bmcs, bmc)
    kdump_senders()
    fenced = api.fence(HOST)
    assert (fenced.host, fenced.kdump_address, fenced.already_off) == (
        HOST, '127.0.0.1', False)
    assert fenced.seconds < kdump_conf.fencing.kdump_wait
    assert bmc.power_off_requests == []
    assert api.power_state(HOST) == 'on'


def test_no_message_then_powered_off_after_the_wait(redfish, kdump_conf):
    started = time.monotonic()
    fenced = api.fence(HOST)
    assert fenced.kdump_address is None and fenced.already_off is False
    assert fenced.seconds >= kdump_conf.fencing.kdump_wait
    assert len(redfish.power_off_requests) == 1
    assert redfish.power_off_requests[0] >= (
        started + kdump_conf.fencing.kdump_wait)
    assert api.power_state(HOST) == 'off'


def test_messages_from_another_address_are_not_the_host_s(
        redfish, kdump_senders):
    sender = kdump_senders(source='127.0.0.2')
    fenced = api.fence(HOST)
    assert fenced.kdump_address is None
    assert len(redfish.power_off_requests) == 1
    assert sender.sent > 3  # sent all along the wait, and not heard
    assert api.power_state(HOST) == 'off'


@pytest.mark.parametrize('data', [
    struct.pack('=II', 0x1B302A41, 1),  # wrong magic
    struct.pack('=II', 0x1B302A40, 2),  # wrong version
    kdump.message() + b'\0',            # too long
], ids=['magic', 'version', 'length'])
def test_a_bad_message_is_ignored(redfish, kdump_senders, data):
    sender = kdump_senders(data=data)
    assert api.fence(HOST).kdump_address is None
    assert len(redfish.power_off_requests) == 1
    assert sender.sent > 3


def test_the_other_byte_order_counts(redfish, kdump_senders):
    foreign = '>' if struct.pack('=I', 1) == struct.pack('<I', 1) else '<'
    kdump_senders(data=kdump.message(foreign))
    assert api.fence(HOST).kdump_address == '127.0.0.1'
    assert redfish.power_off_requests == []


def test_a_message_heard_before_the_fence_counts(redfish, kdump_conf):
    """A host that started dumping before the engine came to fence it:
    one message within the last kdump_wait seconds is enough."""
    listener = kdump.listener('127.0.0.1', kdump_conf.fencing.kdump_port)
    sender = Sender(kdump_conf.fencing.kdump_port)
    try:
        sender.send_once()
        deadline = time.monotonic() + 5
        while listener.last_heard('127.0.0.1') is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        sender.stop()
    assert api.fence(HOST).kdump_address == '127.0.0.1'
    assert redfish.power_off_requests == []


def test_an_unreachable_bmc_does_not_stop_a_dumping_host(redfish,
                                                         kdump_senders):
    redfish.stop()
    kdump_senders()
    assert api.fence(HOST).kdump_address == '127.0.0.1'


def test_an_unreachable_bmc_and_no_message_fences_nothing(redfish):
    redfish.stop()
    with pytest.raises(exception.HostFencingFailed,
                       match='Connection refused'):
        api.fence(HOST)


def test_kdump_wait_off_changes_nothing(redfish, kdump_conf, kdump_senders):
    kdump_conf.set_override('kdump_wait', 0, 'fencing')
    kdump_senders()
    fenced = api.fence(HOST)
    assert fenced.kdump_address is None
    assert len(redfish.power_off_requests) == 1
    assert kdump._LISTENER is None
