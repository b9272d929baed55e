"""Run a reader on an untrusted file in a child process, so a bad file costs a child and
never the server.

python-calamine aborts the whole process (a Rust abort, which Python cannot catch) on a
workbook declaring a cell at XFD1048576; a 1,048,575-row sheet holds gigabytes for
minutes. ``run(fn, *args)`` calls ``fn`` in a child with a memory limit (RLIMIT_AS) and a
wall-clock limit, forwards its ``progress`` calls to the caller, and returns its result,
pickled back. Whatever goes wrong (the child killed by a signal, out of memory, out of
time, or raising) comes back as ``Failed``, whose message is for the clerk. The memory
the child used goes back to the system when it exits.

Children come from a "forkserver": the Streamlit server has threads, so forking it is
unsafe, and a spawned interpreter would import pandas afresh (~1 s). The fork server
imports pandas, python_calamine and the loaders once, then forks each child from
itself: a call costs ~25 ms, plus ~1 s per 100 MB of pickled result.

``fn`` must be a top-level function of an importable module (not ``__main__``). Set
LEDGER_READ_INPROCESS=1 to call it in this process instead, for a debugger.
"""

from __future__ import annotations

import inspect
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import threading
import time
import traceback
from multiprocessing import connection, spawn

MEMORY_MB = 6144  # reading and checking the 20 MB sample peaks at 2.2 GB of address space
SECONDS = 600  # reading and checking the sample took 75 s on a busy two-core machine
PRELOAD = ["loaders", "pandas", "python_calamine", "xlrd", "loaders.primer"]
NAME = "ledger-read"  # children's process name; marks them for _preparation_data
TAIL = 4096  # bytes of the child's stderr kept to tell why it died

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


class Failed(Exception):
    """The child died, ran out of memory or time, or raised; ``str()`` is for the clerk.

    ``kind`` is "memory", "timeout", "crash" or "error"; ``error`` is the exception the
    child raised (when it could be pickled) and ``detail`` its traceback or the last of
    its stderr, for the log."""

    def __init__(self, message: str, kind: str, error: BaseException | None = None, detail: str = ""):
        super().__init__(message)
        self.kind, self.error, self.detail = kind, error, detail

    def __reduce__(self):
        return Failed, (str(self), self.kind, self.error, self.detail)


def warm() -> None:
    """Start the fork server now (it imports pandas and calamine, ~2 s), so that the
    first upload does not wait for it."""
    if os.environ.get("LEDGER_READ_INPROCESS") != "1":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def run(fn, *args, progress=None, memory_mb: int | None = None, seconds: float | None = None,
        name: str | None = None, inprocess: bool | None = None):
    """``fn(*args)`` in a child process, its ``progress(fraction, message)`` calls passed
    to ``progress`` here; ``name`` (a file name) goes into the messages."""
    memory_mb = memory_mb or int(os.environ.get("LEDGER_READ_MEMORY_MB", MEMORY_MB))
    seconds = seconds or float(os.environ.get("LEDGER_READ_SECONDS", SECONDS))
    reading = f"读取文件“{name}”" if name else "读取文件"
    forward = progress is not None and _takes_progress(fn)
    if inprocess if inprocess is not None else os.environ.get("LEDGER_READ_INPROCESS") == "1":
        try:
            return fn(*args, **({"progress": progress} if forward else {}))
        except MemoryError as exc:
            raise Failed(_memory(reading, memory_mb), "memory") from exc
        except Exception as exc:
            raise Failed(_error(reading, type(exc).__name__, str(exc)), "error", exc, traceback.format_exc()) from exc
    if getattr(fn, "__module__", None) == "__main__":
        raise ValueError(f"{fn!r}: a child cannot import __main__; move it to a module")

    with _SLOTS:
        return _run_child(fn, args, forward, progress, memory_mb, seconds, reading)


# Readers at once: each may take MEMORY_MB, and several clerks may upload together.
_SLOTS = threading.BoundedSemaphore(int(os.environ.get("LEDGER_READERS", "2")))


def _run_child(fn, args, forward, progress, memory_mb, seconds, reading):
    results, results_w = _context.Pipe(duplex=False)
    errors, errors_w = _context.Pipe(duplex=False)
    child = _context.Process(target=_child, args=(fn, args, forward, memory_mb, results_w, errors_w),
                             name=f"{NAME}-{getattr(fn, '__name__', 'fn')}", daemon=True)
    stderr = _Stderr(errors)
    try:
        try:
            child.start()
        finally:
            results_w.close()  # the child has its own copies: EOF here means it is gone
            errors_w.close()
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            waits = [results, child.sentinel] + ([errors] if stderr.open else [])
            ready = connection.wait(waits, left) if left > 0 else []
            if not ready:
                raise Failed(f"{reading}超时（{seconds:g}秒），文件可能过大或已损坏：请把数据分成几个文件后再导入",
                             "timeout", detail=stderr.text())
            if errors in ready:
                stderr.read()
            if results in ready:
                try:
                    # Read as it comes (a big result fills the pipe many times over)
                    # while the child writes; waiting for it to exit first would deadlock.
                    message = pickle.loads(results.recv_bytes())
                except EOFError:
                    message = None
                except Exception as exc:  # a result this process cannot unpickle
                    raise Failed(_error(reading, type(exc).__name__, str(exc)), "error", exc, traceback.format_exc()) from exc
                if message is not None and message[0] == "progress":
                    progress(*message[1:])
                    continue
                if message is not None:
                    return _reply(message, reading, memory_mb)
            elif child.sentinel not in ready:
                continue
            # Dead without a word: a signal (a Rust abort, the OOM killer) or os._exit.
            child.join(5)
            while stderr.open and errors.poll(0):
                stderr.read()
            raise _death(child.exitcode, stderr, reading, memory_mb)
    finally:
        if child.is_alive():
            child.kill()
        if child.pid is not None:  # started: reap it, so no process is left behind
            child.join()
            child.close()
        results.close()
        errors.close()


