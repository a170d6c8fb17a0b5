"""Engine options: ``[DEFAULT]`` timings and the per-failure-type groups."""

from oslo_config import cfg

engine_opts = [
    cfg.StrOpt('notification_driver', default='taskflow_driver',
               help='Driver (masakari.driver entry point) that runs the '
                    'recovery workflows.'),
    cfg.IntOpt('wait_period_after_service_update', default=180, min=0,
               help='Upper bound, in seconds, for Nova to report a disabled '
                    'compute service as down (host failure) or disabled '
                    '(process failure). The engine polls and stops waiting '
                    'as soon as Nova agrees; it never sleeps this long '
                    'unconditionally.'),
    cfg.IntOpt('wait_period_after_evacuation', default=90, min=0,
               help='Seconds to wait for one evacuated instance to become '
                    'active on its new host.'),
    cfg.IntOpt('verify_interval', default=1, min=0,
               help='Longest interval, in seconds, between two polls of '
                    'Nova while waiting for a state change. Polls start '
                    'faster and grow up to this value.'),
    cfg.IntOpt('wait_period_after_power_off', default=180, min=0,
               help='Seconds to wait for an instance to stop.'),
    cfg.IntOpt('wait_period_after_power_on', default=60, min=0,
               help='Seconds to wait for an instance to become active.'),
    cfg.IntOpt('process_unfinished_notifications_interval', default=120,
               min=1,
               help='Seconds between two runs of the task that re-runs '
                    'notifications left new or error.'),
    cfg.IntOpt('retry_notification_new_status_interval', default=60,
               min=0, mutable=True,
               help='Age, in seconds, after which a notification still new '
                    'is considered lost and is dispatched again.'),
    cfg.IntOpt('check_expired_notifications_interval', default=600, min=1,
               help='Seconds between two runs of the expiry task.'),
    cfg.IntOpt('notifications_expired_interval', default=86400, min=1,
               help='Age, in seconds, at which a notification still new, '
                    'running or error is marked failed.'),
    cfg.IntOpt('host_failure_recovery_threads', default=3, min=1,
               help='Number of instances evacuated in parallel.'),
    cfg.IntOpt('notification_lease_seconds', default=60, min=2,
               help='How long an engine holds a running notification '
                    'without renewing its claim. When an engine stops '
                    'renewing (it was killed, its host died, it lost the '
                    'database), another engine takes the notification over '
                    'once this has passed and finishes the recovery. Keep '
                    'it several times notification_heartbeat_interval.'),
    cfg.IntOpt('notification_heartbeat_interval', default=10, min=1,
               help='Seconds between two renewals of the leases of the '
                    'notifications this engine is running, and between two '
                    'looks for running notifications whose lease has '
                    'expired.'),
]

host_failure_group = cfg.OptGroup('host_failure',
                                  title='Host failure recovery')

