"""Hearing that a failed host is writing a kernel crash dump (fence_kdump).

A host whose kernel crashed boots its kdump kernel, and with
``fence_kdump_nodes`` set in kdump.conf that kernel's ``fence_kdump_send``
tells the listed nodes so over UDP (port 7410, every 10 s). Such a host is
as good as fenced: the kernel that ran its instances is gone, and powering
it off would only destroy the dump.

The message (ClusterLabs fence-agents, ``agents/kdump/message.h``) is two
packed uint32 in the sender's byte order: a magic number and a version.

One listener per process, on its own daemon thread, remembers when a valid
message last came from each source address; ``fencing.api`` asks it. It is
started by the first fence that needs it, so that nothing listens on a UDP
port unless ``[fencing] kdump_wait`` is set.
"""

import collections
import ipaddress
import logging
import select
import socket
import struct
import threading
import time

LOG = logging.getLogger(__name__)

MAGIC = 0x1B302A40
VERSION = 1
DEFAULT_PORT = 7410
_FORMAT = 'II'
SIZE = struct.calcsize('<' + _FORMAT)
#: Sources remembered at most: a flood of forged sources must not grow
#: the engine's memory without end.
MAX_SOURCES = 4096


class BadMessage(ValueError):
    """A datagram that is not a fence_kdump message."""


def message(byte_order='='):
    """A fence_kdump message, in ``byte_order`` ('<', '>', '=' native)."""
    return struct.pack(byte_order + _FORMAT, MAGIC, VERSION)


def parse(data):
    """Check a datagram; returns its byte order, '<' or '>'.

    The sender writes in its own byte order and says not which, so the
    magic number tells: either order is accepted. Raises BadMessage.
    """
    if len(data) != SIZE:
        raise BadMessage('%d bytes, not %d' % (len(data), SIZE))
    for order in ('<', '>'):
        magic, version = struct.unpack(order + _FORMAT, data)
        if magic == MAGIC:
            if version != VERSION:
                raise BadMessage('version %#x, not %#x' % (version, VERSION))
            return order
    raise BadMessage('magic %#x, not %#x'
                     % (struct.unpack('<I', data[:4])[0], MAGIC))


def normal_address(address):
    """One spelling per address: IPv4-mapped IPv6 as IPv4, no scope.

    Raises ValueError for what is not an IP address.
    """
    ip = ipaddress.ip_address(address.split('%', 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


class Listener:
    """Receives fence_kdump messages on ``(address, port)`` on a daemon
    thread and remembers, per source address, when the last valid one came.

    ``port`` 0 takes a free port (see ``port`` after construction).
    """

    def __init__(self, address, port, clock=time.monotonic):
        self.address = address
        self.requested_port = port
        self._clock = clock
        self._heard = collections.OrderedDict()
        self._changed = threading.Condition()
        self._socket = _bind(address, port)
        self.port = self._socket.getsockname()[1]
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(
            target=self._run, daemon=True,
            name='fence-kdump-%s-%d' % (address, self.port))
        self._thread.start()
        LOG.info('Listening for fence_kdump messages on %s port %d',
                 address, self.port)

    def stop(self):
        """End the thread and close the socket."""
        try:
            self._wake_writer.send(b'x')
        except OSError:
            pass
        self._thread.join(5)
        for sock in (self._socket, self._wake_reader, self._wake_writer):
            sock.close()

    def _run(self):
        while True:
            try:
                readable, _, _ = select.select(
                    [self._socket, self._wake_reader], [], [])
            except (OSError, ValueError):
                return
            if self._wake_reader in readable:
                return
            try:
                # More than a message's size, so a long datagram shows
                # as long instead of being cut to size.
                data, source = self._socket.recvfrom(SIZE + 1)
                self.handle(data, source[0])
            except Exception as exc:
                LOG.debug('fence_kdump listener: %s', exc)

    def handle(self, data, source):
        """Remember ``source`` if ``data`` is a valid message; a bad one is
        only logged at DEBUG. Returns whether it was valid."""
        try:
            parse(data)
            source = normal_address(source)
        except ValueError as exc:
            LOG.debug('Ignored a datagram from %s on the fence_kdump port: '
                      '%s', source, exc)
            return False
        with self._changed:
            self._heard[source] = self._clock()
            self._heard.move_to_end(source)
            while len(self._heard) > MAX_SOURCES:
                self._heard.popitem(last=False)
            self._changed.notify_all()
        LOG.debug('fence_kdump message from %s', source)
        return True

    def last_heard(self, source):
        """When (on the listener's clock) a valid message last came from
        ``source``, or None."""
        with self._changed:
            return self._heard.get(normal_address(source))

    def wait(self, addresses, window):
        """The first of ``addresses`` that sent a valid message within the
        last ``window`` seconds or sends one within the next ``window``
        seconds; None when none did."""
        addresses = [normal_address(address) for address in addresses]
        with self._changed:
            now = self._clock()
            since, deadline = now - window, now + window
            while True:
                for address in addresses:
                    heard = self._heard.get(address)
                    if heard is not None and heard >= since:
                        return address
                remaining = deadline - self._clock()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)


def _bind(address, port):
    family, kind, proto, _, sockaddr = socket.getaddrinfo(
        address, port, type=socket.SOCK_DGRAM,
        flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST)[0]
    sock = socket.socket(family, kind, proto)
    try:
        if family == socket.AF_INET6:
            # '::' hears IPv4 senders too.
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(sockaddr)
    except OSError:
        sock.close()
        raise
    return sock


_LISTENER = None
_LISTENER_LOCK = threading.Lock()


def listener(address, port):
    """The process's listener on ``(address, port)``, started now if there
    is none yet (or if the options named another address or port).

    Raises OSError when the port cannot be bound.
    """
    global _LISTENER
    with _LISTENER_LOCK:
        current = _LISTENER
        if current is not None and (
                current.address, current.requested_port) != (address, port):
            current.stop()
            current = _LISTENER = None
        if current is None:
            current = _LISTENER = Listener(address, port)
        return current


def stop():
    """Stop the process's listener, if any (tests, shutdown)."""
    global _LISTENER
    with _LISTENER_LOCK:
        if _LISTENER is not None:
            _LISTENER.stop()
            _LISTENER = None
