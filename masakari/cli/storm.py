"""``openstack storm brake list|release|cancel`` (microversion 1.6)."""

from osc_lib.command import command

from masakari.cli import api

MICROVERSION = '1.6'
COLUMNS = ('Segment', 'Segment name', 'Hosts', 'Held notifications')


def _client(app):
    return app.client_manager.instance_ha_ops


class ListStormBrakes(command.Lister):
    """List the segments whose storm brake holds host failures."""

    def take_action(self, parsed_args):
        brakes = api.send(_client(self.app), 'GET', '/storm_brakes',
                          MICROVERSION)['storm_brakes']
        return COLUMNS, [
            (b['segment_uuid'], b['segment_name'], ', '.join(b['hosts']),
             ', '.join(n['notification_uuid'] for n in b['notifications']))
            for b in brakes]


class _Settle(command.Lister):
    action = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('segment', metavar='<segment>',
                            help='UUID of the segment.')
        parser.add_argument('--notification', metavar='<uuid>',
                            action='append', dest='notifications',
                            help='Only this held notification (repeat for '
                                 'more).')
        return parser

    def _body(self, parsed_args):
        body = {}
        if parsed_args.notifications:
            body['notifications'] = parsed_args.notifications
        return body

    def take_action(self, parsed_args):
        answer = api.send(
            _client(self.app), 'POST',
            '/storm_brakes/%s/action' % parsed_args.segment, MICROVERSION,
            {self.action: self._body(parsed_args)})['storm_brake']
        return ('Notification', 'Status', 'Message'), [
            (n['notification_uuid'], n['status'], n['message'])
            for n in answer['notifications']]


class ReleaseStormBrake(_Settle):
    """Recover the host failures a segment's storm brake holds."""

    action = 'release'


class CancelStormBrake(_Settle):
    """End the held host failures of a segment without recovering them."""

    action = 'cancel'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--reason', metavar='<text>', required=True,
                            help='Why they are cancelled (kept in their '
                                 'message).')
        return parser

    def _body(self, parsed_args):
        return dict(super()._body(parsed_args), reason=parsed_args.reason)
