"""The fence loop against a scripted driver, with a clock the test owns."""

import logging
import socket
import time

import pytest

from masakari import exception
from masakari.fencing import api
from masakari.fencing import drivers
from masakari.fencing.drivers import base
from masakari.fencing.errors import BMCError
from masakari.fencing.errors import NotFenceable
from masakari.fencing import kdump
from masakari.tests.fixtures.clock import FakeClock

SECRET = 'pa55-w0rd-xyz'


class ScriptedDriver(base.Driver):
    """Answers power-state reads from ``states`` (the last one repeats);
    an Exception in the script is raised as BMCError."""

    def __init__(self, states, power_off_fails=False):
        self.states = list(states)
        self.power_off_fails = power_off_fails
        self.calls = []

    def power_state(self, bmc):
        self.calls.append('state')
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        if isinstance(state, Exception):
            raise BMCError(bmc, 'power state read', state)
        return state

    def power_off(self, bmc):
        self.calls.append('off')
        if self.power_off_fails:
            raise BMCError(bmc, 'power off', 'HTTP 500 from the BMC')

    def power_on(self, bmc):
        self.calls.append('on')


@pytest.fixture
def host(bmc_inventory, conf):
    bmc_inventory({'compute1': {'driver': 'redfish', 'address': 'http://b',
                                'username': 'u', 'password': SECRET},
                   'compute2': {'driver': 'noop'}})
    conf.set_override('power_off_timeout', 10.0, 'fencing')
    conf.set_override('power_state_poll_interval', 2.0, 'fencing')
    return 'compute1'


def _use(monkeypatch, driver):
    real_get = drivers.get
    monkeypatch.setattr(drivers, 'get', lambda name: driver
                        if name == 'redfish' else real_get(name))
    return driver


def _fence(host_name, clock):
    return api.fence(host_name, sleep=clock.sleep, clock=clock)


def test_not_listed_or_noop_is_not_fenced(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver(['on']))
    assert _fence('compute9', FakeClock()) is None
    assert _fence('compute2', FakeClock()) is None
    assert driver.calls == []


def test_already_off(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver(['off']))
    fenced = _fence(host, FakeClock())
    assert fenced == api.Fenced('compute1', 'redfish', already_off=True,
                                seconds=0.0)
    assert driver.calls == ['state']


def test_off_after_a_few_polls(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver(['on', 'on', 'poweringoff',
                                               'off']))
    clock = FakeClock()
    fenced = _fence(host, clock)
    assert fenced.already_off is False
    assert driver.calls == ['state', 'off', 'state', 'state', 'state']
    assert clock.sleeps == [2.0, 2.0]
    assert fenced.seconds == 4.0


def test_never_off_fails_at_the_timeout(host, monkeypatch, caplog):
    _use(monkeypatch, ScriptedDriver(['on']))
    clock = FakeClock()
    with pytest.raises(exception.HostFencingFailed) as caught:
        _fence(host, clock)
    assert sum(clock.sleeps) == 10.0
    assert "still reported power state 'on'" in str(caught.value)
    assert "'compute1'" in str(caught.value)
    assert any(record.levelno == logging.ERROR and 'compute1' in
               record.getMessage() for record in caplog.records)


def test_read_errors_while_waiting_are_tolerated_until_off(host,
                                                          monkeypatch):
    _use(monkeypatch, ScriptedDriver(['on', ConnectionError('reset'),
                                      'off']))
    assert _fence(host, FakeClock()).already_off is False


def test_unreadable_until_the_timeout(host, monkeypatch):
    _use(monkeypatch, ScriptedDriver(['on', TimeoutError('no answer')]))
    with pytest.raises(exception.HostFencingFailed,
                       match='could not be read within 10.0 s'):
        _fence(host, FakeClock())


def test_first_read_fails(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver([PermissionError('401')]))
    with pytest.raises(exception.HostFencingFailed, match='401'):
        _fence(host, FakeClock())
    assert driver.calls == ['state']


def test_power_off_error_but_off_counts_as_fenced(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver(['on', 'off'],
                                              power_off_fails=True))
    assert _fence(host, FakeClock()).already_off is False
    assert driver.calls == ['state', 'off', 'state']


def test_power_off_error_and_still_on_fails_at_once(host, monkeypatch):
    _use(monkeypatch, ScriptedDriver(['on'], power_off_fails=True))
    clock = FakeClock()
    with pytest.raises(exception.HostFencingFailed, match='HTTP 500'):
        _fence(host, clock)
    assert clock.sleeps == []


def test_broken_inventory_fails_fencing(conf, tmp_path):
    conf.set_override('bmc_inventory_file', str(tmp_path / 'x'), 'fencing')
    with pytest.raises(exception.HostFencingFailed, match='cannot be read'):
        _fence('compute1', FakeClock())


def test_no_password_in_errors_or_logs(host, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)

    class Leaky(ScriptedDriver):
        def power_off(self, bmc):
            raise BMCError(bmc, 'power off', 'login %s refused' % SECRET)
    _use(monkeypatch, Leaky(['on']))
    with pytest.raises(exception.HostFencingFailed) as caught:
        _fence(host, FakeClock())
    assert '****' in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in caplog.text


