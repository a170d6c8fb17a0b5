"""``[fencing]``: making sure a failed host is powered off before its
instances are evacuated.

A host that only looks dead (its network failed, not its power) could keep
writing to the disks of instances that Nova rebuilds elsewhere. Fencing
powers such a host off through its BMC first. It is off unless
``bmc_inventory_file`` names a file; see ``doc/source/admin/fencing.rst``.
The ``kdump_*`` options let a host that is writing a crash dump count as
fenced without a power-off, which would destroy the dump.
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
    cfg.FloatOpt('kdump_wait', default=0.0, min=0.0,
                 help='Seconds to wait, before powering a failed host off, '
                      'for a fence_kdump message from it. A host whose '
                      'kernel crashed and that is writing a crash dump '
                      '(kdump with fence_kdump_send) counts as fenced: its '
                      'kernel and its instances are gone already, and a '
                      'power-off would only destroy the dump. A message '
                      'heard within this many seconds before the fencing '
                      'started counts too. When none comes, the host is '
                      'powered off as usual, this much later. Make it '
                      'longer than the interval fence_kdump_send sends at '
                      '(10 s by default). 0 (the default): kdump is not '
                      'waited for and no UDP port is opened.'),
    cfg.IPOpt('kdump_listen_address', default='0.0.0.0',
              help='Address the engine receives fence_kdump messages on '
                   '(when kdump_wait is set). A message counts by its '
                   'source address, which anybody on the same network can '
                   'forge: use the address of a management network that '
                   'only the compute hosts and the engines reach.'),
    cfg.PortOpt('kdump_port', default=7410, min=1,
                help='UDP port the engine receives fence_kdump messages on '
                     '(when kdump_wait is set); fence_kdump_send sends to '
                     '7410 unless given -p.'),
]


def register_opts(conf):
    conf.register_group(fencing_group)
    conf.register_opts(fencing_opts, group=fencing_group)


def list_opts():
    return {fencing_group: fencing_opts}
