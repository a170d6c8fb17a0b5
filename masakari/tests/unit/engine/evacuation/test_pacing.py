"""Slots and the server snapshot that pace a large host recovery."""

import threading

from masakari.compute import resources
from masakari.engine.evacuation import pacing

JOIN = 10.0


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc_info):
        with self.lock:
            self.now -= 1


def test_size_servers_in_nova_and_size_more_preparing():
    slots = pacing.Slots(2)
    preparing, in_nova = Counter(), Counter()
    release = threading.Event()

    def one_server():
        with slots.server():
            with preparing:
                pass
            with slots.in_nova(), in_nova:
                release.wait(JOIN)

    threads = [threading.Thread(target=one_server) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(JOIN)
    assert not any(thread.is_alive() for thread in threads)
    assert in_nova.most == 2
    assert preparing.most <= 2


def test_a_server_in_nova_lets_the_next_one_prepare():
    slots = pacing.Slots(1)
    first_in_nova, second_prepared = threading.Event(), threading.Event()
    release = threading.Event()

    def first():
        with slots.server(), slots.in_nova():
            first_in_nova.set()
            release.wait(JOIN)

    def second():
        first_in_nova.wait(JOIN)
        with slots.server():
            second_prepared.set()
            with slots.in_nova():
                pass

    threads = [threading.Thread(target=first),
               threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # The second server got ready while the first one is still in Nova.
    assert second_prepared.wait(JOIN)
    release.set()
    for thread in threads:
        thread.join(JOIN)


def test_a_server_that_fails_before_nova_frees_its_preparation_slot():
    slots = pacing.Slots(1)
    for _ in range(3):
        try:
            with slots.server():
                raise RuntimeError('read failed')
        except RuntimeError:
            pass
    acquired = threading.Event()

    def later():
        with slots.server(), slots.in_nova():
            acquired.set()

    thread = threading.Thread(target=later)
    thread.start()
    thread.join(JOIN)
    assert acquired.is_set()


def server(server_id):
    return resources.Server(id=server_id, host='c1')


def test_snapshot_hands_out_each_listed_server_once():
    snapshot = pacing.ServerSnapshot([server('a'), server('b')])
    assert snapshot.take('a') == server('a')
    assert snapshot.take('a') is None
    assert snapshot.take('unlisted') is None
    assert snapshot.take('b') == server('b')


def test_an_old_snapshot_is_not_acted_on():
    now = [1000.0]
    snapshot = pacing.ServerSnapshot([server('a'), server('b')],
                                                clock=lambda: now[0])
    assert snapshot.take('a') == server('a')
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert snapshot.take('b') is None


class Listing:
    """A host listing that counts its calls (and can fail)."""

    def __init__(self, *names, error=None):
        self.names = list(names)
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return [server(name) for name in self.names]


def test_an_old_snapshot_lists_the_host_again_once():
    now = [1000.0]
    relist = Listing('b', 'c', 'a')
    snapshot = pacing.ServerSnapshot([server('a'), server('b'),
                                      server('c')],
                                     clock=lambda: now[0], relist=relist)
    assert snapshot.take('a') == server('a')
    assert relist.calls == 0  # fresh: no listing
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert snapshot.take('b') == server('b')
    assert snapshot.take('c') == server('c')
    assert relist.calls == 1
    # Handed out before the new listing: not handed out again.
    assert snapshot.take('a') is None
    assert snapshot.listed() == {}


def test_a_server_gone_from_the_new_listing_is_read_by_its_taker():
    now = [1000.0]
    relist = Listing('b')
    snapshot = pacing.ServerSnapshot([server('a'), server('b')],
                                     clock=lambda: now[0], relist=relist)
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert snapshot.take('a') is None
    assert snapshot.take('b') == server('b')
    assert relist.calls == 1


def test_a_failed_listing_leaves_each_server_to_be_read_for_a_while():
    now = [1000.0]
    relist = Listing(error=RuntimeError('Nova is down'))
    snapshot = pacing.ServerSnapshot([server('a'), server('b'),
                                      server('c')],
                                     clock=lambda: now[0], relist=relist)
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert snapshot.take('a') is None
    assert snapshot.take('b') is None
    assert relist.calls == 1  # not again at once for every server
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    relist.error = None
    relist.names = ['c']
    assert snapshot.take('c') == server('c')
    assert relist.calls == 2


def test_threads_waiting_on_an_old_snapshot_share_one_listing():
    now = [1000.0]
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_listing():
        calls.append(1)
        started.set()
        release.wait(JOIN)
        return [server(name) for name in 'abcd']

    snapshot = pacing.ServerSnapshot([], clock=lambda: now[0],
                                     taken_at=now[0] - 10,
                                     relist=slow_listing)
    taken = {}

    def take(name):
        taken[name] = snapshot.take(name)

    threads = [threading.Thread(target=take, args=(name,))
               for name in 'abcd']
    threads[0].start()
    assert started.wait(JOIN)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(JOIN)
    assert calls == [1]
    assert taken == {name: server(name) for name in 'abcd'}


def test_leaving_nova_early_hands_the_slot_on_once():
    slots = pacing.Slots(1)
    entered = threading.Event()
    with slots.server(), slots.in_nova() as leave:
        leave()
        leave()  # and again when the block ends: no second release

        def next_server():
            with slots.server(), slots.in_nova():
                entered.set()

        other = threading.Thread(target=next_server)
        other.start()
        # The slot is free while this server still confirms its outcome.
        assert entered.wait(JOIN)
        other.join(JOIN)
    # Exactly one slot: a second holder would not get in while one holds it.
    with slots.in_nova():
        assert not slots._in_nova.acquire(blocking=False)


def test_a_recent_listing_is_handed_to_the_next_evacuation_once():
    now = [1000.0]
    listings = pacing.RecentListings(clock=lambda: now[0])
    listings.remember('n1', 'c1', [server('a'), server('b')])
    now[0] += 1.0
    snapshot = listings.take('n1', 'c1')
    assert snapshot.listed() == {'a': server('a'), 'b': server('b')}
    assert listings.take('n1', 'c1') is None
    # Its age counts from the listing, not from the hand-over.
    now[0] += pacing.SNAPSHOT_MAX_AGE - 0.5
    assert snapshot.take('a') is None


def test_a_recent_listing_is_listed_again_with_its_relist():
    now = [1000.0]
    listings = pacing.RecentListings(clock=lambda: now[0])
    listings.remember('n1', 'c1', [server('a')])
    relist = Listing('a')
    snapshot = listings.take('n1', 'c1', relist=relist)
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert snapshot.take('a') == server('a')
    assert relist.calls == 1


def test_a_listing_too_old_or_of_another_recovery_is_not_handed_out():
    now = [1000.0]
    listings = pacing.RecentListings(clock=lambda: now[0])
    listings.remember('n1', 'c1', [server('a')])
    assert listings.take('n1', 'c2') is None
    assert listings.take('n2', 'c1') is None
    now[0] += pacing.SNAPSHOT_MAX_AGE + 0.1
    assert listings.take('n1', 'c1') is None
    # A listing nobody took is dropped once it is too old.
    listings.remember('n3', 'c3', [server('b')])
    assert list(listings._listings) == [('n3', 'c3')]
