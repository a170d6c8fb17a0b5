"""Host failure: fence the host, disable its compute service, pick instances,
evacuate them.

Flow store: ``host_name``, ``notification_uuid`` and, for the reserved-host
methods, ``reserved_host_list`` (the retry controller turns it into
``reserved_host``, one spare host per attempt).

The tasks are idempotent, so a retried notification (or a retry onto the
next reserved host, or another engine taking over from one that died)
picks up where the last attempt stopped: the records of the notification's
evacuations (``masakari.engine.evacuation.records``) say what is left to
do, and Nova's real state is checked before anything is evacuated again.
The evacuation itself is ``masakari.engine.evacuation``; the tasks here
build it and run it.
"""

from oslo_utils import timeutils

from masakari.conf import CONF
from masakari.engine import compute_service
from masakari.engine.evacuation import pacing
from masakari.engine.evacuation import plan as planning
from masakari.engine.evacuation import records
from masakari.engine.evacuation import reserved_host as reserved
from masakari.engine.evacuation import run
from masakari.engine.evacuation import selection
from masakari.engine.tasks import base
from masakari.engine import waiting
from masakari import exception
from masakari.fencing import api as fencing
from masakari.ha import hosts as ha_hosts
from masakari.metrics import engine as engine_metrics


class FenceHostTask(base.MasakariTask):
    """Make sure the failed host is powered off before anything of it is
    evacuated, through its BMC (``masakari.fencing``).

    Provides ``host_fenced``: True once the BMC reported the host off (or
    the host said it is writing a crash dump, ``fencing.kdump``), so
    the next task forces its compute service down at once instead of
    waiting for Nova to notice. A host with no BMC in the inventory is not
    fenced here (False, and no progress details: the workflow reads as it
    did without this task). A fencing failure ends the recovery before
    anything is evacuated.
    """

    def __init__(self, context, novaclient, **options):
        options.setdefault('provides', 'host_fenced')
        super().__init__(context, novaclient, **options)

    def execute(self, host_name):
        try:
            fenced = fencing.fence(host_name)
        except exception.HostFencingFailed as exc:
            self.update_details(exc.message, 1.0)
            raise
        if fenced is None:
            return False
        engine_metrics.TIMELINE.mark(host_name, 'fenced')
        if fenced.kdump_address:
            message = ("Host '%s' is writing a kernel crash dump (fence_kdump "
                       'message from %s): fenced, not powered off'
                       % (host_name, fenced.kdump_address))
        elif fenced.already_off:
            message = ("Host '%s' is powered off already (%s): fenced"
                       % (host_name, fenced.driver))
        else:
            message = ("Host '%s' powered off through its BMC (%s) in "
                       '%.1fs: fenced' % (host_name, fenced.driver,
                                          fenced.seconds))
        self.update_details(message, 1.0)
        return True


class DisableComputeServiceTask(base.MasakariTask):
    """Fence the failed host in Nova, then wait until Nova sees it down.

    Upstream sleeps ``wait_period_after_service_update`` (180 s) here. This
    task polls the service with growing intervals instead and goes on as
    soon as Nova reports it down, while the disable call, which a real Nova
    may hold until its call to the dead compute times out, runs beside the
    wait (``masakari.engine.compute_service``). When the host is known to be
    powered off (``host_fenced`` from ``FenceHostTask``) or ``[host_failure]
    force_down_failed_host`` says another fencing agent makes sure of it,
    it marks the service forced_down and goes on at once.
    """

    def execute(self, host_name, host_fenced=False):
        self.update_details("Disabling compute service on host: '%s'"
                            % host_name, 0.0)
        service = self.novaclient.get_service(self.context, host_name)
        forced = service.forced_down
        force = host_fenced or CONF.host_failure.force_down_failed_host
        if force and not forced:
            # Before disabling: Nova then skips its call to the dead
            # compute, which would otherwise hold the disable for ~60 s.
            self.novaclient.force_down_service(self.context, host_name, True,
                                               service=service)
            forced = True
            self.update_details("Marked compute service on host '%s' as "
                                'forced down%s' % (
                                    host_name, ' (the host is fenced)'
                                    if host_fenced else ''), 0.3)
        if forced:
            engine_metrics.TIMELINE.mark(host_name, 'compute_down')
            self._disable_now(service)
            self.update_details("Compute service on host '%s' is disabled "
                                'and forced down' % host_name, 1.0)
            return
        disabler = None
        if service.disabled:
            self._already_disabled(host_name)
        else:
            disabler = compute_service.Disabler(
                self.novaclient, self.context, host_name).start()
        down_after = self._wait_until_down(service)
        if down_after is not None:
            engine_metrics.TIMELINE.mark(host_name, 'compute_down')
        if disabler is not None:
            self._confirm_disabled(host_name, disabler)
        if down_after is None:
            self.update_details(
                "Nova still reports the compute service on host '%s' up "
                'after %ss; evacuating anyway'
                % (host_name, CONF.wait_period_after_service_update), 1.0)
        else:
            self.update_details("Disabled compute service on host: '%s'; "
                                'Nova reports it down after %.1fs'
                                % (host_name, down_after), 1.0)

    def _already_disabled(self, host_name):
        self.update_details("Compute service on host '%s' was already "
                            'disabled' % host_name, 0.5)

    def _disable_now(self, service):
        if service.disabled:
            self._already_disabled(service.host)
            return
        compute_service.disable(self.novaclient, self.context, service.host,
                                service=service)
        self.update_details("Disabled compute service on host '%s'"
                            % service.host, 0.5)

    def _wait_until_down(self, service):
        """Seconds until Nova reported ``service`` down, None on timeout."""
        host_name = service.host
        clock = compute_service.DOWN_CLOCK
        left = clock.seconds_until_down(service)
        if left is not None:
            self.update_details(
                "Nova last heard from the compute service on host '%s' at "
                '%s; with a service_down_time of %.0fs (%s) it reports the '
                'service down in about %.0fs'
                % (host_name, service.updated_at.isoformat(),
                   clock.service_down_time,
                   'as last seen' if clock.learnt else "Nova's default",
                   max(left, 0.0)), 0.55)
        timeout = CONF.wait_period_after_service_update
        self.update_details("Waiting up to %ss for Nova to report the compute "
                            "service on host '%s' down" % (timeout, host_name),
                            0.6)
        started = timeutils.utcnow()
        try:
            waiting.wait_for(
                lambda: self.novaclient.is_service_down(self.context,
                                                        host_name),
                timeout, what='compute service of %s down' % host_name)
        except waiting.WaitTimeout:
            return None
        clock.seen_down(service)
        return (timeutils.utcnow() - started).total_seconds()

    def _confirm_disabled(self, host_name, disabler):
        how = disabler.confirm()
        self.update_details("Disabled compute service on host '%s'%s"
                            % (host_name, {
                                'answered': '',
                                'stored': ' (stored; Nova has not answered '
                                          'yet)',
                                'again': ' (sent again)'}[how]), 0.8)


