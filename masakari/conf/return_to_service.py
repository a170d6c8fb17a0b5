"""``[return_to_service]``: repaired hosts back in service by themselves."""

from oslo_config import cfg

return_to_service_group = cfg.OptGroup(
    'return_to_service', title='Return to service',
    help='After a host failure the host stays on maintenance and its '
         'compute service disabled until someone brings it back. For the '
         'segments listed here the engine does it: once Nova reports the '
         'compute service up and not forced down for burn_in seconds, with '
         'no new failure, it enables the service and takes the host out of '
         'maintenance. See doc/source/admin/return-to-service.rst.')

return_to_service_opts = [
    cfg.ListOpt('segments', default=[],
                help='Names or uuids of the failover segments whose hosts '
                     'return to service by themselves; "*" for all. Empty '
                     '(the default): none, as upstream.'),
    cfg.IntOpt('burn_in', default=600, min=0,
               help='Seconds the repaired host\'s compute service must stay '
                    'up (as the engine sees it) before the host returns.'),
    cfg.IntOpt('check_interval', default=60, min=1,
               help='Seconds between two checks of the hosts on '
                    'maintenance.'),
    cfg.IntOpt('max_failures', default=3, min=1,
               help='A host that failed this many times within '
                    'failure_window seconds is flapping: it stays on '
                    'maintenance until an operator returns it.'),
    cfg.IntOpt('failure_window', default=86400, min=60,
               help='Seconds over which host failures are counted for '
                    'max_failures.'),
]


def register_opts(conf):
    conf.register_group(return_to_service_group)
    conf.register_opts(return_to_service_opts,
                       group=return_to_service_group)


def list_opts():
    return {return_to_service_group: return_to_service_opts}
