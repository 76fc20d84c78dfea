"""What a fresh converge of playbooks/site.yml (the local inventory, one environment) leaves on an empty endpoint,
written out by hand: the fault and kill tests compare every count of a faulty or killed run with it, so a create
made twice shows up as one more, and a change of the platform's shape shows up here, where it is reviewed.

Read against the design: 2 subnets per tier over 2 AZs (public and private, 4), one NAT gateway (one EIP), 4
services in one cluster (api-gateway, inventory-app, billing-app, rabbitmq) each with a scalable target and 2
policies (CPU, memory), 4 load balancers (3 internal NLBs and the edge's ALB) with 4 target groups, 2 Aurora
clusters with one instance each, 3 keys (logs, data, secrets) with their aliases, 7 secrets (the two apps' database
logins, the broker's administrator and its two clients, the two masters RDS manages), 5 rotation functions, an
HTTP API with one stage, one authorizer and 7 routes to one VPC-link integration, one user pool with one app client.
"""

# duplicate_counts(ep) after the fresh converge, environment "flt", seed-free (no fault).
REFERENCE_COUNTS = {
    "alarms": 55, "api_authorizers": 1, "api_domains": 1, "api_integrations": 1, "api_mappings": 1, "api_routes": 7,
    "api_stages": 1, "backup_plans": 1, "backup_selections": 1, "backup_vaults": 1, "buckets": 3, "budgets": 1,
    "certificates": 1, "cloud_map_services": 6, "dashboards": 1, "db_cluster_parameter_groups": 2, "db_clusters": 2,
    "db_instances": 2, "db_subnet_groups": 2, "dhcp_options": 1, "ecr_repositories": 3, "ecs_clusters": 1, "ecs_services": 4,
    "efs_access_points": 1, "efs_mount_targets": 2, "elastic_ips": 1, "event_rules": 3, "event_targets": 3, "file_systems": 1,
    "flow_logs": 1, "guardduty_detectors": 1, "http_apis": 1, "iam_policies": 0, "iam_roles": 35, "internet_gateways": 1,
    "kms_aliases": 3, "kms_keys": 3, "lambda_functions": 5, "listeners": 7, "load_balancers": 4, "log_groups": 23,
    "namespaces": 1, "nat_gateways": 1, "network_acls": 2, "rds_event_subscriptions": 2, "route_tables": 3,
    "scalable_targets": 4, "scaling_policies": 8, "secrets": 7, "security_groups": 16, "sns_subscriptions": 0, "sns_topics": 1,
    "subnets": 4, "target_groups": 4, "task_definitions": 12, "trails": 1, "user_pool_clients": 1, "user_pools": 1,
    "vpc_endpoints": 1, "vpc_links": 1, "vpcs": 1, "web_acls": 1,
}

# The writes (tests/faults/proxy.py's count) of that fresh converge: 437 measured. The kill test draws its points
# within them; a platform that came to write much less would end a run before its point, which fails the test and
# says so.
FRESH_WRITES = 437


def more_than(have, want):
    """{name: (have, want)} of the counts above the reference's: what a create made twice leaves."""
    return {k: (have.get(k), v) for k, v in want.items() if have.get(k, 0) > v}


def differing(have, want):
    """{name: (have, want)} of every count, or name, that differs from the reference."""
    return {k: (have.get(k), want.get(k)) for k in set(have) | set(want) if have.get(k) != want.get(k)}
