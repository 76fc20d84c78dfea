"""Compress the retries' waiting in a run through the fault-injection proxy (tests and make faults only).

Active only when PLATFORM_FAULTS_TIME_SCALE is set and this directory is on PYTHONPATH: every
sleep of a second fifth or more (botocore's backoff, amazon.aws's AWSRetry, create_once, waiters)
lasts that fraction of its time. Which requests fail, how often each is retried and in what order
are unchanged; only the wall time shrinks. Shorter sleeps (the controller's polling) are left alone.
"""

import os

if os.environ.get("PLATFORM_FAULTS_TIME_SCALE"):
    import time

    _SCALE = float(os.environ["PLATFORM_FAULTS_TIME_SCALE"])
    _sleep = time.sleep

    def _scaled_sleep(seconds):
        _sleep(seconds * _SCALE if seconds >= 0.2 else seconds)

    time.sleep = _scaled_sleep
