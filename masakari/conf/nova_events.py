"""``[nova_events]``: listening to Nova's own versioned notifications.

Nova announces the end of each rebuild (``instance.rebuild.end`` or
``.error``) on its notification bus. An engine that listens learns that an
evacuation ended the moment Nova says so, instead of at its next poll of
``GET /os-migrations``; the poll goes on, slower, for the events that
never come (a lost message, a Nova not configured to send them).
"""

from oslo_config import cfg

nova_events_group = cfg.OptGroup(
    'nova_events', title="Nova's versioned notifications",
    help='Listen to the instance.evacuate and instance.rebuild.* '
         'notifications Nova sends (Nova needs [notifications] '
         'notification_format = versioned or both, and '
         '[oslo_messaging_notifications] driver = messagingv2) to notice '
         'the end of each evacuation at once.')

nova_events_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Listen to Nova\'s versioned notifications while the '
                     'engine runs. Off: every evacuation end is found by '
                     'polling Nova ([host_failure] '
                     'evacuation_watch_interval).'),
    cfg.StrOpt('transport_url', secret=True,
               help='The oslo.messaging URL of the bus Nova sends its '
                    'notifications to (often a vhost or broker of its '
                    'own). Unset: the engine\'s notification transport, '
                    'that is [oslo_messaging_notifications] transport_url, '
                    'else [DEFAULT] transport_url.'),
    cfg.StrOpt('topic', default='versioned_notifications',
               help='The topic Nova sends versioned notifications to: one '
                    'of Nova\'s [notifications] '
                    'versioned_notifications_topics.'),
    cfg.StrOpt('exchange', default='nova',
               help='The exchange of that topic: Nova\'s control_exchange.'),
    cfg.StrOpt('pool',
               help='The listener pool (a queue of its own on the topic). '
                    'Unset: masakari-engine-<[DEFAULT] host>, so every '
                    'engine gets every event and other consumers of the '
                    'topic (Ceilometer...) keep theirs. Engines sharing a '
                    'pool would split the events between them.'),
    cfg.FloatOpt('evacuation_watch_interval', default=10.0, min=0.01,
                 help='Seconds between two listings of Nova\'s evacuation '
                      'records of a failed host (GET /os-migrations) once '
                      'Nova\'s events about that host\'s evacuations '
                      'arrive: the events wake each evacuation at once, so '
                      'the listing only catches what an event missed. '
                      'Until the first event, [host_failure] '
                      'evacuation_watch_interval applies.'),
]


def register_opts(conf):
    conf.register_group(nova_events_group)
    conf.register_opts(nova_events_opts, group=nova_events_group)


def list_opts():
    return {nova_events_group: nova_events_opts}
