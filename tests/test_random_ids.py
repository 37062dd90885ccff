"""bot.random_ids: ids from a buffer of urandom bytes, unique across batches, threads and forks."""

from __future__ import annotations

import os
import re
import threading
import warnings

from bot.random_ids import RandomIds, hex_id


def test_an_id_is_32_lowercase_hex_digits() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", hex_id())


def test_ids_never_repeat_across_many_batches() -> None:
    ids = RandomIds(batch=8)
    drawn = [ids() for _ in range(5_000)]
    assert len(set(drawn)) == len(drawn)


def test_threads_drawing_at_once_get_different_ids() -> None:
    ids = RandomIds(batch=4)
    drawn: list[list[str]] = [[] for _ in range(8)]

    def draw(into: list[str]) -> None:
        into.extend(ids() for _ in range(2_000))

    threads = [threading.Thread(target=draw, args=(into,)) for into in drawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [i for into in drawn for i in into]
    assert len(set(every)) == len(every) == 16_000


def test_a_forked_child_does_not_hand_out_its_parents_next_ids() -> None:
    ids = RandomIds()
    ids()  # the buffer is filled: the next 255 ids are decided
    read, write = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns of forking with threads: the child only writes and exits
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, ids().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    childs = os.read(read, 64).decode()
    os.close(read)
    assert len(childs) == 32 and childs != ids()
