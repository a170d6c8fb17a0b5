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
# How often serve_forever checks for shutdown: stop() waits up to this long.
_POLL_INTERVAL = 0.05


class _ClosingServerHandler(simple_server.ServerHandler):
    """Answers ``Connection: close``: one request per connection.

    wsgiref forbids applications to set hop-by-hop headers, so the header
    is added here, where the response headers are written.
    """

    def cleanup_headers(self):
        super().cleanup_headers()
        self.headers['Connection'] = 'close'


class _QuietHandler(simple_server.WSGIRequestHandler):
    """Serves one request per connection and logs through ``logging``."""

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        LOG.debug('%s %s', self.address_string(), format % args)

    def handle(self):
        self.close_connection = True
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ClosingServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(),
            multithread=True)
        handler.request_handler = self
        handler.run(self.server.get_app())


class _ThreadingWSGIServer(socketserver.ThreadingMixIn,
                           simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class WSGIServer:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, app, host='127.0.0.1', port=0, name='wsgi'):
        self.name = name
        self._server = simple_server.make_server(
            host, port, app,
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
                                        args=(_POLL_INTERVAL,),
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s', self.name, self.url)
        return self

    def serve_forever(self):
        LOG.info('%s listening on %s', self.name, self.url)
        self._server.serve_forever(_POLL_INTERVAL)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
