"""What ``import autograd`` does to the C allocator: on glibc, it frees one untouched 8 MB
buffer, so that glibc's own dynamic thresholds stop mapping and unmapping a training loop's
mid-size temporaries (page faults on every step otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

LOOP = """
import resource, numpy as np
{setup}
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):  # settle (arrays no larger than the loop's: a larger freed one settles it)
    a = np.ones((1, 1 << 18), np.float32); b = a * 2; c = b + a; del a, b, c
before = faults()
for _ in range(40):  # three 1 MB temporaries a step, as a layer's forward makes
    a = np.ones((1, 1 << 18), np.float32); b = a * 2; c = b + a; del a, b, c
print(faults() - before)
"""


def _glibc() -> bool:
    try:
        return (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


def _faults(setup: str) -> int:
    out = subprocess.run([sys.executable, "-c", LOOP.format(setup=setup)], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1])


@pytest.mark.skipif(not _glibc(), reason="the allocator's thresholds are glibc's")
def test_after_import_temporaries_no_longer_fault_their_pages_in_each_time():
    plain = _faults("")
    settled = _faults("import autograd")
    # 40 steps of three 1 MB arrays: about 30,000 faults when each is mapped afresh
    assert plain > 10_000, plain
    assert settled < 500, settled
