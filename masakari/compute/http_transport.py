"""A requests transport adapter on the standard library's ``http.client``.

Every Nova call the engine makes goes through keystoneauth and requests
down to urllib3. Measured against the bundled simulator, urllib3's
connection pool, retry and response machinery cost about as much CPU per
request as the rest of the stack together, and a host recovery sends
several requests per instance. This adapter keeps requests (and so
keystoneauth and novaclient) exactly as they are and replaces only the
last step for the plain case: an HTTP or HTTPS request to the endpoint
itself, no proxy, the whole body in memory, the whole answer read.

Anything else (a proxy for the endpoint, streaming, a body from a file or
a generator, an urllib3 ``Timeout`` object, a content encoding it does
not decode) is handed to requests' own ``HTTPAdapter`` unchanged.

What urllib3 did that still matters is done here too:

* idle keep-alive connections are pooled per endpoint and TLS settings,
  and one the server closed while idle is dropped before reuse;
* TLS follows requests' ``verify`` (True: certifi's bundle, a path: that
  CA file or directory, False: no verification) and ``cert``;
* sockets get keystoneauth's TCP options (no Nagle, TCP keep-alive
  probes), so a peer that vanishes surfaces as an error in about two
  minutes instead of hanging a recovery;
* gzip and deflate answers are decoded; cookies reach requests' jar;
* errors become the requests exceptions keystoneauth translates.
"""

import http.client
import os
import select
import socket
import ssl
import threading
import zlib

import requests
from requests import adapters
from requests import exceptions
from requests import structures
from requests import utils

# Idle connections kept per endpoint, unless told otherwise: requests'.
DEFAULT_POOLSIZE = adapters.DEFAULT_POOLSIZE
# What this adapter can decode, and so what the session advertises.
ACCEPT_ENCODING = 'gzip, deflate'
_DECODABLE = frozenset(('', 'identity', 'gzip', 'x-gzip', 'deflate'))
_BODY_TYPES = (bytes, str, type(None))

