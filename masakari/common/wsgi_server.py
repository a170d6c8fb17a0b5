"""A small threaded WSGI server for the standalone API and the simulator.

Production deployments run ``masakari.wsgi.api:application`` under uWSGI or
gunicorn; this server serves development, the all-in-one mode and tests
without pulling in eventlet.
"""

import logging
import socketserver
import threading
from wsgiref import simple_server

LOG = logging.getLogger(__name__)


class _QuietHandler(simple_server.WSGIRequestHandler):
    """Logs requests through logging rather than to stderr."""

    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        LOG.debug('%s %s', self.address_string(), format % args)

    def handle(self):
        # wsgiref's handler serves one request per connection; answering
        # "Connection: close" keeps HTTP/1.1 clients from reusing it.
        self.close_connection = True
        super().handle()


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _ConnectionCloseApp:
    """Adds ``Connection: close`` so clients never wait on a reused socket."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        def _start(status, headers, exc_info=None):
            headers = [h for h in headers if h[0].lower() != 'connection']
            headers.append(('Connection', 'close'))
            return start_response(status, headers, exc_info)
        return self.app(environ, _start)


class WSGIServer:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, app, host='127.0.0.1', port=0, name='wsgi'):
        self.name = name
        self._server = simple_server.make_server(
            host, port, _ConnectionCloseApp(app),
            server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self._thread = None

    @property
    def host(self):
        return self._server.server_address[0]

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        return 'http://%s:%d' % (self.host, self.port)

    def start(self):
        """Serve in a daemon thread and return at once."""
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s', self.name, self.url)
        return self

    def serve_forever(self):
        LOG.info('%s listening on %s', self.name, self.url)
        self._server.serve_forever()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
