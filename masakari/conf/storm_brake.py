"""``[storm_brake]``: hold automatic host recovery during a burst of
failures.

When many hosts of one segment are reported failed at about the same time,
the usual cause is a network partition or a broken monitor, not that many
machines. Evacuating them all then starts the same instances twice (split
brain). The brake holds such host failures until an operator releases or
cancels them; see ``doc/source/admin/storm-brake.rst``.
"""

from oslo_config import cfg

storm_brake_group = cfg.OptGroup('storm_brake',
                                 title='Storm brake on host recovery')

storm_brake_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Hold the host failures of a segment, instead of '
                     'recovering them, when more of its hosts failed within '
                     '``window`` seconds than ``max_failed_hosts`` or '
                     '``max_failed_share`` allow. Held notifications wait '
                     'for an operator (API microversion 1.6). Off by '
                     'default, so that a deployment taken over from '
                     'upstream Masakari evacuates what it did before; '
                     'turning it on is recommended.'),
    cfg.IntOpt('window', default=300, min=1,
               help='Seconds within which host failures of one segment '
                    '(by their generated_time) count as one burst.'),
    cfg.IntOpt('max_failed_hosts', default=2, min=1,
               help='Most hosts of one segment recovered automatically '
                    'within the window; one more failed host trips the '
                    'brake.'),
    cfg.FloatOpt('max_failed_share', default=0.5, min=0.0, max=1.0,
                 help='Largest share of a segment\'s hosts recovered '
                      'automatically within the window; a larger share '
                      'failed trips the brake. A single failed host never '
                      'trips it, whatever the size of its segment.'),
]


def register_opts(conf):
    conf.register_group(storm_brake_group)
    conf.register_opts(storm_brake_opts, group=storm_brake_group)


def list_opts():
    return {storm_brake_group: storm_brake_opts}
