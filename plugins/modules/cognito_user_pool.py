#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloud_design.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: cognito_user_pool
short_description: A Cognito user pool and its app client, for a JWT authorizer
version_added: 0.3.0
description:
  - Converges a Cognito user pool (sign-in by e-mail, administrators create users, password policy,
    optional TOTP multi-factor authentication, recovery by verified e-mail, deletion protection)
    and one public app client (no secret, SRP and refresh-token flows, token lifetimes, token revocation,
    no user-existence disclosure).
  - Returns the issuer URL and client id an API Gateway JWT authorizer needs.
  - Found by name; two pools with the same name stop the run (Cognito does not keep names unique).
  - Every update sends the full set of settings the module manages, as C(UpdateUserPool) resets
    settings left out of the call.
  - amazon.aws and community.aws have no Cognito user pool module.
author:
  - Cloud Design Platform Team (@cloud-design)
options:
  name:
    description: Name of the pool (and of its app client unless I(client_name) is given).
    type: str
    required: true
  client_name:
    description: Name of the app client.
    type: str
  password_policy:
    description: C(min_length), C(require_uppercase), C(require_lowercase), C(require_numbers), C(require_symbols), C(temporary_validity_days).
    type: dict
    default: {}
  mfa:
    description: Multi-factor authentication with an authenticator app (TOTP).
    type: str
    choices: ["OFF", OPTIONAL, "ON"]
    default: OPTIONAL
  deletion_protection:
    description: Refuse deletion of the pool while on.
    type: bool
    default: false
  access_token_minutes:
    description: Lifetime of access and id tokens.
    type: int
    default: 60
  refresh_token_days:
    description: Lifetime of refresh tokens.
    type: int
    default: 30
  state:
    description: Whether the pool and its client should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - cloud_design.platform.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would change and makes no change.
  diff_mode:
    support: full
    description: Shows the pool's and client's settings before and after.
"""

EXAMPLES = r"""
- name: Users of the shop API
  cloud_design.platform.cognito_user_pool:
    name: shop-prod-api
    deletion_protection: true
    tags:
      Project: shop
  register: pool

- name: The authorizer uses its issuer and client
  ansible.builtin.debug:
    msg: "{{ pool.user_pool.issuer }} {{ pool.client.id }}"
