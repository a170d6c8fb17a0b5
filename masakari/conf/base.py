"""Service-wide ``[DEFAULT]`` options: node identity, paths, periodics."""

import os
import socket

from oslo_config import cfg

path_opts = [
    cfg.StrOpt('pybasedir',
               default=os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                    '../../')),
               sample_default='<Path>',
               help='Directory where the masakari package is installed.'),
    cfg.StrOpt('bindir',
               default=os.path.join(os.path.dirname(os.path.abspath(
                   os.__file__)), 'bin'),
               sample_default='$pybasedir/bin',
               help='Directory where masakari binaries are installed.'),
    cfg.StrOpt('state_path', default='$pybasedir',
               help="Top-level directory for maintaining masakari's state."),
]

service_opts = [
    cfg.StrOpt('host', default=socket.gethostname(),
               sample_default='<Hostname>',
               help='Name of this node. Used as the RPC server name of the '
                    'engine and in the publisher id of notifications.'),
    cfg.StrOpt('engine_manager',
               default='masakari.engine.manager.MasakariManager',
               help='Full class name of the engine manager.'),
    cfg.IntOpt('report_interval', default=10,
               help='Seconds between nodes reporting state to the datastore.'),
    cfg.BoolOpt('periodic_enable', default=True,
                help='Enable the engine periodic tasks.'),
    cfg.IntOpt('periodic_interval_max', default=300,
               help='Maximum seconds between two runs of the periodic loop.'),
    cfg.IntOpt('periodic_fuzzy_delay', default=60, min=0,
               help='Range, in seconds, to randomly delay the first run of '
                    'the periodic tasks by, to spread load across engines.'),
    cfg.StrOpt('tempdir', help='Explicitly specify the temporary working '
                               'directory.'),
    cfg.BoolOpt('monkey_patch', default=False,
                help='Kept for compatibility; masakari never monkey patches.'),
    cfg.ListOpt('monkey_patch_modules', default=[],
                help='Kept for compatibility; ignored.'),
    cfg.BoolOpt('fatal_exception_format_errors', default=False,
                help='Make exception message format errors fatal.'),
    cfg.IntOpt('graceful_shutdown_timeout', default=60, min=0,
               help='Seconds the engine waits, on SIGTERM, for recoveries '
                    'in progress before it exits; unfinished ones are set '
                    'to error so that an engine retries them. masakari-api '
                    'waits as long for the requests in flight.'),
    cfg.StrOpt('masakari_topic', default='ha_engine',
               deprecated_for_removal=True,
               deprecated_reason='Configurable RPC topics are of no use.',
               help='The topic the engine listens on.'),
]


def register_opts(conf):
    conf.register_opts(path_opts)
    conf.register_opts(service_opts)


def list_opts():
    return {'DEFAULT': path_opts + service_opts}
