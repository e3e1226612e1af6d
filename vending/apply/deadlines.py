"""How long vend waits for each kind of AWS operation, and why that long.

AWS publishes no SLA for any of these (aws-facts §1.2); each deadline is a generous multiple of
the documented or commonly observed duration, so that a wait ends with a clear message instead
of running forever, and the operation (which goes on in AWS) is picked up by the next run.
"""
from __future__ import annotations

MINUTE = 60.0

CREATE_ACCOUNT = 15 * MINUTE
"""Organizations CreateAccount: asynchronous, "can take several minutes" (ORG-API CreateAccount);
a few minutes is usual, so 15 leaves a wide margin."""

ACCOUNT_CREATION_SLOT = 30 * MINUTE
"""Waiting for one of Organizations' five in-progress CreateAccount slots (aws-facts §2.1):
up to two rounds of CREATE_ACCOUNT."""

ACCOUNT_FACTORY = 60 * MINUTE
"""An Account Factory provision/update/terminate record: no SLA, "several minutes per
resource" (aws-facts §1.2); 20-30 min is the typical (unconfirmed) figure, doubled."""

ACCOUNT_FACTORY_SLOT = 60 * MINUTE
"""Waiting out Account Factory's 5-10 concurrent account operations (aws-facts §1.4)
(ResourceInUseException): one ACCOUNT_FACTORY round."""

OU_OPERATION = 60 * MINUTE
"""A Control Tower baseline operation (EnableBaseline, ResetEnabledBaseline, DisableBaseline):
registering an OU enrolls every account in it, "several minutes per resource" (aws-facts §1.2,
§1.7); deregistering one undoes that."""

OU_OPERATION_SLOT = 60 * MINUTE
"""Waiting for another OU operation (ConflictException; one at a time, not adjustable,
aws-facts §1.4) to end before starting ours."""

CONTROL_OPERATION = 30 * MINUTE
"""EnableControl / DisableControl: one control on one OU's accounts (aws-facts §1.7)."""

POLICY_TYPE = 5 * MINUTE
"""EnablePolicyType: PENDING_ENABLE for seconds, normally (ORG-API EnablePolicyType)."""

TRUSTED_ACCESS = 5 * MINUTE
"""ActivateOrganizationsAccess until DescribeOrganizationsAccess says ENABLED: it enables a
trusted service in Organizations, which takes seconds (CFN-API ActivateOrganizationsAccess)."""

STACK_SET_OPERATION = 3 * 60 * MINUTE
"""One StackSets operation (Create/Update/DeleteStackInstances, UpdateStackSet): AWS publishes
no duration; each stack instance is one stack operation in one account and Region (minutes),
run MaxConcurrentCount at a time per Region (aws-facts §4.2), so a change to thousands of
accounts at low concurrency runs for hours. Past it the operation goes on in AWS; the next
vend apply waits for it (its OperationId is stable) instead of starting another."""

STACK_SET_SLOT = 3 * 60 * MINUTE
"""Waiting out another operation on the same stack set (OperationInProgressException: one at a
time, aws-facts §4.2), e.g. auto-deployment to accounts just created: one STACK_SET_OPERATION."""

CONTACT_PROPAGATION = 5 * MINUTE
"""Put/DeleteAlternateContact refused with AccessDeniedException right after this apply
enabled trusted access for Account Management or created the account: AWS documents no
propagation delay (unconfirmed), so vend retries for a few minutes before giving up."""

PORTFOLIO_SHARE = 30 * MINUTE
"""CreatePortfolioShare/UpdatePortfolioShare/DeletePortfolioShare of an organization node until
DescribePortfolioShareStatus leaves NOT_STARTED and IN_PROGRESS: AWS shares with every account of
the node in the background, minutes for a large OU (unconfirmed: SC-API gives no figure)."""

PERMISSION_SET_PROVISIONING = 30 * MINUTE
"""ProvisionPermissionSet to every account a set is provisioned to: one IAM role per account,
updated one set at a time per account (aws-facts §11.4); AWS publishes no duration, seconds per
account is usual (unconfirmed), so 30 minutes covers a large organization."""

ACCOUNT_ASSIGNMENT = 10 * MINUTE
"""Create/DeleteAccountAssignment until its status leaves IN_PROGRESS: one role in one account
(aws-facts §11.2); seconds usually (unconfirmed)."""

IDENTITY_CONFLICT = 2 * MINUTE
"""sso-admin ConflictException ("a previous write did not have time to propagate ... retry with
backoff", SSO-API), which botocore does not retry: vend retries it for this long."""
