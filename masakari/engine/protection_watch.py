"""The engine's periodic protection check: tell the operator when a
segment stops absorbing the loss of ``[protection] host_failures`` hosts,
and when it absorbs it again.

``ProtectionWatch.check_all`` runs ``ha.segment_protection`` over every
enabled segment and reports a change of state only: a WARNING log line and
the versioned notification ``segment.protection.lost``, or an INFO line
and ``segment.protection.restored``.

The last state is remembered in memory, per engine. It is derived (every
check recomputes it from Nova), so nothing is lost with it: after a
restart the first check reports a segment that is not protected once more
(an operator should hear it again), and says nothing of a protected one.
Keeping it in the database would need a schema change for a value that is
stale a check later; the cost of memory is that each engine running the
check reports on its own, hence the advice to enable it on one engine.

A segment whose check fails (Nova unreachable, too many sets of hosts)
keeps its last state: a failure to look is not a change of protection.
"""

from oslo_log import log as logging

from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari.ha import protection
from masakari.ha import segment_protection
from masakari.metrics import engine as engine_metrics
from masakari import notifications

LOG = logging.getLogger(__name__)


class ProtectionWatch:
    """Remembers whether each segment was protected at the last check."""

    def __init__(self):
        self._protected = {}

    def state(self, segment_uuid):
        """True, False, or None when not (or no longer) known."""
        return self._protected.get(segment_uuid)

    def check_all(self, context=None, novaclient=None):
        """Check every enabled segment; returns ``{segment uuid: Report}``
        of those checked."""
        context = context or masakari_context.get_admin_context()
        reports = {}
        live = set()
        for segment in db_api.segment_get_all():
            if not segment.enabled:
                # Its failures are not recovered: nothing to protect.
                continue
            live.add(segment.uuid)
            report = self._check(context, segment, novaclient)
            if report is not None:
                reports[segment.uuid] = report
                self._remember(context, segment, report)
        for uuid in set(self._protected) - live:
            del self._protected[uuid]
            engine_metrics.forget_segment(uuid)
        return reports

    def _check(self, context, segment, novaclient):
        try:
            return segment_protection.check_segment(context, segment,
                                                    novaclient=novaclient)
        except protection.TooManyFailureSets as exc:
            LOG.warning('Protection of segment %s (%s) not checked: %s',
                        segment.name, segment.uuid, exc)
        except Exception:
            LOG.exception('Protection of segment %s (%s) could not be '
                          'checked', segment.name, segment.uuid)
        return None

    def _remember(self, context, segment, report):
        before = self._protected.get(segment.uuid)
        self._protected[segment.uuid] = report.protected
        engine_metrics.segment_protected(segment, report.protected)
        if report.protected == before or (before is None and
                                          report.protected):
            return
        if report.protected:
            LOG.info('Segment %s (%s) is protected again: the loss of any '
                     '%d host(s) can be absorbed', segment.name,
                     segment.uuid, report.host_failures)
        else:
            LOG.warning('Segment %s (%s) is not protected: %s',
                        segment.name, segment.uuid, why_not(report))
        notifications.notify_segment_protection(context, segment, report)


def why_not(report):
    """One line saying which losses are not absorbed, and what would not
    fit."""
    if not report.failed_sets:
        return 'nothing was checked: %s' % '; '.join(report.warnings)
    sets = [' + '.join(outcome.failed) for outcome in report.failed_sets]
    ids = sorted({item.instance.id for outcome in report.failed_sets
                  for item in outcome.unplaced})
    return ('the loss of %s would leave instances without a host (%s)'
            % (_first(sets, 5, 'set(s)'), _first(ids, 10, 'instance(s)')))


def _first(items, count, noun):
    shown = ', '.join(items[:count])
    if len(items) > count:
        shown += ' and %d more %s' % (len(items) - count, noun)
    return shown