def test_operator_actions(host, monkeypatch):
    driver = _use(monkeypatch, ScriptedDriver(['off']))
    assert api.power_state(host) == 'off'
    api.power_on(host)
    assert driver.calls == ['state', 'on']
    for other in ('compute2', 'compute9'):
        with pytest.raises(NotFenceable, match=other):
            api.power_on(other)
        with pytest.raises(NotFenceable):
            api.power_state(other)


# The kdump wait ([fencing] kdump_wait): a host writing a crash dump is
# fenced by its fence_kdump message, without a BMC call.

@pytest.fixture
def dumping_host(host, bmc_inventory, kdump_conf):
    """compute1 sends its fence_kdump messages from 127.0.0.1."""
    bmc_inventory({'compute1': {'driver': 'redfish', 'address': 'http://b',
                                'username': 'u', 'password': SECRET,
                                'kdump_addresses': ['127.0.0.1']}})
    return host


def _process_listener(conf):
    return kdump.listener(conf.fencing.kdump_listen_address,
                          conf.fencing.kdump_port)


def test_kdump_message_fences_without_a_bmc_call(dumping_host, monkeypatch,
                                                 kdump_conf, caplog):
    caplog.set_level(logging.INFO)
    driver = _use(monkeypatch, ScriptedDriver(['on']))
    _process_listener(kdump_conf).handle(kdump.message(), '127.0.0.1')
    fenced = _fence(dumping_host, FakeClock())
    assert fenced == api.Fenced('compute1', 'redfish', already_off=False,
                                seconds=0.0, kdump_address='127.0.0.1')
    assert driver.calls == []
    assert ('Host compute1 is fenced: it is writing a kernel crash dump '
            '(fence_kdump message from 127.0.0.1), so it was not powered '
            'off') in caplog.text


def test_kdump_message_fences_a_host_whose_bmc_refuses(
        dumping_host, monkeypatch, kdump_conf):
    driver = _use(monkeypatch, ScriptedDriver([PermissionError('401')]))
    _process_listener(kdump_conf).handle(kdump.message('>'), '127.0.0.1')
    assert _fence(dumping_host, FakeClock()).kdump_address == '127.0.0.1'
    assert driver.calls == []


def test_no_kdump_message_then_powered_off(dumping_host, monkeypatch,
                                           kdump_conf):
    driver = _use(monkeypatch, ScriptedDriver(['on', 'off']))
    listener = _process_listener(kdump_conf)
    listener.handle(kdump.message(), '127.0.0.2')  # another host's
    started = time.monotonic()
    fenced = _fence(dumping_host, FakeClock())
    assert time.monotonic() - started >= kdump_conf.fencing.kdump_wait
    assert (fenced.already_off, fenced.kdump_address) == (False, None)
    assert driver.calls == ['state', 'off', 'state']


def test_kdump_wait_off_opens_no_socket(host, monkeypatch, conf):
    def no_listener(*args):
        raise AssertionError('a kdump listener was started')
    monkeypatch.setattr(kdump, 'listener', no_listener)
    driver = _use(monkeypatch, ScriptedDriver(['on', 'off']))
    assert conf.fencing.kdump_wait == 0
    assert _fence(host, FakeClock()).kdump_address is None
    assert driver.calls == ['state', 'off', 'state']
    assert kdump._LISTENER is None


def test_a_host_with_no_kdump_addresses_is_not_waited_for(
        host, bmc_inventory, kdump_conf, monkeypatch):
    bmc_inventory({'compute1': {'driver': 'redfish', 'address': 'http://b',
                                'kdump_addresses': []}})
    monkeypatch.setattr(kdump, 'listener', None)  # would fail if called
    driver = _use(monkeypatch, ScriptedDriver(['off']))
    assert _fence('compute1', FakeClock()).already_off is True
    assert driver.calls == ['state']


def test_kdump_addresses_default_to_the_host_name_s(
        host, bmc_inventory, kdump_conf, monkeypatch):
    bmc_inventory({'localhost': {'driver': 'redfish', 'address': 'http://b'}})
    driver = _use(monkeypatch, ScriptedDriver(['on']))
    _process_listener(kdump_conf).handle(kdump.message(), '127.0.0.1')
    assert _fence('localhost', FakeClock()).kdump_address == '127.0.0.1'
    assert driver.calls == []


def test_an_unresolvable_host_name_is_powered_off(
        host, kdump_conf, monkeypatch, caplog):
    def unresolvable(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')
    monkeypatch.setattr(api.socket, 'getaddrinfo', unresolvable)
    driver = _use(monkeypatch, ScriptedDriver(['on', 'off']))
    assert _fence(host, FakeClock()).kdump_address is None
    assert driver.calls == ['state', 'off', 'state']
    assert 'set kdump_addresses in its inventory entry' in caplog.text


def test_a_kdump_port_in_use_means_power_off(dumping_host, kdump_conf,
                                             monkeypatch, caplog):
    driver = _use(monkeypatch, ScriptedDriver(['on', 'off']))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(('127.0.0.1', kdump_conf.fencing.kdump_port))
        assert _fence(dumping_host, FakeClock()).kdump_address is None
    assert driver.calls == ['state', 'off', 'state']
    assert 'cannot listen for fence_kdump messages' in caplog.text