# keystoneauth's TCPKeepAliveAdapter socket options, for the same reason:
# a connection to a Nova API that disappeared must fail, not hang.
_SOCKET_OPTIONS = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),
                   (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
for _name, _value in (('TCP_KEEPIDLE', 60), ('TCP_KEEPCNT', 4),
                      ('TCP_KEEPINTVL', 15)):
    if hasattr(socket, _name):
        _SOCKET_OPTIONS.append((socket.IPPROTO_TCP, getattr(socket, _name),
                                _value))


class _RawResponse:
    """What requests reads from ``Response.raw`` once the body is read:
    the original response, for the cookie jar."""

    def __init__(self, response):
        self._original_response = response

    def release_conn(self):
        """The connection went back to the pool when the body was read."""

    def close(self):
        """Nothing is left open."""


def _timeouts(timeout):
    """(connect, read) seconds, or None when it is not a plain value."""
    if timeout is None or isinstance(timeout, (int, float)):
        return timeout, timeout
    if isinstance(timeout, tuple) and len(timeout) == 2:
        return timeout
    return None


def _is_dropped(connection):
    """True when an idle connection has data or EOF waiting: the server
    closed it (or broke the protocol) while it sat in the pool."""
    sock = connection.sock
    if sock is None:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _decode(body, encoding):
    if encoding in ('gzip', 'x-gzip'):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if encoding == 'deflate':
        try:
            return zlib.decompress(body)
        except zlib.error:
            # Some servers send a raw deflate stream without zlib framing.
            return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


class StdlibHTTPAdapter(adapters.HTTPAdapter):
    """requests' HTTPAdapter whose plain requests go over ``http.client``."""

    def __init__(self, pool_maxsize=DEFAULT_POOLSIZE, **kwargs):
        super().__init__(pool_maxsize=pool_maxsize, **kwargs)
        self._idle_limit = pool_maxsize
        self._idle = {}
        self._contexts = {}
        self._lock = threading.Lock()

    def send(self, request, stream=False, timeout=None, verify=True,
             cert=None, proxies=None):
        timeouts = _timeouts(timeout)
        if (stream or timeouts is None
                or utils.select_proxy(request.url, proxies)
                or not isinstance(request.body, _BODY_TYPES)
                or not self._decodes_all(request)):
            return super().send(request, stream=stream, timeout=timeout,
                                verify=verify, cert=cert, proxies=proxies)
        parts = utils.urlparse(request.url)
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            return super().send(request, stream=stream, timeout=timeout,
                                verify=verify, cert=cert, proxies=proxies)
        return self._send_plain(request, parts, timeouts, verify, cert)

    @staticmethod
    def _decodes_all(request):
        accepted = request.headers.get('Accept-Encoding', '')
        return all(name.strip().split(';')[0].lower() in _DECODABLE
                   for name in accepted.split(','))

    def _send_plain(self, request, parts, timeouts, verify, cert):
        key = self._pool_key(parts, verify, cert)
        connection = self._checkout(key)
        try:
            if connection is None:
                connection = self._connect(key, timeouts[0], request)
            connection.sock.settimeout(timeouts[1])
            answer = self._exchange(connection, request, parts)
        except BaseException:
            if connection is not None:
                connection.close()
            raise
        if answer.will_close:
            connection.close()
        else:
            self._checkin(key, connection)
        return self._response(request, answer)

    def _pool_key(self, parts, verify, cert):
        port = parts.port or (443 if parts.scheme == 'https' else 80)
        if parts.scheme == 'http':
            return ('http', parts.hostname, port, None, None)
        if isinstance(cert, list):
            cert = tuple(cert)
        return ('https', parts.hostname, port, verify, cert)

    def _checkout(self, key):
        """An idle connection the server has not closed, or None."""
        while True:
            with self._lock:
                idle = self._idle.get(key)
                if not idle:
                    return None
                connection = idle.pop()
            if not _is_dropped(connection):
                return connection
            connection.close()

    def _checkin(self, key, connection):
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self._idle_limit:
                idle.append(connection)
                return
        connection.close()

    def _connect(self, key, connect_timeout, request):
        scheme, host, port, verify, cert = key
        context = None
        if scheme == 'https':
            context = self._tls_context(verify, cert)
            connection = http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=context)
        else:
            connection = http.client.HTTPConnection(
                host, port, timeout=connect_timeout)
        try:
            connection.sock = socket.create_connection(
                (host, port), connect_timeout)
            for option in _SOCKET_OPTIONS:
                connection.sock.setsockopt(*option)
            if context is not None:
                connection.sock = context.wrap_socket(
                    connection.sock, server_hostname=host)
        except ssl.SSLError as exc:
            connection.close()
            raise exceptions.SSLError(exc, request=request)
        except socket.timeout as exc:
            connection.close()
            raise exceptions.ConnectTimeout(exc, request=request)
        except OSError as exc:
            connection.close()
            raise exceptions.ConnectionError(exc, request=request)
        return connection

    def _tls_context(self, verify, cert):
        """One SSL context per (verify, cert), built as requests would."""
        key = (verify, cert)
        with self._lock:
            context = self._contexts.get(key)
        if context is not None:
            return context
        if verify:
            location = (verify if isinstance(verify, str)
                        else utils.DEFAULT_CA_BUNDLE_PATH)
            if not location or not os.path.exists(location):
                raise OSError('Could not find a suitable TLS CA certificate '
                              'bundle, invalid path: %s' % location)
            if os.path.isdir(location):
                context = ssl.create_default_context(capath=location)
            else:
                context = ssl.create_default_context(cafile=location)
        else:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if cert:
            cert_file, key_file = ((cert, None) if isinstance(cert, str)
                                   else cert)
            for path in (cert_file, key_file):
                if path and not os.path.exists(path):
                    raise OSError('Could not find the TLS certificate or key '
                                  'file, invalid path: %s' % path)
            context.load_cert_chain(cert_file, key_file)
        with self._lock:
            return self._contexts.setdefault(key, context)

    @staticmethod
    def _exchange(connection, request, parts):
        target = parts.path or '/'
        if parts.query:
            target += '?' + parts.query
        body = request.body
        if isinstance(body, str):
            body = body.encode('utf-8')
        try:
            connection.request(request.method, target, body=body,
                               headers=dict(request.headers))
            answer = connection.getresponse()
            answer.body = answer.read()
        except socket.timeout as exc:
            raise exceptions.ReadTimeout(exc, request=request)
        except ssl.SSLError as exc:
            raise exceptions.SSLError(exc, request=request)
        except (OSError, http.client.HTTPException) as exc:
            raise exceptions.ConnectionError(exc, request=request)
        return answer

    def _response(self, request, answer):
        response = requests.Response()
        headers = structures.CaseInsensitiveDict()
        for name, value in answer.getheaders():
            if name in headers:
                headers[name] = headers[name] + ', ' + value
            else:
                headers[name] = value
        encoding = headers.get('Content-Encoding', '').strip().lower()
        try:
            content = _decode(answer.body, encoding)
        except zlib.error as exc:
            raise exceptions.ContentDecodingError(exc, request=request)
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = headers
        response.encoding = utils.get_encoding_from_headers(headers)
        response.url = request.url
        response.request = request
        response.connection = self
        response.raw = _RawResponse(answer)
        response._content = content
        response._content_consumed = True
        return response

    def close(self):
        with self._lock:
            pools, self._idle = self._idle, {}
        for idle in pools.values():
            for connection in idle:
                connection.close()
        super().close()

