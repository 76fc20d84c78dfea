#!/usr/bin/env python
"""moto's server with corrections where moto departs from AWS, each naming the AWS behaviour it restores.

tools/endpoint.py starts the embedded endpoint through this file, and the unit tests import it so
that in-process moto answers as the endpoint does. A correction belongs here only when the
platform's code does what AWS documents and moto does something else; it never makes the
endpoint more lenient than AWS.
"""

import json
import sys

from moto.apigatewayv2 import responses as apigatewayv2_responses
from moto.core.responses import ActionResult
from moto.cloudtrail import models as cloudtrail_models
from moto.logs import exceptions as logs_exceptions
from moto.logs import responses as logs_responses
from moto.rds import responses as rds_responses
from moto.server import main

import endpoint_rules  # pylint: disable=wrong-import-order


def _trail_by_name_or_arn(original):
    """DeleteTrail takes the trail's name or its ARN (AWS API reference); moto ignores an ARN
    silently, so amazon.aws.cloudtrail (which deletes by ARN) would leave the trail behind."""

    def delete_trail(self, name):
        for key, trail in list(self.trails.items()):
            if trail.arn == name:
                name = key
        return original(self, name)

    return delete_trail


def _associate_kms_key(self):
    """AssociateKmsKey / DisassociateKmsKey of CloudWatch Logs (AWS API reference): moto has neither,
    so a log group whose key was taken off could not be keyed again (the platform's log_groups module
    does it; verify.yml reports a group without the key). Same errors as AWS for a missing group, and
    the key is checked as CloudWatch Logs checks it (endpoint_rules.check_log_group_key): a symmetric
    key's ARN whose policy lets the service use it for this group."""
    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise logs_exceptions.ResourceNotFoundException("The specified log group does not exist.")
    key = self._get_param("kmsKeyId")
    endpoint_rules.check_log_group_key(self.logs_backend.account_id, self.logs_backend.region_name, name, key)
    self.logs_backend.groups[name].kms_key_id = key
    return ""


def _disassociate_kms_key(self):
    """DisassociateKmsKey (AWS API reference): the group's key is taken off."""
    name = self._get_param("logGroupName")
    if name not in self.logs_backend.groups:
        raise logs_exceptions.ResourceNotFoundException("The specified log group does not exist.")
    self.logs_backend.groups[name].kms_key_id = None
    return ""


def _get_authorizers(self):
    """GetAuthorizers of API Gateway v2 (AWS API reference): moto has GetAuthorizer but not the
    listing, and answers 500. The http_api module lists authorizers to adopt one whose create
    answer was lost. Same error as AWS for a missing API; one page (the platform has a handful)."""
    api_id = self.path.split("/")[-2]
    api = self.apigatewayv2_backend.get_api(api_id)  # NotFoundException as AWS
    return 200, {}, json.dumps({"items": [a.to_json() for a in api.authorizers.values()]})


def _subscription(self):
    return self.backend.describe_event_subscriptions(self.params.get("SubscriptionName"))[0]  # SubscriptionNotFound as AWS


def _modify_event_subscription(self):
    """ModifyEventSubscription of RDS (AWS API reference): moto has no such call. The topic, source type, categories
    and switch of a subscription change; its sources do not (AddSourceIdentifierToSubscription). The new topic is
    checked as CreateEventSubscription checks it (endpoint_rules.check_rds_subscription)."""
    subscription = _subscription(self)
    source_type = self.params.get("SourceType") or subscription.source_type
    endpoint_rules.check_rds_subscription(self.backend, source_type, subscription.source_ids, self.params.get("SnsTopicArn"))
    subscription.source_type = source_type
    subscription.sns_topic_arn = self.params.get("SnsTopicArn") or subscription.sns_topic_arn
    if self.params.get("EventCategories") is not None:
        subscription.event_categories = list(self.params.get("EventCategories"))
    if self.params.get("Enabled") is not None:
        subscription.enabled = self.params.get("Enabled")
    return ActionResult({"EventSubscription": subscription})


def _add_source_identifier(self):
    """AddSourceIdentifierToSubscription of RDS (AWS API reference): moto has no such call. A source that does not
    exist is refused (SourceNotFound), and the topic must accept the new source's events as at create."""
    subscription = _subscription(self)
    source = self.params.get("SourceIdentifier")
    endpoint_rules.check_rds_subscription(self.backend, subscription.source_type, [source], subscription.sns_topic_arn)
    if source not in subscription.source_ids:
        subscription.source_ids = list(subscription.source_ids) + [source]
    return ActionResult({"EventSubscription": subscription})


def _remove_source_identifier(self):
    """RemoveSourceIdentifierFromSubscription of RDS (AWS API reference): moto has no such call. A source the
    subscription does not have is refused (SourceNotFound), as AWS does."""
    subscription = _subscription(self)
    source = self.params.get("SourceIdentifier")
    if source not in subscription.source_ids:
        raise endpoint_rules.rds_exceptions.RDSClientError("SourceNotFound", "Source %s is not in subscription %s." % (
            source, subscription.subscription_name))
    subscription.source_ids = [s for s in subscription.source_ids if s != source]
    return ActionResult({"EventSubscription": subscription})


apigatewayv2_responses.ApiGatewayV2Response.get_authorizers = _get_authorizers
rds_responses.RDSResponse.modify_event_subscription = _modify_event_subscription
rds_responses.RDSResponse.add_source_identifier_to_subscription = _add_source_identifier
rds_responses.RDSResponse.remove_source_identifier_from_subscription = _remove_source_identifier
logs_responses.LogsResponse.associate_kms_key = _associate_kms_key
logs_responses.LogsResponse.disassociate_kms_key = _disassociate_kms_key
cloudtrail_models.CloudTrailBackend.delete_trail = _trail_by_name_or_arn(cloudtrail_models.CloudTrailBackend.delete_trail)
# The endpoint refuses what AWS refuses: resource policies as the services read them, and time.
endpoint_rules.install()

if __name__ == "__main__":
    sys.exit(main())
