"""The watcher that wakes evacuation waiters when Nova's record ends."""

import threading
import time

from masakari.compute import resources
from masakari.engine.evacuation import confirm
from masakari.engine.evacuation import listener
from masakari.engine.evacuation import nova_events
from masakari.engine.evacuation import watcher as evacuation_watcher

# Long enough that a waiter nobody wakes is obviously not woken.
LONG = 30.0


class FakeNova:
    """Nova's evacuation records of one host, changed by the test."""

    def __init__(self, records=()):
        self.records = list(records)
        self.calls = 0
        self.failures = 0
        self.since = []
        self.lock = threading.Lock()

    def get_evacuations(self, context, source_host, changes_since=None):
        assert source_host == 'c1'
        with self.lock:
            self.calls += 1
            self.since.append(changes_since)
            if self.failures:
                self.failures -= 1
                raise RuntimeError('Nova is down')
            return list(self.records)

    def finish(self, record_id, server_id, status='done'):
        with self.lock:
            self.records = [r for r in self.records if r.id != record_id]
            self.records.append(resources.Evacuation(record_id, server_id,
                                                status))


def record(record_id, server_id, status):
    return resources.Evacuation(record_id, server_id, status)


def sleep_in_thread(sleep, seconds=LONG):
    """Run ``sleep(seconds)`` in a thread; return it and its end time."""
    ended = []
    thread = threading.Thread(
        target=lambda: (sleep(seconds), ended.append(time.monotonic())))
    thread.start()
    return thread, ended


def watcher(fake):
    return evacuation_watcher.Watcher(fake, 'ctx', 'c1', interval=0.01)


def test_a_record_that_ends_wakes_the_waiter_of_its_server():
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating'),
                     record(2, 'vm-b', 'pre-migrating')])
    with watcher(fake) as watch:
        thread_a, ended_a = sleep_in_thread(watch.sleep_for('vm-a'))
        thread_b, ended_b = sleep_in_thread(watch.sleep_for('vm-b'))
        fake.finish(1, 'vm-a')
        thread_a.join(LONG / 3)
        assert ended_a, 'the waiter of vm-a was not woken'
        assert not ended_b, 'vm-b was woken though its record goes on'
        fake.finish(2, 'vm-b', 'failed')
        thread_b.join(LONG / 3)
        assert ended_b, 'a failed record must wake its waiter too'
        assert watch.ended_status('vm-a') == 'done'
        assert watch.ended_status('vm-b') == 'failed'


def test_records_that_ended_before_the_recovery_wake_nobody():
    # vm-a was evacuated from c1 once before; its old record is done.
    fake = FakeNova([record(1, 'vm-a', 'done')])
    with watcher(fake) as watch:
        started = time.monotonic()
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'), 0.5)
        thread.join(LONG / 3)
        assert fake.calls > 2, 'the watcher did not poll'
        assert watch.ended_status('vm-a') is None
        # The sleep ran its full length: the old record woke nobody.
        assert ended[0] - started >= 0.5
        sleep = watch.sleep_for('vm-a')
        fake.finish(2, 'vm-a')
        thread, ended = sleep_in_thread(sleep)
        thread.join(LONG / 3)
        assert ended, 'the new record of vm-a did not wake it'


def test_a_record_that_ends_before_the_wait_ends_the_wait_at_once():
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating')])
    with watcher(fake) as watch:
        sleep = watch.sleep_for('vm-a')
        fake.finish(1, 'vm-a')
        # Let the watcher see it while nobody sleeps...
        thread, _ = sleep_in_thread(watch.sleep_for('vm-other'), 0.3)
        thread.join(LONG / 3)
        # ...then the waiter's next sleep returns at once.
        thread, ended = sleep_in_thread(sleep)
        thread.join(LONG / 3)
        assert ended


def test_no_polling_while_nobody_waits():
    fake = FakeNova()
    with watcher(fake) as watch:
        time.sleep(0.2)
        assert fake.calls == 1, 'only the listing at the start'
        thread, _ = sleep_in_thread(watch.sleep_for('vm-a'), 0.2)
        thread.join(LONG / 3)
        polled = fake.calls
        assert polled > 2
        time.sleep(0.2)
        assert fake.calls <= polled + 1


