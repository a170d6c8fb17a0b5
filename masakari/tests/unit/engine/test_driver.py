"""recovery_workflow_details from a taskflow logbook."""

from taskflow import exceptions as tf_exc
from taskflow.persistence import models
from taskflow.types import failure

from masakari.engine import driver
from masakari import exception


def _atom(name, state, details=None, progress=1.0):
    atom = models.TaskDetail(name, uuid=name + '-uuid')
    atom.state = state
    if details is not None:
        atom.meta = {'progress': progress, 'progress_details': {
            'at_progress': progress,
            'details': {'progress_details': details}}}
    return atom


def _flow(name, attempt, seq, atoms, tasks=None):
    flow = models.FlowDetail(name, uuid='%s-%d-%d' % (name, attempt, seq))
    flow.meta = {'attempt': attempt, 'seq': seq,
                 'tasks': tasks or [a.name for a in atoms]}
    for atom in atoms:
        flow.add(atom)
    return flow


def _detail(message, progress):
    return {'timestamp': '2026-01-01 00:00:00.000001', 'message': message,
            'progress': progress}


def test_latest_attempt_in_run_order_with_string_values():
    book = models.LogBook('instance:recovery', uuid='n1')
    book.add(_flow('f', 1, 1, [_atom('A', 'REVERTED', [_detail('old', 0)])]))
    book.add(_flow('f', 2, 2, [
        _atom('B', 'SUCCESS', [_detail('b', 1.0)]),
        _atom('retry', 'SUCCESS'),
        _atom('A', 'SUCCESS', [_detail('a0', 0), _detail('a1', 1)])],
        tasks=['A', 'retry', 'B']))
    book.add(_flow('g', 2, 1, [_atom('C', 'REVERTED', [_detail('c', 0.5)],
                                     progress=0.5)]))
    entries = driver.workflow_details(book)
    assert [e['name'] for e in entries] == ['C', 'A', 'B']
    assert entries[0] == {
        'name': 'C', 'state': 'REVERTED', 'progress': 0.5,
        'progress_details': [{'timestamp': '2026-01-01 00:00:00.000001',
                              'message': 'c', 'progress': '0.5'}]}
    assert [d['progress'] for d in entries[1]['progress_details']] == [
        '0.0', '1.0']


def test_empty_logbook():
    assert driver.workflow_details(models.LogBook('x', uuid='n')) == []


def test_unwrap_prefers_recovery_failures():
    def capture(exc):
        try:
            raise exc
        except Exception:
            return failure.Failure()

    wrapped = tf_exc.WrappedFailure([
        capture(ValueError('x')),
        capture(exception.HostRecoveryFailureException(message='real'))])
    assert driver._unwrap(wrapped).message == 'real'
    plain = ValueError('y')
    assert driver._unwrap(plain) is plain