class _Stderr:
    """The child's stderr, passed on to ours (its warnings stay in the server's log);
    its end is kept, and whether it said it ran out of memory."""

    MARKERS = (b"memory allocation of", b"MemoryError", b"std::bad_alloc")

    def __init__(self, conn):
        self.conn, self.tail, self.memory, self.open = conn, b"", False, True

    def read(self) -> None:
        chunk = os.read(self.conn.fileno(), 65536)
        if not chunk:
            self.open = False  # EOF stays readable: stop waiting on it
            return
        sys.stderr.write(chunk.decode("utf-8", "replace"))
        seen = self.tail[-64:] + chunk  # a marker may straddle two reads
        self.memory = self.memory or any(m in seen for m in self.MARKERS)
        self.tail = (self.tail + chunk)[-TAIL:]

    def text(self) -> str:
        return self.tail.decode("utf-8", "replace").strip()


def _child(fn, args, forward, memory_mb, results, errors):
    """The child's whole life: limits, then ``fn``, then one reply."""
    os.dup2(errors.fileno(), 2)  # a Rust abort's last words ("memory allocation of … failed") go to fd 2
    errors.close()
    limit = memory_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort should not write gigabytes of core
    try:  # if the machine runs out of memory anyway, the kernel kills a reader, not the server
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass

    def progress(fraction, message):
        results.send_bytes(pickle.dumps(("progress", fraction, message)))

    try:
        reply = ("ok", fn(*args, **({"progress": progress} if forward else {})))
    except MemoryError:
        reply = ("memory",)
    except BaseException as exc:
        reply = ("error", type(exc).__name__, str(exc), traceback.format_exc(), _picklable(exc))
    try:
        blob = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        blob = pickle.dumps(("memory",))
    except Exception as exc:  # a result that cannot be pickled is the caller's bug
        blob = pickle.dumps(("error", type(exc).__name__, f"结果无法传回：{exc}", traceback.format_exc(), None))
    results.send_bytes(blob)
    results.close()


def _reply(message, reading: str, memory_mb: int):
    if message[0] == "ok":
        return message[1]
    if message[0] == "memory":
        raise Failed(_memory(reading, memory_mb), "memory")
    _, kind, text, trace, error = message
    raise Failed(_error(reading, kind, text), "error", error, trace)


def _death(exitcode: int | None, stderr: _Stderr, reading: str, memory_mb: int) -> Failed:
    # A SIGKILL we did not send is the kernel's OOM killer.
    if stderr.memory or exitcode == -signal.SIGKILL:
        return Failed(_memory(reading, memory_mb), "memory", detail=stderr.text())
    try:
        how = signal.Signals(-exitcode).name if exitcode < 0 else f"退出码{exitcode}"
    except (TypeError, ValueError):
        how = f"退出码{exitcode}"
    return Failed(f"{reading}时程序意外终止（{how}），文件可能已损坏：请在Excel或WPS中打开并另存后再导入", "crash",
                  detail=stderr.text())


def _memory(reading: str, memory_mb: int) -> str:
    return f"{reading}时超出内存上限（{memory_mb:,} MB），文件可能已损坏或过大：请删去多余的行列，或把数据分成几个文件后再导入"


def _error(reading: str, kind: str, text: str) -> str:
    return f"{reading}时出错（{kind}：{text[:300]}）" if text else f"{reading}时出错（{kind}）"


def _takes_progress(fn) -> bool:
    try:
        return "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False


def _picklable(exc: BaseException) -> BaseException | None:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return None


def _preparation_data(name, _original=spawn.get_preparation_data):
    """What multiprocessing sends a child to set itself up, less the caller's __main__.

    A child would otherwise re-run ``__main__`` (``_fixup_main_from_path``), and in a
    Streamlit script thread ``__main__`` is the page script, dashboard.py. ``fn`` comes
    from an importable module, so the child needs no __main__."""
    data = _original(name)
    if name.startswith(NAME):
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
    return data


if not hasattr(spawn.get_preparation_data, "__wrapped_by_isolate__"):
    _preparation_data.__wrapped_by_isolate__ = True
    spawn.get_preparation_data = _preparation_data
