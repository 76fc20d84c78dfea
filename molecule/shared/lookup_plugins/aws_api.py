"""The molecule scenarios' window on the endpoint: one AWS read call, answered as the API answers it.

The verify playbooks check a converge through the AWS API itself, never through the collection's own
discovery (platform_info), so that a discovery bug cannot hide a converge bug. This lookup has no logic
of the collection's: it makes the call it is named and gives back the answer, every page of it.
"""

DOCUMENTATION = r"""
name: aws_api
short_description: One AWS read call through boto3, every page of its answer
description:
  - Makes the named boto3 call with the given parameters and returns its answer without C(ResponseMetadata).
  - A call that boto3 can paginate is read to its last page and the pages merged (boto3's full result).
  - Only calls whose names start with describe_, get_, list_, head_ or batch_get_ are made.
options:
  _terms:
    description: The service (a boto3 client name) and the operation (boto3's snake_case name).
    required: true
  params:
    description: The call's parameters, as boto3 takes them.
    type: dict
    default: {}
  endpoint_url:
    description: The endpoint the scenario runs against.
    type: str
    required: true
    vars:
      - name: platform_aws_endpoint_url
  access_key:
    description: The access key.
    type: str
    required: true
    vars:
      - name: platform_aws_access_key
  secret_key:
    description: The secret key.
    type: str
    required: true
    vars:
      - name: platform_aws_secret_key
  region:
    description: The region.
    type: str
    required: true
    vars:
      - name: platform_region
"""

EXAMPLES = r"""
- name: Read the broker's service
  ansible.builtin.set_fact:
    __service: "{{ lookup('aws_api', 'ecs', 'describe_services', params={'cluster': 'mol-rmq-cluster', 'services': ['rabbitmq']}).services[0] }}"
"""

RETURN = r"""
_raw:
  description: The call's answer, as a one-element list.
  type: list
  elements: dict
"""

import boto3  # pylint: disable=import-error

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

READS = ("describe_", "get_", "list_", "head_", "batch_get_")


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 2:
            raise AnsibleError("aws_api takes a service and an operation, got %r" % (terms,))
        service, operation = terms
        if not operation.startswith(READS):
            raise AnsibleError("aws_api makes read calls only, not %s" % operation)
        # Options read from the scenario's variables come as they are written: templated here, as a task's would be.
        conn = {name: self._templar.template(self.get_option(name)) for name in ("endpoint_url", "region", "access_key", "secret_key")}
        client = boto3.client(service, endpoint_url=conn["endpoint_url"], region_name=conn["region"],
                              aws_access_key_id=conn["access_key"], aws_secret_access_key=conn["secret_key"])
        params = self.get_option("params") or {}
        if client.can_paginate(operation):
            answer = client.get_paginator(operation).paginate(**params).build_full_result()
        else:
            answer = getattr(client, operation)(**params)
        answer.pop("ResponseMetadata", None)
        return [answer]
