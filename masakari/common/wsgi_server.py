"""The HTTP server of the standalone API and the Nova simulator: cheroot.

``WSGIServer`` serves one WSGI app on one listening socket with a fixed
pool of worker threads: HTTP/1.1 keep-alive (idle connections wait in
cheroot's selector, not in a thread), limits on the request line and
headers, a timeout for clients that stop sending, and a graceful ``stop()``
that closes the listener and lets the requests in flight finish.
``run_workers`` forks that server into several processes sharing one
listening socket (``[DEFAULT] masakari_api_workers``).

Nothing here reads CONF: ``ServerSettings`` carries the values, so the
simulator, the all-in-one stack and the tests choose their own.
``masakari.api.app.server_settings`` maps the API's options onto it.
Production deployments may still run ``masakari.wsgi.api:application``
under uWSGI or gunicorn. Why cheroot: doc/source/contributor/decisions.rst.
"""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import signal
import socket
import threading
import time

from cheroot import wsgi

LOG = logging.getLogger(__name__)
# How often the serving loop wakes to expire idle connections and to see a
# stop request: stop() waits up to this long for the loop.
_LOOP_INTERVAL = 0.2


@dataclasses.dataclass(frozen=True)
class ServerSettings:
    """How one server process serves.

    ``threads``: worker threads, the number of requests served at once
    (more wait in a queue). ``client_timeout``: seconds a client may stay
    silent while sending a request or reading the response, and the idle
    time after which a keep-alive connection is closed.
    ``max_header_size``: bytes of request line plus headers (414/413 past
    it). ``keep_alive_connections``: idle keep-alive connections held open
    at most (0: ``Connection: close`` after every response).
    ``shutdown_timeout``: seconds ``stop()`` waits for requests in flight.
    ``tcp_keepidle``: TCP keepalive idle time of accepted sockets, None to
    leave the system's.
    """

    threads: int = 8
    client_timeout: float = 60.0
    max_header_size: int = 65536
    keep_alive_connections: int = 100
    shutdown_timeout: float = 30.0
    backlog: int = 128
    tcp_keepidle: int | None = None

    def __post_init__(self):
        if self.threads < 1:
            raise ValueError('a server needs at least one thread')


def listen(host: str, port: int, settings: ServerSettings) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free one)."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # cheroot writes the headers and the body of a response apart:
        # with Nagle's algorithm the body would wait for the client's
        # delayed ACK (40 ms). Accepted sockets inherit the option.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if settings.tcp_keepidle:
            # Accepted sockets inherit these from the listener (Linux).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if hasattr(socket, 'TCP_KEEPIDLE'):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE,
                                settings.tcp_keepidle)
        sock.bind((host, port))
        sock.listen(settings.backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class _Cheroot(wsgi.Server):
    """cheroot on a socket bound beforehand, logging through ``logging``."""

    def __init__(self, listener, app, settings, name):
        super().__init__(
            listener.getsockname()[:2], app,
            numthreads=settings.threads, max=settings.threads,
            server_name=name, request_queue_size=settings.backlog,
            timeout=settings.client_timeout,
            shutdown_timeout=settings.shutdown_timeout)
        self._listener = listener
        self.max_request_header_size = settings.max_header_size
        self.keep_alive_conn_limit = settings.keep_alive_connections
        self.expiration_interval = _LOOP_INTERVAL

    def bind(self, family, type, proto=0):  # noqa: A002 - cheroot's names
        """Use the socket ``listen()`` made instead of binding one."""
        self.socket = self._listener
        return self.socket

    def prepare(self):
        super().prepare()
        # Processes sharing the listener all wake for a new connection;
        # those that lose the race must get EAGAIN at once, not wait in
        # accept() (cheroot ignores EAGAIN).
        self.socket.setblocking(False)

    def error_log(self, msg='', level=logging.INFO, traceback=False):
        LOG.log(level if level > logging.INFO else logging.DEBUG, '%s', msg,
                exc_info=traceback)


class WSGIServer:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one), or on
    ``listener``, a socket from ``listen()``.

    The socket listens from construction on, so ``port`` and ``url`` are
    known before ``start()``.
    """

    def __init__(self, app, host='127.0.0.1', port=0, name='wsgi',
                 settings: ServerSettings | None = None, listener=None):
        self.name = name
        self.settings = settings or ServerSettings()
        self._listener = listener or listen(host, port, self.settings)
        self._address = self._listener.getsockname()[:2]
        self._server = _Cheroot(self._listener, app, self.settings, name)
        self._thread = None
        self._stopped = threading.Event()

    @property
    def host(self):
        return self._address[0]

    @property
    def port(self):
        return self._address[1]

    @property
    def url(self):
        host = self.host
        if ':' in host:
            host = '[%s]' % host
        return 'http://%s:%d' % (host, self.port)

    def _serve(self):
        try:
            self._server.prepare()
            self._server.serve()
        finally:
            self._stopped.set()

    def start(self):
        """Serve in a daemon thread and return at once.

        cheroot's worker threads inherit the daemon flag from the thread
        that starts them: a server nobody stopped does not keep the
        interpreter alive.
        """
        self._thread = threading.Thread(target=self._serve, name=self.name,
                                        daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s (%d threads)', self.name, self.url,
                 self.settings.threads)
        return self

    def wait(self, timeout=None):
        """True once the serving loop has ended."""
        return self._stopped.wait(timeout)

    def serve_forever(self):
        """Serve in the calling thread until ``stop()`` (from another
        thread or a signal handler's helper thread)."""
        LOG.info('%s listening on %s (%d threads)', self.name, self.url,
                 self.settings.threads)
        self._serve()

    def stop(self):
        """Stop accepting, let requests in flight finish (at most
        ``shutdown_timeout`` seconds), close every connection."""
        if self._thread is not None or self._server.ready:
            deadline = time.monotonic() + 5
            while not self._server.ready and not self._stopped.is_set() \
                    and time.monotonic() < deadline:
                time.sleep(0.01)
            self._server.stop()
        self._listener.close()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.shutdown_timeout + 5)


