"""benchmarks/where.py's CPU accounting: the figures it reports come from /proc, by process."""

import subprocess
import sys
import time

from benchmarks import where


def test_a_childs_cpu_is_counted_under_its_role():
    # The child burns CPU for 0.4 s of its own clock, then waits to be read.
    child = subprocess.Popen([sys.executable, "-c",
                              "import time, sys\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.4: pass\n"
                              "print('done', flush=True)\nsys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "done"
        import os

        cpu = where.cpu_by_role(os.getpid(), lambda p: "child" if p.pid == child.pid else "rest")
        assert 0.3 <= cpu["child"] <= 2.0
        assert child.pid in {p.pid for p in where.descendants(os.getpid(), where.processes())}
    finally:
        child.kill()
        child.wait()


def test_a_stamp_records_the_stage_and_its_threads_cpu():
    stamps = where.Stamps()
    busy = stamps.wrap("busy", lambda seconds: [None for _ in iter(lambda: time.thread_time() < seconds, False)])
    asleep = stamps.wrap("asleep", time.sleep)
    busy(time.thread_time() + 0.05)
    asleep(0.05)
    by_name = {s.stage: s for s in stamps.items}
    assert by_name["busy"].cpu >= 0.04
    assert by_name["asleep"].cpu < 0.03 and by_name["asleep"].end - by_name["asleep"].start >= 0.05