def test_a_failing_listing_leaves_the_waiters_to_their_own_polling():
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating')])
    fake.failures = 3
    with watcher(fake) as watch:
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'))
        # Polling goes on through the failures; once Nova answers again
        # the ended record wakes the waiter.
        fake.finish(1, 'vm-a')
        thread.join(LONG / 3)
        assert ended
        assert fake.failures == 0


def test_while_nothing_would_wake_a_waiter_its_sleeps_stay_short():
    # The listing fails and no event comes: a waiter asking for a long
    # sleep gets the unwatched interval, so its own reads go on.
    fake = FakeNova()
    fake.failures = 1000
    with evacuation_watcher.Watcher(fake, 'ctx', 'c1', interval=0.01,
                                    unwatched_interval=0.1) as watch:
        started = time.monotonic()
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'))
        thread.join(LONG / 3)
        assert not watch.working
        assert ended and ended[0] - started < LONG / 6


def test_after_a_record_ends_the_waiter_looks_again_soon():
    # A waiter that found its server not moved yet after the wake-up
    # looks again after 0.05, 0.1... s, not after its long interval.
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating')])
    with watcher(fake) as watch:
        sleep = watch.sleep_for('vm-a')
        fake.finish(1, 'vm-a')
        sleep(LONG)  # the wake-up itself
        thread, ended = sleep_in_thread(sleep)
        thread.join(LONG / 3)
        assert ended, 'the follow-up sleep was not short'


class FakeNovaWithServer(FakeNova):
    """Also answers reads of one server, already moved to c2."""

    def __init__(self):
        super().__init__()
        self.reads = 0

    def get_server(self, context, server_id):
        self.reads += 1
        return resources.Server(id=server_id, host='c2', vm_state='active')


def test_a_waiter_nobody_wakes_still_reads_its_server_seldom(conf):
    # The listing works but never shows the record (a missed wake-up):
    # the waiter reads on its own after watched_evacuation_poll_interval.
    conf.set_override('watched_evacuation_poll_interval', 1.5,
                      'host_failure')
    nova = FakeNovaWithServer()
    asked = resources.Server(id='vm-a', host='c1', vm_state='active',
                             task_state='rebuilding')
    with watcher(nova) as watch:
        started = time.monotonic()
        server = confirm.wait_for_evacuation(nova, 'ctx', asked, 'c1',
                                             'active', watch)
        waited = time.monotonic() - started
    assert server.host == 'c2'
    assert nova.reads == 1, 'read before its interval'
    # Not after verify_interval (1 s), as before the option.
    assert 1.5 <= waited < LONG / 3


def test_leaving_stops_the_poller_even_with_waiters():
    fake = FakeNova()
    with watcher(fake) as watch:
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'), 0.5)
    calls = fake.calls
    thread.join(LONG / 3)
    time.sleep(0.1)
    assert fake.calls == calls


def test_after_the_first_listing_only_recent_records_are_asked_for():
    fake = FakeNova([
        resources.Evacuation(1, 'vm-a', 'done', '2026-11-27T10:00:00.000000'),
        resources.Evacuation(2, 'vm-b', 'pre-migrating',
                        '2026-11-27T10:05:30.250000')])
    with watcher(fake) as watch:
        thread, _ = sleep_in_thread(watch.sleep_for('vm-b'), 0.2)
        thread.join(LONG / 3)
    assert fake.since[0] is None
    # The newest update seen, less the overlap.
    assert set(fake.since[1:]) == {'2026-11-27T10:05:28.250000'}


def test_without_a_first_listing_ended_statuses_are_not_trusted():
    # The first listing fails, so vm-a's old failed record is not known as
    # old: it may wake its waiter, but must not pass for this evacuation.
    fake = FakeNova([record(1, 'vm-a', 'failed')])
    fake.failures = 1
    with watcher(fake) as watch:
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'))
        thread.join(LONG / 3)
        assert ended, 'the waiter was not woken'
        assert watch.ended_status('vm-a') is None


# --- Nova's events (evacuation.listener) ---------------------------------

def nova_event(server_id, event_type='instance.rebuild.end'):
    return nova_events.parse(event_type,
                             {'nova_object.data': {'uuid': server_id}})


