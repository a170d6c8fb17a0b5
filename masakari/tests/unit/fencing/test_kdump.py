"""fence_kdump messages and the listener that remembers who sent them."""

import logging
import socket
import struct
import threading
import time

import pytest

from masakari.fencing import kdump
from masakari.tests.fixtures.kdump import free_udp_port


@pytest.mark.parametrize('order', ['<', '>'])
def test_either_byte_order_is_a_message(order):
    data = struct.pack(order + 'II', 0x1B302A40, 1)
    assert kdump.parse(data) == order
    assert kdump.parse(kdump.message(order)) == order


def test_native_order_is_what_fence_kdump_send_sends():
    assert kdump.message() == struct.pack('=II', 0x1B302A40, 1)
    assert kdump.SIZE == 8


@pytest.mark.parametrize('data, complaint', [
    (struct.pack('<II', 0x1B302A41, 1), 'magic 0x1b302a41'),
    (struct.pack('>II', 0x1B302A41, 1), 'magic 0x412a301b'),
    # magic little-endian, version big-endian: no sender writes that
    (struct.pack('<I', 0x1B302A40) + struct.pack('>I', 1), 'version'),
    (b'\0' * 8, 'magic 0x0'),
    (struct.pack('<II', 0x1B302A40, 2), 'version 0x2'),
    (struct.pack('>II', 0x1B302A40, 0), 'version 0x0'),
    (struct.pack('<II', 0x1B302A40, 0x1000000), 'version'),
    (b'', '0 bytes'),
    (struct.pack('<II', 0x1B302A40, 1)[:7], '7 bytes'),
    (struct.pack('<II', 0x1B302A40, 1) + b'\0', '9 bytes'),
    (struct.pack('<IIII', 0x1B302A40, 1, 0, 0), '16 bytes'),
])
def test_not_a_message(data, complaint):
    with pytest.raises(kdump.BadMessage, match=complaint):
        kdump.parse(data)


def test_addresses_have_one_spelling():
    assert kdump.normal_address('::ffff:10.0.0.1') == '10.0.0.1'
    assert kdump.normal_address('FE80::1%eth0') == 'fe80::1'
    assert kdump.normal_address('10.0.0.1') == '10.0.0.1'
    with pytest.raises(ValueError):
        kdump.normal_address('compute1')


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def listener():
    clock = Clock()
    started = kdump.Listener('127.0.0.1', 0, clock=clock)
    started.clock = clock
    yield started
    started.stop()


@pytest.fixture
def live_listener():
    """A listener on the real monotonic clock."""
    started = kdump.Listener('127.0.0.1', 0)
    yield started
    started.stop()


def test_remembers_the_last_valid_message_per_source(listener, caplog):
    caplog.set_level(logging.DEBUG)
    assert listener.handle(kdump.message(), '10.0.0.1') is True
    listener.clock.now += 5
    assert listener.handle(kdump.message('>'), '::ffff:10.0.0.2') is True
    listener.clock.now += 5
    assert listener.handle(b'\0' * 8, '10.0.0.1') is False
    assert listener.handle(kdump.message() + b'x', '10.0.0.3') is False
    assert listener.handle(kdump.message(), 'not-an-address') is False
    assert listener.last_heard('10.0.0.1') == 1000.0
    assert listener.last_heard('10.0.0.2') == 1005.0
    assert listener.last_heard('10.0.0.3') is None
    assert 'Ignored a datagram from 10.0.0.3' in caplog.text
    listener.handle(kdump.message(), '10.0.0.1')
    assert listener.last_heard('10.0.0.1') == 1010.0


def test_remembers_a_bounded_number_of_sources(listener, monkeypatch):
    monkeypatch.setattr(kdump, 'MAX_SOURCES', 3)
    for last in range(1, 6):
        listener.handle(kdump.message(), '10.0.0.%d' % last)
    listener.handle(kdump.message(), '10.0.0.3')  # the newest again
    assert [listener.last_heard('10.0.0.%d' % last) is not None
            for last in range(1, 6)] == [False, False, True, True, True]


def test_wait_counts_a_recent_message_only(listener):
    listener.handle(kdump.message(), '10.0.0.1')
    listener.clock.now += 9.5
    assert listener.wait(['10.0.0.9', '10.0.0.1'], 10) == '10.0.0.1'
    listener.clock.now += 1
    # older than the window: not counted (and nothing more arrives, the
    # window closes at once because this clock never moves)
    assert listener.wait(['10.0.0.1'], 0) is None


def test_wait_for_a_message_that_comes(live_listener):
    threading.Timer(0.1, live_listener.handle,
                    (kdump.message(), '10.0.0.1')).start()
    started = time.monotonic()
    assert live_listener.wait(['10.0.0.1'], 5) == '10.0.0.1'
    assert 0.05 < time.monotonic() - started < 2


def test_wait_for_a_message_that_does_not_come(live_listener):
    threading.Timer(0.05, live_listener.handle,
                    (kdump.message(), '10.0.0.2')).start()
    started = time.monotonic()
    assert live_listener.wait(['10.0.0.1'], 0.3) is None
    assert time.monotonic() - started >= 0.3


def _send(port, data, source='127.0.0.1'):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.bind((source, 0))
        sender.sendto(data, ('127.0.0.1', port))


def test_datagrams_on_the_socket(live_listener):
    """Bad datagrams do not stop the thread; a valid one is remembered
    under its source address."""
    for bad in (b'', b'\xff' * 8, b'\0' * 4096, kdump.message() * 2):
        _send(live_listener.port, bad)
    _send(live_listener.port, kdump.message(), source='127.0.0.2')
    assert live_listener.wait(['127.0.0.2'], 5) == '127.0.0.2'
    assert live_listener.last_heard('127.0.0.1') is None
    assert live_listener._thread.is_alive()


def test_stop_ends_the_thread_and_frees_the_port():
    listener = kdump.Listener('127.0.0.1', 0)
    listener.stop()
    assert not listener._thread.is_alive()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as again:
        again.bind(('127.0.0.1', listener.port))


def test_one_listener_per_process():
    port = free_udp_port()
    try:
        first = kdump.listener('127.0.0.1', port)
        assert kdump.listener('127.0.0.1', port) is first
        other_port = free_udp_port()
        second = kdump.listener('127.0.0.1', other_port)
        assert second is not first and second.port == other_port
        assert not first._thread.is_alive()
    finally:
        kdump.stop()
    assert kdump._LISTENER is None
    kdump.stop()  # nothing to stop: fine


def test_a_port_in_use_raises():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(('127.0.0.1', 0))
        with pytest.raises(OSError):
            kdump.Listener('127.0.0.1', taken.getsockname()[1])
