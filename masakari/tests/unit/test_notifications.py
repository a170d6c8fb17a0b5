"""The senders of versioned notifications: one calling convention."""

import pytest

from masakari import notifications

SENDERS = [
    (notifications.notify_segment_create, 'segment.create', 'masakari-api'),
    (notifications.notify_segment_update, 'segment.update', 'masakari-api'),
    (notifications.notify_segment_delete, 'segment.delete', 'masakari-api'),
    (notifications.notify_host_create, 'host.create', 'masakari-api'),
    (notifications.notify_host_update, 'host.update', 'masakari-api'),
    (notifications.notify_host_delete, 'host.delete', 'masakari-api'),
    (notifications.notify_notification_create, 'notification.create',
     'masakari-api'),
    (notifications.notify_notification_process, 'notification.process',
     'masakari-engine'),
]


@pytest.fixture
def sent(monkeypatch):
    events = []
    monkeypatch.setattr(notifications, 'enabled', lambda: True)
    monkeypatch.setattr(
        notifications, '_emit',
        lambda context, binary, event_type, payload, exception:
            events.append((binary, event_type, exception)))
    return events


@pytest.mark.parametrize('notify,event,binary', SENDERS)
def test_every_sender_takes_context_subject_phase(sent, notify, event,
                                                  binary):
    error = ValueError('boom')
    notify('ctx', {'name': 'x'}, 'start')
    notify('ctx', {'name': 'x'}, 'error', exception=error)
    assert sent == [(binary, event + '.start', None),
                    (binary, event + '.error', error)]
    assert notify.__name__ == 'notify_' + event.replace('.', '_')


def test_unknown_phase_is_refused(sent):
    with pytest.raises(ValueError):
        notifications.notify_host_update('ctx', {}, 'middle')


def test_nothing_is_sent_without_a_driver(monkeypatch):
    monkeypatch.setattr(notifications, 'enabled', lambda: False)
    monkeypatch.setattr(notifications, '_emit', pytest.fail)
    notifications.notify_segment_create('ctx', {}, 'start')


def _recording():
    calls = []

    def notify(context, subject, phase, exception=None):
        calls.append((context, subject, phase, exception))
    return notify, calls


def test_around_sends_start_then_end_about_the_result():
    notify, calls = _recording()
    assert notifications.around(notify, 'ctx', 'before', lambda x: x * 2,
                                21) == 42
    assert calls == [('ctx', 'before', 'start', None),
                     ('ctx', 42, 'end', None)]


def test_around_ends_with_the_subject_when_nothing_is_returned():
    notify, calls = _recording()
    assert notifications.around(notify, 'ctx', 'gone', lambda: None) is None
    assert calls[-1] == ('ctx', 'gone', 'end', None)


def test_around_sends_error_and_reraises():
    notify, calls = _recording()
    error = KeyError('k')

    def fail():
        raise error

    with pytest.raises(KeyError):
        notifications.around(notify, 'ctx', 'subject', fail)
    assert calls == [('ctx', 'subject', 'start', None),
                     ('ctx', 'subject', 'error', error)]