def watcher_with_events(fake, subscribers, interval=LONG,
                        event_interval=LONG, servers=('vm-a', 'vm-b')):
    return evacuation_watcher.Watcher(
        fake, 'ctx', 'c1', interval=interval, events=subscribers,
        server_ids=servers, event_interval=event_interval)


def test_an_ending_event_wakes_its_waiter_before_any_listing():
    # The listing would wake nobody for LONG: only the event can.
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating'),
                     record(2, 'vm-b', 'pre-migrating')])
    subscribers = listener.Subscribers()
    with watcher_with_events(fake, subscribers) as watch:
        thread_a, ended_a = sleep_in_thread(watch.sleep_for('vm-a'))
        thread_b, ended_b = sleep_in_thread(watch.sleep_for('vm-b'))
        subscribers.deliver(nova_event('vm-a'))
        subscribers.deliver(nova_event('vm-b', 'instance.rebuild.error'))
        thread_a.join(LONG / 3)
        thread_b.join(LONG / 3)
        assert ended_a and ended_b, 'the events did not wake the waiters'
        assert watch.ended_status('vm-a') == 'done'
        assert watch.ended_status('vm-b') == 'failed'
        assert watch.wakeups == {'event': 2}


def test_events_about_other_servers_wake_nobody():
    subscribers = listener.Subscribers()
    with watcher_with_events(FakeNova(), subscribers) as watch:
        subscribers.deliver(nova_event('vm-elsewhere'))
        thread, ended = sleep_in_thread(watch.sleep_for('vm-a'), 0.3)
        thread.join(LONG / 3)
        assert watch.ended_status('vm-elsewhere') is None
        assert not watch.events_flow
    # Leaving ends the subscription.
    subscribers.deliver(nova_event('vm-a'))
    assert watch.ended_status('vm-a') is None
    assert subscribers.woken == {}


def test_once_events_flow_the_listing_slows_down():
    fake = FakeNova([record(1, 'vm-a', 'pre-migrating')])
    subscribers = listener.Subscribers()
    with watcher_with_events(fake, subscribers, interval=0.01) as watch:
        thread, _ = sleep_in_thread(watch.sleep_for('vm-a'), 0.2)
        thread.join(LONG / 3)
        assert fake.calls > 3, 'polls fast without events'
        subscribers.deliver(nova_event('vm-a', 'instance.evacuate'))
        assert watch.events_flow
        calls = fake.calls
        thread, _ = sleep_in_thread(watch.sleep_for('vm-b'), 0.3)
        thread.join(LONG / 3)
        # At most the poll already under way: the next is LONG away.
        assert fake.calls <= calls + 1


def test_events_keep_a_watcher_working_when_the_listing_fails():
    fake = FakeNova()
    fake.failures = 1000
    subscribers = listener.Subscribers()
    with watcher_with_events(fake, subscribers) as watch:
        assert not watch.working
        subscribers.deliver(nova_event('vm-a', 'instance.rebuild.start'))
        assert watch.working


def test_after_an_event_the_waiter_looks_again_soon():
    # rebuild.end comes before Nova moves the server's host: the waiter's
    # next sleeps are short, not its usual interval.
    subscribers = listener.Subscribers()
    with watcher_with_events(FakeNova(), subscribers) as watch:
        sleep = watch.sleep_for('vm-a')
        subscribers.deliver(nova_event('vm-a'))
        sleep(LONG)  # the wake-up itself
        thread, ended = sleep_in_thread(sleep)
        thread.join(LONG / 3)
        assert ended, 'the follow-up sleep was not short'


def test_a_new_request_forgets_what_ended_before():
    subscribers = listener.Subscribers()
    with watcher_with_events(FakeNova(), subscribers) as watch:
        sleep = watch.sleep_for('vm-a')
        subscribers.deliver(nova_event('vm-a', 'instance.rebuild.error'))
        watch.forget('vm-a')
        assert watch.ended_status('vm-a') is None
        started = time.monotonic()
        thread, ended = sleep_in_thread(sleep, 0.3)
        thread.join(LONG / 3)
        assert ended[0] - started >= 0.3, 'woken by the old event'
