"""``openstack recovery pause|pause list|resume`` (microversion 1.6)."""

from osc_lib.command import command

from masakari.cli import api

MICROVERSION = '1.6'
COLUMNS = ('ID', 'Segment', 'Reason', 'Created at', 'Held notifications')


def _row(pause):
    return (pause['id'], pause['segment_id'] or '(all)', pause['reason'],
            pause['created_at'], pause['held_notifications'])


def _client(app):
    return app.client_manager.instance_ha_ops


class PauseRecovery(command.ShowOne):
    """Pause automatic recovery of all segments, or of one."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--reason', metavar='<text>', required=True,
                            help='Why (shown in held notifications).')
        parser.add_argument('--segment', metavar='<uuid>',
                            help='Pause only this segment.')
        return parser

    def take_action(self, parsed_args):
        body = {'reason': parsed_args.reason}
        if parsed_args.segment:
            body['segment_id'] = parsed_args.segment
        pause = api.send(_client(self.app), 'POST', '/recovery_pauses',
                         MICROVERSION, {'recovery_pause': body})[
            'recovery_pause']
        return COLUMNS, _row(pause)


class ListRecoveryPauses(command.Lister):
    """List the pauses of automatic recovery in force."""

    def take_action(self, parsed_args):
        pauses = api.send(_client(self.app), 'GET', '/recovery_pauses',
                          MICROVERSION)['recovery_pauses']
        return COLUMNS, [_row(pause) for pause in pauses]


class ResumeRecovery(command.Lister):
    """End a pause; what it held is recovered, oldest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('pause', metavar='<pause-id>',
                            help='ID of the pause.')
        return parser

    def take_action(self, parsed_args):
        resumed = api.send(_client(self.app), 'DELETE',
                           '/recovery_pauses/%s' % parsed_args.pause,
                           MICROVERSION)['resumed_notifications']
        return ('Resumed notification',), [(uuid,) for uuid in resumed]
