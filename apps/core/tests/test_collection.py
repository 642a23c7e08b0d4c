"""apps.core.collection: the garbage collector paused around a block, nested or in threads, then as it was."""

import gc
import threading

from apps.core.collection import gc_paused


def test_paused_in_the_block_and_back_after_it_even_on_an_error():
    assert gc.isenabled()
    try:
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer block still runs
            raise KeyError
    except KeyError:
        pass
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_threads_overlapping_leave_it_on_when_the_last_one_ends():
    entered, release = threading.Event(), threading.Event()

    def other():
        with gc_paused():
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        entered.wait(5)
    assert not gc.isenabled()  # the other thread's block still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()
