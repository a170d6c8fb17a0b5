"""``[metrics]``: Prometheus endpoints on the API and on each engine."""

from oslo_config import cfg

metrics_group = cfg.OptGroup(
    'metrics', title='Prometheus metrics',
    help='Expose metrics in the Prometheus text format: each '
         'masakari-engine on an HTTP port of its own, masakari-api on its '
         '/metrics path. Off by default. See doc/source/admin/metrics.rst.')

metrics_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Serve the metrics endpoints. Off: the engine opens no '
                     'port and the API answers 404 on /metrics.'),
    cfg.HostAddressOpt('engine_listen', default='127.0.0.1',
                       help='Address the engine serves its metrics on.'),
    cfg.PortOpt('engine_port', default=15870,
                help='Port the engine serves its metrics on (GET /metrics). '
                     'Several engines on one machine need one port each; '
                     '0 picks a free port and logs it.'),
]


def register_opts(conf):
    conf.register_group(metrics_group)
    conf.register_opts(metrics_opts, group=metrics_group)


def list_opts():
    return {metrics_group: metrics_opts}
