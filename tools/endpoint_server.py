#!/usr/bin/env python
"""moto's server with corrections where moto departs from AWS, each naming the AWS behaviour it restores.

tools/endpoint.py starts the embedded endpoint through this file. A correction belongs here only
when the platform's code does what AWS documents and moto does something else; it never makes
the endpoint more lenient than AWS.
"""

import sys

from moto.cloudtrail import models as cloudtrail_models
from moto.server import main


def _trail_by_name_or_arn(original):
    """DeleteTrail takes the trail's name or its ARN (AWS API reference); moto ignores an ARN
    silently, so amazon.aws.cloudtrail (which deletes by ARN) would leave the trail behind."""

    def delete_trail(self, name):
        for key, trail in list(self.trails.items()):
            if trail.arn == name:
                name = key
        return original(self, name)

    return delete_trail


cloudtrail_models.CloudTrailBackend.delete_trail = _trail_by_name_or_arn(cloudtrail_models.CloudTrailBackend.delete_trail)

if __name__ == "__main__":
    sys.exit(main())
