"""Instance failure: power the failed instance off, then on again.

Flow store: ``instance_uuid`` and ``notification_uuid``. Each task looks at
the server's current state first, so re-running the flow (a retry) only
does what is still needed.
"""

from oslo_log import log as logging

from masakari.conf import CONF
from masakari.engine.tasks import base
from masakari.engine import waiting
from masakari import exception

LOG = logging.getLogger(__name__)

# vm_states an instance-failure recovery must not touch.
UNTOUCHABLE_VM_STATES = ('paused', 'rescued')


def _wait_for_vm_state(task, instance_uuid, vm_state, timeout):
    last = {}

    def check():
        server = task.novaclient.get_server(task.context, instance_uuid)
        last['server'] = server
        return server.vm_state == vm_state

    try:
        waiting.wait_for(check, timeout,
                         what='instance %s %s' % (instance_uuid, vm_state))
    except waiting.WaitTimeout:
        server = last.get('server')
        state = server.vm_state if server else 'unknown'
        message = ("Instance '%s' did not reach vm_state %s within %ss "
                   '(vm_state is %s)' % (instance_uuid, vm_state, timeout,
                                         state))
        task.update_details(message, 1.0)
        raise exception.InstanceRecoveryFailureException(message=message)


class StopInstanceTask(base.MasakariTask):
    """Stop the instance, unless it must not be recovered at all."""

    def execute(self, instance_uuid):
        self.update_details("Stopping instance: '%s'" % instance_uuid, 0.0)
        server = self.novaclient.get_server(self.context, instance_uuid)
        conf = CONF.instance_failure
        if not conf.process_all_instances and not server.metadata_flag(
                conf.ha_enabled_instance_metadata_key):
            message = ("Skipping recovery of instance '%s': it is not "
                       'HA-enabled (metadata %s) and [instance_failure] '
                       'process_all_instances is false'
                       % (instance_uuid,
                          conf.ha_enabled_instance_metadata_key))
            self.update_details(message, 1.0)
            raise exception.SkipInstanceRecoveryException(message=message)
        if server.vm_state in UNTOUCHABLE_VM_STATES:
            message = ("Ignoring recovery of instance '%s': it is %s"
                       % (instance_uuid, server.vm_state))
            self.update_details(message, 1.0)
            raise exception.IgnoreInstanceRecoveryException(message=message)
        if server.vm_state != 'stopped':
            if server.vm_state == 'resized':
                self.update_details("Resetting resized instance '%s' to "
                                    'active before stopping it'
                                    % instance_uuid, 0.2)
                self.novaclient.reset_instance_state(
                    self.context, instance_uuid, 'active')
            try:
                self.novaclient.stop_server(self.context, instance_uuid)
            except exception.Conflict as exc:
                # Nova refuses to stop a stopped (or stopping) instance.
                current = self.novaclient.get_server(self.context,
                                                     instance_uuid)
                if current.vm_state != 'stopped' and current.task_state != (
                        'powering-off'):
                    raise exception.InstanceRecoveryFailureException(
                        message="Cannot stop instance '%s': %s"
                                % (instance_uuid, exc.message))
        else:
            self.update_details("Instance '%s' is already stopped"
                                % instance_uuid, 0.5)
        _wait_for_vm_state(self, instance_uuid, 'stopped',
                           CONF.wait_period_after_power_off)
        self.update_details("Stopped instance: '%s'" % instance_uuid, 1.0)


class StartInstanceTask(base.MasakariTask):
    """Start the stopped instance."""

    def execute(self, instance_uuid):
        self.update_details("Starting instance: '%s'" % instance_uuid, 0.0)
        server = self.novaclient.get_server(self.context, instance_uuid)
        if server.vm_state == 'stopped':
            self.novaclient.start_server(self.context, instance_uuid)
        elif server.vm_state == 'active':
            self.update_details("Instance '%s' is already active"
                                % instance_uuid, 0.5)
        else:
            message = ("Invalid state for instance '%s': expected stopped, "
                       'found %s' % (instance_uuid, server.vm_state))
            self.update_details(message, 1.0)
            raise exception.InstanceRecoveryFailureException(message=message)
        self.update_details("Instance started: '%s'" % instance_uuid, 1.0)


class ConfirmInstanceActiveTask(base.MasakariTask):
    """Wait until the instance is active again."""

    def execute(self, instance_uuid):
        self.update_details("Confirming instance '%s' vm_state is ACTIVE"
                            % instance_uuid, 0.0)
        _wait_for_vm_state(self, instance_uuid, 'active',
                           CONF.wait_period_after_power_on)
        self.update_details("Confirmed instance '%s' vm_state is ACTIVE"
                            % instance_uuid, 1.0)
