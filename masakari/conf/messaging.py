"""oslo.messaging's own options, registered up front so they can be read
(and overridden in tests) before the first transport is created."""

import oslo_messaging
from oslo_messaging import opts as messaging_opts


def register_opts(conf):
    oslo_messaging.set_transport_defaults(control_exchange='masakari')
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'oslo_messaging_notifications'):
            conf.register_opts(opts, group=group)


def list_opts():
    # Published by oslo.messaging under its own generator namespace.
    return {}
