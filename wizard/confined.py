"""Reading a stranger's file in a child process that can only spend so much.

A PDF is a program's input written by whoever sent it: a file of a few megabytes can hold a
million tiny objects, an array of millions of entries or a stream that inflates to gigabytes,
and parsing it would then hold a server worker (and, through Python's lock, its other
threads) for seconds or minutes and take gigabytes. So such work runs in a process of its
own, forked from a small server that has already imported what it needs (`multiprocessing`'s
forkserver: a fork costs milliseconds, not an interpreter start), with a limit on its CPU
time and on its memory, and a deadline the parent enforces. Work that reaches a limit has no
answer (`None`), which its caller refuses.

Only bytes come back, never unpickled: the child has read the stranger's file.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing import get_context
from multiprocessing.connection import Connection

# The modules whose functions run here, imported once by the fork server rather than by
# each child. Light: pyHanko and the portal's PDF readers, nothing of the app (importing
# `wizard` imports Flask's class only). A child also imports the program's main script again
# (`multiprocessing` prepares it as the main program's): gunicorn's is light (under it, a
# genuine receipt is checked in about 55 ms, 10 ms of which is the check); a script that
# imports the app at its top would cost close to a second per child. (Listing "__main__"
# here would not spare it: Python 3.11's fork server passes the main's path under a key it
# does not read.)
PRELOADED = ["wizard.pdf_check", "wizard.receipts.verify"]


class Busy(Exception):
    """As many files as one server process checks at once are being checked, and none came
    free in `WAIT_SECONDS`: the person is asked to try again."""


# How many children one server process runs at once. Each may take its CPU seconds; without a
# cap, files sent together (ten at once to the public /verify page, built to take its 10 s
# each) would share the machine's cores between them and leave the pages waiting. A genuine
# receipt or letter is checked in well under a second: a check waits its turn a while first.
AT_ONCE = 2
WAIT_SECONDS = 10
_slots = threading.BoundedSemaphore(AT_ONCE)


def answer(
    work: Callable[..., Sequence[bytes]],
    args: tuple,
    *,
    sizes: Sequence[int],
    cpu_seconds: int,
    memory_mb: int,
) -> list[bytes] | None:
    """`work(*args)`, a module-level function of a `PRELOADED` module returning one byte
    string per entry of `sizes` (each at most that long), computed in a child process
    limited to `cpu_seconds` of CPU and `memory_mb` beyond what it maps at the start. None if
    it reached a limit or the deadline, or answered something else. Raises `Busy` when the
    process's `AT_ONCE` children are all at work for `WAIT_SECONDS`."""
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise Busy
    try:
        return _answer(work, args, sizes=sizes, cpu_seconds=cpu_seconds, memory_mb=memory_mb)
    finally:
        _slots.release()


def _answer(work, args, *, sizes, cpu_seconds, memory_mb) -> list[bytes] | None:
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_work_in_child, args=(sender, work, args, cpu_seconds, memory_mb), daemon=True
    )
    child.start()
    sender.close()
    # CPU time is the child's own limit; the deadline covers a machine too busy to give it.
    deadline = time.monotonic() + cpu_seconds * 3 + 5
    try:
        parts = []
        for most in sizes:
            if not receiver.poll(max(0.0, deadline - time.monotonic())):
                return None
            parts.append(receiver.recv_bytes(most))
        return parts
    except (EOFError, OSError):  # killed (over its CPU time, out of memory), or too long
        return None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _context():
    # One fork server per server process, started at the first use, with PRELOADED imported.
    context = get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)
    return context


def _work_in_child(sender: Connection, work, args, cpu_seconds: int, memory_mb: int) -> None:
    _limit_self(cpu_seconds, memory_mb)
    try:
        parts = work(*args)
    except MemoryError:
        parts = ()  # no answer: the parent reads the end of the pipe
    for part in parts:
        sender.send_bytes(part)
    sender.close()


def _limit_self(cpu_seconds: int, memory_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # over its time: no core file written
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    try:  # what the process already maps (the interpreter, pyHanko), plus the budget
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the CPU limit and the parent's deadline still hold
        return
    budget = mapped + memory_mb * 1024 * 1024
    _lower(resource.RLIMIT_AS, budget, budget)


def _lower(limit: int, soft: int, hard: int) -> None:
    """Set a limit, within the one the server itself runs under (a container's, say)."""
    _soft, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(limit, (soft, hard))