class AccessLog:
    """WSGI middleware writing one line per request with ``log_format``
    (``%(client_ip)s``, ``%(request_line)s``, ``%(status_code)s``,
    ``%(body_length)s``, ``%(wall_seconds)f``) to ``logger`` at INFO."""

    def __init__(self, app, log_format, logger):
        self.app = app
        self.log_format = log_format
        self.logger = logger

    def __call__(self, environ, start_response):
        if not self.logger.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.monotonic()
        seen = {}

        def _start_response(status, headers, exc_info=None):
            seen['status'] = status
            seen['headers'] = headers
            return start_response(status, headers, exc_info)

        body = self.app(environ, _start_response)
        status = seen.get('status', '500')
        length = next((value for name, value in seen.get('headers', ())
                       if name.lower() == 'content-length'), '-')
        uri = environ.get('REQUEST_URI') or environ.get('PATH_INFO', '')
        self.logger.info(self.log_format, {
            'client_ip': environ.get('REMOTE_ADDR', '-'),
            'request_line': '%s %s %s' % (environ.get('REQUEST_METHOD'), uri,
                                          environ.get('SERVER_PROTOCOL')),
            'status_code': status.split(' ', 1)[0],
            'body_length': length,
            'wall_seconds': time.monotonic() - started,
        })
        return body


def serve_until_signal(server: WSGIServer) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully."""
    stopping = threading.Event()

    def _stop(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.start()
    while not stopping.wait(1) and not server.wait(0):
        pass
    LOG.info('%s stopping: finishing the requests in flight', server.name)
    server.stop()


def run_workers(count: int, serve_one, shutdown_timeout: float,
                restart_after: float = 5.0) -> int:
    """Fork ``count`` processes that each call ``serve_one()`` and watch
    them until SIGTERM or SIGINT, which is passed on to every worker.

    ``serve_one`` runs in the child (build the app there: database engines
    and RPC transports must not cross a fork) and returns when its server
    has stopped. A worker that dies is forked again, unless it exited with
    an error within ``restart_after`` seconds of its start (a configuration
    that cannot work): then every worker is stopped and 1 returned. One
    killed by a signal is always replaced.
    """
    stopping = threading.Event()
    workers: dict[int, float] = {}

    def _stop(signum, frame):
        stopping.set()

    def spawn():
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                serve_one()
                code = 0
            except BaseException:
                LOG.exception('API worker %d failed', os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        workers[pid] = time.monotonic()
        LOG.info('started API worker %d', pid)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    for _ in range(count):
        spawn()
    failed = False
    while not stopping.wait(0.2):
        for pid, status in _reap():
            started = workers.pop(pid, time.monotonic())
            code = os.waitstatus_to_exitcode(status)
            LOG.warning('API worker %d exited with %d', pid, code)
            if code > 0 and time.monotonic() - started < restart_after:
                failed = True
                stopping.set()
            elif not stopping.is_set():
                spawn()
    _stop_workers(workers, shutdown_timeout + 5)
    return 1 if failed else 0


def _reap():
    """(pid, status) of every child that has exited, without waiting."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        yield pid, status


def _stop_workers(workers: dict[int, float], timeout: float) -> None:
    for pid in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError as exc:
            if exc.errno != errno.ESRCH:
                raise
    deadline = time.monotonic() + timeout
    while workers and time.monotonic() < deadline:
        for pid, _status in _reap():
            workers.pop(pid, None)
        time.sleep(0.05)
    for pid in workers:
        LOG.warning('API worker %d did not stop in time: killed', pid)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