host_failure_opts = [
    cfg.BoolOpt('evacuate_all_instances', default=True,
                help='Also evacuate instances that are not HA-enabled, '
                     'after the HA-enabled ones.'),
    cfg.StrOpt('ha_enabled_instance_metadata_key', default='HA_Enabled',
               help='Instance metadata key that marks an instance as '
                    'HA-enabled.'),
    cfg.BoolOpt('ignore_instances_in_error_state', default=False,
                help='Skip instances whose vm_state is error.'),
    cfg.BoolOpt('add_reserved_host_to_aggregate', default=False,
                help='Add the reserved host to every aggregate of the '
                     'failed host before evacuating onto it.'),
    cfg.StrOpt('service_disable_reason',
               default='Masakari detected host failed.',
               help='Disabled reason set on the failed compute service.'),
    cfg.BoolOpt('force_down_failed_host', default=False,
                help='Mark the failed compute service forced_down in Nova '
                     '(compute API 2.53+) so evacuation starts at once. '
                     'Enable only when the host monitors report hosts that '
                     'are fenced (powered off).'),
    cfg.FloatOpt('evacuation_watch_interval', default=0.5, min=0.01,
                 help='Seconds between two listings of Nova\'s evacuation '
                      'records of a failed host (GET /os-migrations) while '
                      'its evacuations run and no event from Nova has '
                      'arrived (see [nova_events]). Each listing wakes the '
                      'evacuations that ended. One listing serves every '
                      'evacuation of the host, so the default costs nova-'
                      'api two requests per second per failed host, '
                      'whatever its number of instances, and notices an '
                      'end 0.25 s late on average. 0.05 (20 requests per '
                      'second per failed host) is the fast path for short '
                      'evacuations, benchmarks and tests.'),
    cfg.FloatOpt('watched_evacuation_poll_interval', default=10.0,
                 min=0.05,
                 help='Seconds between two reads of a server being '
                      'evacuated while its end is watched for: Nova\'s '
                      'evacuation records of the failed host can be '
                      'listed, or Nova\'s events arrive. Either wakes the '
                      'read as soon as Nova ends the evacuation, so this '
                      'read only guards against a missed wake-up. While '
                      'neither works, the server is read every '
                      'verify_interval.'),
    cfg.ListOpt('excluded_metadata_keys', default=[],
                help='Servers whose metadata sets one of these keys to a '
                     'true value are never evacuated (for example servers '
                     'another service fails over itself).'),
    cfg.ListOpt('excluded_projects', default=[],
                help='Project IDs whose servers are never evacuated.'),
    cfg.ListOpt('excluded_flavors', default=[],
                help='Flavor names whose servers are never evacuated '
                     '(compute API 2.47+ shows the flavor in the server).'),
    cfg.ListOpt('excluded_flavor_extra_specs', default=[],
                help='Flavor extra specs, as key or key=value, whose '
                     'servers are never evacuated.'),
    cfg.ListOpt('excluded_name_patterns', default=[],
                help='Shell-style patterns (fnmatch: *, ?, [...]) of server '
                     'names that are never evacuated, e.g. "amphora-*" for '
                     'Octavia amphorae.'),
    cfg.StrOpt('priority_metadata_key',
               help='Metadata key giving a server\'s restart priority: '
                    'high, medium, low or an integer (higher first; none '
                    'is 0). Higher priorities are evacuated first, equal '
                    'ones in parallel. Unset: HA-enabled servers first, in '
                    'the order Nova lists them.'),
    cfg.ListOpt('wait_for_higher_priority_segments', default=[],
                help='Names or UUIDs of segments (* for all) whose host '
                     'recoveries evacuate a priority only once every '
                     'server of the higher ones runs again, instead of '
                     'merely starting them first.'),
    cfg.FloatOpt('evacuation_settle_grace', default=30.0, min=0,
                 help='Seconds an evacuated server may show no task while '
                      'still on the failed host before its evacuation '
                      'counts as failed. Nova clears the task before it '
                      'moves the server\'s host, and a busy compute can '
                      'take a while in between; a failed evacuation record '
                      'or an error state ends the wait at once.'),
]

instance_failure_group = cfg.OptGroup('instance_failure',
                                      title='Instance failure recovery')

instance_failure_opts = [
    cfg.BoolOpt('process_all_instances', default=False,
                help='Recover instances that are not HA-enabled too.'),
    cfg.StrOpt('ha_enabled_instance_metadata_key', default='HA_Enabled',
               help='Instance metadata key that marks an instance as '
                    'HA-enabled.'),
]

process_failure_group = cfg.OptGroup('process_failure',
                                     title='Process failure recovery')

process_failure_opts = [
    cfg.StrOpt('service_disable_reason',
               default='Masakari detected process failed.',
               help='Disabled reason set on the compute service whose '
                    'process failed.'),
]


def register_opts(conf):
    conf.register_opts(engine_opts)
    for group, opts in ((host_failure_group, host_failure_opts),
                        (instance_failure_group, instance_failure_opts),
                        (process_failure_group, process_failure_opts)):
        conf.register_group(group)
        conf.register_opts(opts, group=group)


def list_opts():
    return {'DEFAULT': engine_opts,
            host_failure_group: host_failure_opts,
            instance_failure_group: instance_failure_opts,
            process_failure_group: process_failure_opts}
