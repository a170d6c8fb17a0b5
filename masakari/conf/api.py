"""``[DEFAULT]`` options of the REST API."""

from oslo_config import cfg

api_opts = [
    cfg.StrOpt('auth_strategy', default='keystone',
               choices=[('keystone', 'Use keystonemiddleware auth_token.'),
                        ('noauth2', 'No authentication; every request is '
                                    'admin. For development only.')],
               help='The strategy to use for authentication.'),
    cfg.BoolOpt('use_forwarded_for', default=False,
                deprecated_for_removal=True,
                deprecated_reason='Use the http_proxy_to_wsgi middleware.',
                help='Treat X-Forwarded-For as the canonical remote address.'),
    cfg.IntOpt('osapi_max_limit', default=1000, min=0,
               help='Maximum number of items a list request returns.'),
    cfg.StrOpt('osapi_masakari_link_prefix',
               help='Base URL that replaces the scheme and host of links in '
                    'version documents, e.g. behind a proxy.'),
    cfg.IntOpt('notification_delay_max', default=5, min=0,
               help='Accepted for compatibility and ignored: duplicate '
                    'notifications are detected by the database, so no '
                    'random delay is needed before storing one.'),
    cfg.IntOpt('duplicate_notification_detection_interval', default=180,
               min=0,
               help='Window, in seconds, in which a notification with the '
                    'same type, source host and payload is a duplicate.'),
]


def register_opts(conf):
    conf.register_opts(api_opts)


def list_opts():
    return {'DEFAULT': api_opts}
