"""Options of the standalone API server (listen address, ``[wsgi]``)."""

from oslo_config import cfg

server_opts = [
    cfg.BoolOpt('use_ssl', default=False,
                help='Serve the API over TLS (needs [wsgi] ssl_* files).'),
    cfg.HostAddressOpt('masakari_api_listen', default='0.0.0.0',
                       help='IP address on which the API listens.'),
    cfg.PortOpt('masakari_api_listen_port', default=15868,
                help='Port on which the API listens.'),
    cfg.IntOpt('masakari_api_workers', min=1,
               help='Number of worker processes of masakari-api, each with '
                    '[wsgi] worker_threads threads, all sharing the '
                    'listening socket; defaults to the number of CPUs. '
                    '1 serves in the masakari-api process itself. Not used '
                    'when a WSGI server (uWSGI, gunicorn, mod_wsgi) runs '
                    'masakari.wsgi.api:application.'),
    cfg.IntOpt('service_down_time', default=60,
               help='Seconds without a report after which a service is '
                    'considered down.'),
]

wsgi_group = cfg.OptGroup('wsgi', title='WSGI server options')

wsgi_opts = [
    cfg.StrOpt('api_paste_config', default='api-paste.ini',
               help='File name of the paste.deploy config for the API.'),
    cfg.StrOpt('wsgi_log_format',
               default='%(client_ip)s "%(request_line)s" status: '
                       '%(status_code)s len: %(body_length)s time: '
                       '%(wall_seconds).7f',
               help='Format of the access log line.'),
    cfg.StrOpt('secure_proxy_ssl_header', deprecated_for_removal=True,
               deprecated_reason='Use the http_proxy_to_wsgi middleware.',
               help='Header that tells the original request scheme.'),
    cfg.StrOpt('ssl_ca_file', help='CA certificate file for TLS clients.'),
    cfg.StrOpt('ssl_cert_file', help='TLS certificate of the server.'),
    cfg.StrOpt('ssl_key_file', help='TLS private key of the server.'),
    cfg.IntOpt('tcp_keepidle', default=600,
               help='TCP_KEEPIDLE of accepted sockets, in seconds.'),
    cfg.IntOpt('worker_threads', default=16, min=1,
               help='Threads of each masakari-api worker process: the '
                    'requests it serves at once; more wait in its queue. '
                    'Idle keep-alive connections hold no thread.'),
    cfg.IntOpt('default_pool_size', default=1000, min=0,
               help='Idle keep-alive connections each masakari-api worker '
                    'keeps open at most; past it a response closes its '
                    'connection.'),
    cfg.IntOpt('max_request_header_size', default=65536, min=1024,
               help='Maximum size in bytes of a request line (414 past it) '
                    'and of the request line and headers together (413).'),
    cfg.IntOpt('max_header_line', default=16384,
               help='Not used by masakari-api, whose limit is '
                    'max_request_header_size; kept so that configuration '
                    'files written for upstream masakari still load.'),
    cfg.BoolOpt('keep_alive', default=True,
                help='Keep HTTP connections open between requests; False '
                     'answers every request with Connection: close.'),
    cfg.IntOpt('client_socket_timeout', default=60, min=0,
               help='Seconds a client may stay silent while sending a '
                    'request or reading a response, and seconds an idle '
                    'keep-alive connection stays open; 0 waits a day.'),
]


def register_opts(conf):
    conf.register_opts(server_opts)
    conf.register_group(wsgi_group)
    conf.register_opts(wsgi_opts, group=wsgi_group)


def list_opts():
    return {'DEFAULT': server_opts, wsgi_group: wsgi_opts}