class PrepareHAEnabledInstancesTask(base.MasakariTask):
    """List the failed host's servers and record one evacuation for each
    that is to be evacuated (an earlier attempt's records are reused)."""

    def execute(self, host_name, notification_uuid):
        self.update_details("Preparing instances for evacuation from host "
                            "'%s'" % host_name, 0.0)
        servers = self.novaclient.get_servers(self.context, host_name)
        pacing.RECENT_LISTINGS.remember(notification_uuid, host_name,
                                        servers)
        conf = CONF.host_failure
        ha_key = conf.ha_enabled_instance_metadata_key
        selected, skipped = planning.select_instances(
            servers, ha_key, conf.evacuate_all_instances,
            conf.ignore_instances_in_error_state,
            exclusions=selection.Exclusions.from_conf(),
            priority_key=conf.priority_metadata_key)
        self.update_details("Found %d instance(s) on host '%s'"
                            % (len(servers), host_name), 0.2)
        for server, reason in skipped:
            self.update_details("Skipping instance '%s' (%s): %s"
                                % (server.id, server.name, reason), 0.3)
        # One line for all of them, not one each: a host of hundreds of
        # servers would log and save hundreds before the first evacuation.
        not_ha = [server.id for server in selected
                  if not server.metadata_flag(ha_key)]
        if not_ha:
            self.update_details('%d instance(s) not HA-enabled will be '
                                'evacuated too (evacuate_all_instances is '
                                'true): %s' % (len(not_ha), ', '.join(not_ha)),
                                0.5)
        left_before = records.record_selected(notification_uuid, host_name,
                                              selected)
        if not selected and not left_before:
            message = ("Skipped host '%s' recovery: no instances to "
                       'evacuate' % host_name)
            self.update_details(message, 1.0)
            raise exception.SkipHostRecoveryException(message=message)
        self.update_details('%d instance(s) to evacuate: %s'
                            % (len(selected),
                               ', '.join(s.id for s in selected) or '-'),
                            1.0)


class EvacuateInstancesTask(base.MasakariTask):
    """Evacuate the notification's unfinished servers (to
    ``reserved_host`` when given), several at a time: see
    ``masakari.engine.evacuation.run``."""

    def execute(self, host_name, notification_uuid, reserved_host=None):
        if not reserved_host:
            return self._evacuate(host_name, notification_uuid, None)
        with reserved.claimed(reserved_host):
            reserved.prepare(self, host_name, reserved_host)
            return self._evacuate(host_name, notification_uuid,
                                  reserved_host)

    def _evacuate(self, host_name, notification_uuid, target):
        conf = CONF.host_failure
        wait = bool(conf.wait_for_higher_priority_segments) and (
            selection.waits_for_higher_priority(
                ha_hosts.segment_of(host_name)))
        run.HostEvacuation(
            self, host_name, records.unfinished(notification_uuid),
            target=target, priority_key=conf.priority_metadata_key,
            wait_by_priority=wait, notification_uuid=notification_uuid).run()
        self.check_lease()
        failed = records.failed_instances(notification_uuid)
        if failed:
            message = ("Failed to evacuate instances '%s' from host '%s'"
                       % (','.join(failed), host_name))
            self.update_details(message, 1.0)
            raise exception.HostRecoveryFailureException(message=message)
        self.update_details('Evacuation process completed!', 1.0)