"""

RETURN = r"""
user_pool:
  description: The pool; empty when absent.
  returned: always
  type: dict
  sample: {id: eu-west-1_AbCdEf, arn: "arn:aws:cognito-idp:...", name: shop-prod-api, issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf"}
client:
  description: The app client (no secret); empty when absent.
  returned: always
  type: dict
  sample: {id: 1example23456789, name: shop-prod-api}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from ansible_collections.cloud_design.platform.plugins.module_utils.platform import Plan, PlatformError, PlatformModule, all_pages, create_once, pick_one

PASSWORD_KEYS = {
    "min_length": ("MinimumLength", 14),
    "require_uppercase": ("RequireUppercase", True),
    "require_lowercase": ("RequireLowercase", True),
    "require_numbers": ("RequireNumbers", True),
    "require_symbols": ("RequireSymbols", True),
    "temporary_validity_days": ("TemporaryPasswordValidityDays", 3),
}
AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


class Pools(Plan):
    def __init__(self, module):
        super().__init__(module)
        self.idp = module.client("cognito-idp")
        self.idp_once = module.client("cognito-idp", retries=False)  # creates without a token: create_once()
        self.region = self.idp.meta.region_name

    def pools(self):
        return [p for p in all_pages(self.idp.list_user_pools, "UserPools", MaxResults=60) if p["Name"] == self.params["name"]]

    def find_pool(self):
        found = pick_one(self.pools(), "Cognito user pools named %s" % self.params["name"], ident=lambda p: p["Id"])
        return self.idp.describe_user_pool(UserPoolId=found["Id"])["UserPool"] if found else None

    def clients(self, pool_id):
        return [c for c in all_pages(self.idp.list_user_pool_clients, "UserPoolClients", UserPoolId=pool_id, MaxResults=60)
                if c["ClientName"] == self.client_name]

    def find_client(self, pool_id):
        found = pick_one(self.clients(pool_id), "app clients named %s in pool %s" % (self.client_name, pool_id), ident=lambda c: c["ClientId"])
        if not found:
            return None
        return self.idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=found["ClientId"])["UserPoolClient"]

    @property
    def client_name(self):
        return self.params["client_name"] or self.params["name"]

    def wanted_pool(self):
        policy = {api: self.params["password_policy"].get(key, default) for key, (api, default) in PASSWORD_KEYS.items()}
        return {
            "Policies": {"PasswordPolicy": policy},
            "AutoVerifiedAttributes": ["email"],
            "DeletionProtection": "ACTIVE" if self.params["deletion_protection"] else "INACTIVE",
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            "UserPoolTags": {k: str(v) for k, v in (self.params.get("tags") or {}).items()},
        }

    def wanted_client(self):
        minutes = self.params["access_token_minutes"]
        return {
            "ClientName": self.client_name,
            "ExplicitAuthFlows": AUTH_FLOWS,
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
            "AccessTokenValidity": minutes,
            "IdTokenValidity": minutes,
            "RefreshTokenValidity": self.params["refresh_token_days"],
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        }

    @staticmethod
    def differs(current, wanted):
        out = []
        for key, value in wanted.items():
            have = current.get(key)
            if isinstance(value, list) and isinstance(have, list):
                same = sorted(map(str, value)) == sorted(map(str, have))
            elif isinstance(value, dict) and isinstance(have, dict) and key != "UserPoolTags":
                same = all(have.get(k) == v for k, v in value.items()) if key != "Policies" else \
                    all(have.get("PasswordPolicy", {}).get(k) == v for k, v in value["PasswordPolicy"].items())
            else:
                same = have == value
            if not same:
                out.append(key)
        return out

    def mfa_config(self, pool_id):
        try:
            return self.idp.get_user_pool_mfa_config(UserPoolId=pool_id).get("MfaConfiguration", "OFF")
        except is_boto3_error_code("ResourceNotFoundException"):
            return "OFF"

    def present(self):
        wanted = self.wanted_pool()
        pool = self.find_pool()
        before = {}
        if pool is None:
            self.changes.append("create user pool %s" % self.params["name"])
            if self.check:
                return before, {"user_pool": {"name": self.params["name"], "mfa": self.params["mfa"]},
                                "client": {"name": self.client_name}}
            # CreateUserPool takes no idempotency token: looked up by name before any retry.
            pool, adopted = create_once(lambda: self.idp_once.create_user_pool(PoolName=self.params["name"], UsernameAttributes=["email"],
                                                                               MfaConfiguration="OFF", **wanted)["UserPool"],
                                        self.pools, "Cognito user pools named %s" % self.params["name"])
            if adopted:
                pool = self.idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
            mfa = "OFF"
        else:
            mfa = self.mfa_config(pool["Id"])
            before = {"user_pool": self.pool_summary(pool, mfa)}
            differ = self.differs(pool, wanted)
            if differ:
                self.change("update user pool %s: %s" % (self.params["name"], ", ".join(sorted(differ))),
                            self.idp.update_user_pool, UserPoolId=pool["Id"], MfaConfiguration=mfa, **wanted)
        if mfa != self.params["mfa"]:
            self.change("multi-factor authentication %s" % self.params["mfa"],
                        self.idp.set_user_pool_mfa_config, UserPoolId=pool["Id"], MfaConfiguration=self.params["mfa"],
                        SoftwareTokenMfaConfiguration={"Enabled": self.params["mfa"] != "OFF"})
        client = self.find_client(pool["Id"])
        wanted_client = self.wanted_client()
        if client is None:
            self.changes.append("create app client %s" % self.client_name)
            if not self.check:
                client, adopted = create_once(
                    lambda: self.idp_once.create_user_pool_client(UserPoolId=pool["Id"], GenerateSecret=False, **wanted_client)["UserPoolClient"],
                    lambda: self.clients(pool["Id"]), "app clients named %s in pool %s" % (self.client_name, pool["Id"]))
                if adopted:
                    client = self.idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
        else:
            before["client"] = {"id": client["ClientId"], "name": client["ClientName"],
                                "auth_flows": sorted(client.get("ExplicitAuthFlows") or [])}
            differ = self.differs(client, wanted_client)
            if differ:
                self.change("update app client %s: %s" % (self.client_name, ", ".join(sorted(differ))),
                            self.idp.update_user_pool_client, UserPoolId=pool["Id"], ClientId=client["ClientId"], **wanted_client)
        after = {"user_pool": dict(self.pool_summary(pool, self.params["mfa"]),
                                   deletion_protection=wanted["DeletionProtection"] == "ACTIVE",
                                   tags=wanted["UserPoolTags"]),
                 "client": {"id": (client or {}).get("ClientId"), "name": self.client_name, "auth_flows": AUTH_FLOWS}}
        return before, after

    def pool_summary(self, pool, mfa):
        return {
            "id": pool["Id"],
            "arn": pool.get("Arn"),
            "name": pool["Name"],
            "issuer": "https://cognito-idp.%s.amazonaws.com/%s" % (self.region, pool["Id"]),
            "mfa": mfa,
            "deletion_protection": pool.get("DeletionProtection") == "ACTIVE",
            "tags": pool.get("UserPoolTags") or {},
        }

    def absent(self):
        pool = self.find_pool()
        if pool is None:
            return {}, {}
        before = {"user_pool": self.pool_summary(pool, self.mfa_config(pool["Id"]))}
        if pool.get("DeletionProtection") == "ACTIVE":
            raise PlatformError("user pool %s has deletion protection on (prod): its users would be lost; turn it off on purpose "
                                "(api_gateway_user_pool_deletion_protection: false, converge) before removing it" % pool["Name"])
        self.change("delete user pool %s" % pool["Name"], self.idp.delete_user_pool, UserPoolId=pool["Id"])
        return before, {}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        client_name=dict(type="str"),
        password_policy=dict(type="dict", default={}, no_log=False),
        mfa=dict(type="str", default="OPTIONAL", choices=["OFF", "OPTIONAL", "ON"]),
        deletion_protection=dict(type="bool", default=False),
        access_token_minutes=dict(type="int", default=60, no_log=False),
        refresh_token_days=dict(type="int", default=30, no_log=False),
    )
    module = PlatformModule(argument_spec=argument_spec, tags=True, state=True)
    unknown = sorted(set(module.params["password_policy"]) - set(PASSWORD_KEYS))
    if unknown:
        module.fail_json(msg="password_policy has unknown keys %s; known: %s" % (unknown, sorted(PASSWORD_KEYS)))
    if not 5 <= module.params["access_token_minutes"] <= 1440:
        module.fail_json(msg="access_token_minutes must be 5 to 1440 (Cognito's limits), not %d" % module.params["access_token_minutes"])
    pools = Pools(module)

    def converge():
        if module.params["state"] == "absent":
            before, after = pools.absent()
        else:
            before, after = pools.present()
        result = {"changed": bool(pools.changes), "changes": pools.changes,
                  "user_pool": after.get("user_pool", {}), "client": after.get("client", {})}
        return result.get("changes"), before, after, result

    module.exit_converged(converge, "Failed to manage Cognito user pool %s" % module.params["name"])


if __name__ == "__main__":
    main()
