"""Process failure: nova-compute died on a host; keep new servers away.

Flow store: ``process_name``, ``host_name`` and ``notification_uuid``.
"""

from oslo_log import log as logging

from masakari.conf import CONF
from masakari.engine.tasks import base
from masakari.engine import waiting
from masakari import exception

LOG = logging.getLogger(__name__)


class DisableComputeNodeTask(base.MasakariTask):
    """Disable the service of the failed process, unless already done."""

    def execute(self, process_name, host_name):
        self.update_details("Disabling compute service on host: '%s'"
                            % host_name, 0.0)
        if self.novaclient.is_service_disabled(self.context, host_name,
                                               process_name):
            self.update_details("Skipping, compute service is already "
                                "disabled on host: '%s'" % host_name, 1.0)
            return
        try:
            self.novaclient.enable_disable_service(
                self.context, host_name, enable=False,
                reason=CONF.process_failure.service_disable_reason,
                binary=process_name)
        except exception.NovaUnavailable as exc:
            # Nova may store the disable and answer only after its call to
            # the dead compute timed out; the next task checks the result.
            self.update_details('Nova did not confirm the disable (%s); '
                                'checking its state next' % exc.message, 0.5)
            return
        self.update_details("Disabled compute service on host: '%s'"
                            % host_name, 1.0)


class ConfirmComputeNodeDisabledTask(base.MasakariTask):
    """Wait until Nova reports the service disabled."""

    def execute(self, process_name, host_name):
        self.update_details("Confirming compute service is disabled on "
                            "host: '%s'" % host_name, 0.0)
        timeout = CONF.wait_period_after_service_update
        try:
            waiting.wait_for(
                lambda: self.novaclient.is_service_disabled(
                    self.context, host_name, process_name),
                timeout, what='%s of %s disabled' % (process_name, host_name))
        except waiting.WaitTimeout:
            message = ("Failed to disable the %s service on host '%s' "
                       'within %ss' % (process_name, host_name, timeout))
            self.update_details(message, 1.0)
            raise exception.ProcessRecoveryFailureException(message=message)
        self.update_details("Confirmed compute service is disabled on host: "
                            "'%s'" % host_name, 1.0)
