"""Record every AWS API call a Python process makes, for `make bench` (tools/bench.py).

Active only when PLATFORM_API_CALL_LOG names a file and this directory is on PYTHONPATH: then
each botocore call appends one JSON line (service, region, operation, seconds, when it ended, error, and the
parameters of read calls only, so no secret value a write sends is ever written down).
"""

import os

if os.environ.get("PLATFORM_API_CALL_LOG"):
    try:
        import json
        import time

        import botocore.client
    except ImportError:  # pragma: no cover - a Python without botocore records nothing
        pass
    else:
        _READS = ("Describe", "List", "Get", "Head", "Lookup", "Search", "BatchGet")
        _original = botocore.client.BaseClient._make_api_call  # pylint: disable=protected-access

        def _recording_call(self, operation_name, api_params):
            start = time.monotonic()
            error = None
            try:
                return _original(self, operation_name, api_params)
            except Exception as exc:  # noqa: BLE001 - recorded, then raised again
                error = getattr(exc, "response", {}).get("Error", {}).get("Code") or type(exc).__name__
                raise
            finally:
                record = {
                    "service": self.meta.service_model.service_name,
                    "region": self.meta.region_name,
                    "operation": operation_name,
                    "seconds": round(time.monotonic() - start, 4),
                    "at": round(time.time(), 3),
                    "error": error,
                    "params": api_params if operation_name.startswith(_READS) else None,
                }
                try:
                    with open(os.environ["PLATFORM_API_CALL_LOG"], "a", encoding="utf-8") as handle:
                        handle.write(json.dumps(record, default=str, sort_keys=True) + "\n")
                except OSError:
                    pass

        botocore.client.BaseClient._make_api_call = _recording_call  # pylint: disable=protected-access
