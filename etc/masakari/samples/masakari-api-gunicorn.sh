#!/bin/sh
# The masakari API under gunicorn: what a systemd unit or a container runs.
#
# * masakari.conf and api-paste.ini are read from $OS_MASAKARI_CONFIG_DIR.
# * Several synchronous workers; each has its own database pool and broker
#   connection, so no --preload (connections must not cross a fork).
# * --timeout is above [DEFAULT] rpc_response_timeout (60 s): the slowest
#   request waits for the engine's answer (GET /v1/notifications/{id} at
#   microversion 1.1).
# * Behind a TLS-terminating proxy, bind to 127.0.0.1 and set
#   [oslo_middleware] enable_proxy_headers_parsing = true.
export OS_MASAKARI_CONFIG_DIR=${OS_MASAKARI_CONFIG_DIR:-/etc/masakari}
exec gunicorn \
    --workers 4 \
    --bind 0.0.0.0:15868 \
    --timeout 90 \
    --graceful-timeout 30 \
    --max-requests 10000 --max-requests-jitter 1000 \
    --access-logfile - \
    --name masakari-api \
    masakari.wsgi.api:application
