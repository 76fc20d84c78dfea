"""Compress the retries' waiting in a run through the fault-injection proxy (tests and make faults only).

Active only when PLATFORM_FAULTS_TIME_SCALE is set and this directory is on PYTHONPATH: every
sleep of 10 ms or more (botocore's backoff, create_once, waiters) lasts that
fraction of its time. Which requests fail, how often each is retried and in what order are
unchanged; only the wall time shrinks. Shorter sleeps (the controller's 1 ms polling) are left alone.

Measured on the whole platform at seed 7 (2162 requests, the same faults each time): at 0.05 of
sleeps of 0.2 s or more, 169 s; at 0.01 of sleeps of 10 ms or more, 67 s (fault-free: 48 s).
"""

import os

if os.environ.get("PLATFORM_FAULTS_TIME_SCALE"):
    import time

    _SCALE = float(os.environ["PLATFORM_FAULTS_TIME_SCALE"])
    _FLOOR = 0.01
    _sleep = time.sleep

    def _scaled_sleep(seconds):
        _sleep(seconds * _SCALE if seconds >= _FLOOR else seconds)

    time.sleep = _scaled_sleep
