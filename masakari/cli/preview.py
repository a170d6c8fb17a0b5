"""``openstack segment host recovery preview``: what a recovery of a host
would do now (API microversion 1.4), changing nothing."""

from osc_lib.command import command

from masakari.cli import api

MICROVERSION = '1.4'


class ShowRecoveryPreview(command.ShowOne):
    """Show what a recovery of a host would do now, without doing it."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('segment', metavar='<segment>',
                            help='Name or ID of the segment')
        parser.add_argument('host', metavar='<host>',
                            help='Name or ID of the host')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.instance_ha_ops
        segment = api.segment_id(client, parsed_args.segment)
        host = api.host_id(client, segment, parsed_args.host)
        body = api.get(client, '/segments/%s/hosts/%s/recovery_preview'
                       % (segment, host), MICROVERSION)['recovery_preview']
        fields = fields_of(body)
        return tuple(fields), tuple(fields.values())


def fields_of(body):
    """The preview as ordered (field, text) pairs."""
    service = body['compute_service']
    fencing = body['fencing']
    return {
        'host': body['host']['name'],
        'segment': body['segment']['name'],
        'recovery_method': body['segment']['recovery_method'],
        'compute_service': '%s, %s%s' % (
            service['status'], service['state'],
            ', forced down' if service['forced_down'] else ''),
        'before_evacuating': service['message'],
        'fencing': _fencing(fencing),
        'targets': '\n'.join(
            '%s%s: %s' % (target['method'],
                          ' (%s)' % ', '.join(target['reserved_hosts'])
                          if target['reserved_hosts'] else '',
                          target['message'])
            for target in body['targets']),
        'evacuation_order': '\n'.join(
            '%d. %s' % (index, ', '.join(
                '%s (%s)' % (item['name'], item['id']) for item in group))
            for index, group in enumerate(body['evacuation_groups'], 1)),
        'skipped': '\n'.join('%s (%s): %s' % (item['name'], item['id'],
                                              item['reason'])
                             for item in body['skipped']),
        'warnings': '\n'.join(body['warnings']),
    }


def _fencing(fencing):
    if fencing['error']:
        return 'cannot fence: %s' % fencing['error']
    if not fencing['fenced_first']:
        return 'not fenced'
    text = 'powered off through %s first' % fencing['driver']
    if fencing.get('kdump_wait_seconds'):
        text += (' (unless a fence_kdump message comes from it within %g s:'
                 ' then not powered off)' % fencing['kdump_wait_seconds'])
    return text
