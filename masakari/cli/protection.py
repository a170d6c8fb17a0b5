"""``openstack segment protection show``: the protection check of a
segment (API microversion 1.5), one row per host."""

from osc_lib.command import command

from masakari.cli import api

MICROVERSION = '1.5'
COLUMNS = ('Host', 'Reserved', 'Target', 'Free (vCPU/MiB/GiB)', 'Instances',
           'Fits', 'Would not fit', 'Reason')


class ShowSegmentProtection(command.Lister):
    """Show whether a segment absorbs the loss of any K of its hosts.

    One row per host: whether it can take evacuated instances, what is
    free on it, and whether the instances the engine would evacuate from
    it fit on the others should it fail (with those that would not, and
    why).
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('segment', metavar='<segment>',
                            help='Name or ID of the segment')
        parser.add_argument('--host-failures', metavar='<K>', type=int,
                            help='Hosts lost at once (default: the '
                                 "API's [protection] host_failures)")
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.instance_ha_ops
        segment = api.segment_id(client, parsed_args.segment)
        params = {}
        if parsed_args.host_failures is not None:
            params['host_failures'] = parsed_args.host_failures
        body = api.get(client, '/segments/%s/protection' % segment,
                       MICROVERSION, params=params)['protection']
        if parsed_args.formatter == 'table':
            self.app.stdout.write(summary(body) + '\n')
        return COLUMNS, [row(host) for host in body['hosts']]


def summary(body):
    """The verdict in one or more lines, above the table."""
    segment = body['segment']
    k = body['host_failures']
    lines = ['Segment %s (%s): %s against the loss of %d host(s)' % (
        segment['name'], segment['recovery_method'],
        'protected' if body['protected'] else 'NOT protected', k)]
    sets = body['failure_sets']['not_absorbed']
    if k > 1 and sets:
        lines.append('Not absorbed: %s' % ', '.join(
            ' + '.join(s['hosts']) for s in sets[:10]) +
            (' and %d more' % (len(sets) - 10) if len(sets) > 10 else ''))
    lines.extend('Warning: %s' % warning for warning in body['warnings'])
    return '\n'.join(lines)


def row(host):
    free = host['free']
    unplaced = host['unplaced']
    return (
        host['name'],
        host['reserved'],
        'yes' if host['target'] else 'no: %s' % host['not_target_reason'],
        '-' if free is None else '%(vcpus)d/%(memory_mb)d/%(disk_gb)d'
                                 % free,
        host['instances'],
        '-' if host['fits'] is None else host['fits'],
        '\n'.join('%s (%s)' % (item['name'], item['id'])
                  for item in unplaced),
        '\n'.join(item['message'] for item in unplaced),
    )
