"""``[fencing]``: making sure a failed host is powered off before its
instances are evacuated.

A host that only looks dead (its network failed, not its power) could keep
writing to the disks of instances that Nova rebuilds elsewhere. Fencing
powers such a host off through its BMC first. It is off unless
``bmc_inventory_file`` names a file; see ``doc/source/admin/fencing.rst``.
"""

from oslo_config import cfg

fencing_group = cfg.OptGroup('fencing', title='Fencing of failed hosts')

fencing_opts = [
    cfg.StrOpt('bmc_inventory_file', default='',
               help='YAML file listing, per compute host, the BMC that can '
                    'power it off (driver redfish, ipmi or noop, address, '
                    'credentials). A failed host listed there is powered '
                    'off, and seen to be off, before any of its instances '
                    'is evacuated; if that fails nothing is evacuated. '
                    'Hosts not listed, or with driver noop, are recovered '
                    'without fencing. Empty (the default): no host is '
                    'fenced. The file is read again when it changes; keep '
                    'it readable only by the masakari user, it holds BMC '
                    'passwords.'),
    cfg.FloatOpt('bmc_call_timeout', default=10.0, min=0.1,
                 help='Seconds one call to a BMC (connect and read) may '
                      'take before it counts as failed.'),
    cfg.FloatOpt('power_off_timeout', default=60.0, min=0.0,
                 help='Seconds, from the power-off request, within which the '
                      'BMC must report the host off. A host still on after '
                      'this is not fenced and its instances are not '
                      'evacuated.'),
    cfg.FloatOpt('power_state_poll_interval', default=1.0, min=0.1,
                 help='Seconds between two reads of the power state while '
                      'waiting for the host to be off.'),
]


def register_opts(conf):
    conf.register_group(fencing_group)
    conf.register_opts(fencing_opts, group=fencing_group)


def list_opts():
    return {fencing_group: fencing_opts}
