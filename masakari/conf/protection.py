"""``[protection]``: the protection check (admission control) of failover
segments, asked through the API and, when enabled, run by the engine.

See ``doc/source/admin/protection-check.rst``.
"""

from oslo_config import cfg

protection_group = cfg.OptGroup('protection',
                                title='Protection check of segments')

protection_opts = [
    cfg.IntOpt('check_interval', default=0, min=0,
               help='Seconds between two protection checks of every '
                    'failover segment by this engine; 0 (the default) '
                    'turns the periodic check off. Each check asks Nova for '
                    'its hypervisors and for the servers of every host of '
                    'every segment. When a segment stops being protected, '
                    'or is protected again, the engine logs a warning and '
                    'sends the segment.protection.lost or '
                    '.restored notification. Enable it on one engine: '
                    'each engine that runs it reports on its own.'),
    cfg.IntOpt('host_failures', default=1, min=1,
               help='How many hosts of a segment may fail at once for the '
                    'segment to count as protected: the check places the '
                    'instances of every set of this many hosts. The API '
                    'takes it per request too (?host_failures=K).'),
    cfg.FloatOpt('cpu_allocation_ratio', default=4.0, min=0.0,
                 help="vCPU overcommit Nova allows on a compute host; set it "
                      "to Nova's cpu_allocation_ratio (Nova's os-hypervisors "
                      "does not report it). The default is Nova's "
                      'initial_cpu_allocation_ratio.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.0, min=0.0,
                 help="RAM overcommit Nova allows on a compute host; set it "
                      "to Nova's ram_allocation_ratio."),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help="Disk overcommit Nova allows on a compute host; set "
                      "it to Nova's disk_allocation_ratio."),
]


def register_opts(conf):
    conf.register_group(protection_group)
    conf.register_opts(protection_opts, group=protection_group)


def list_opts():
    return {protection_group: protection_opts}
