"""The Service Catalog errors the emulator raises, with AWS's codes and, where seen, its words.

Codes are the error shapes of botocore's `servicecatalog/2015-12-10` model (the Service Catalog
API reference). Messages quoted from AWS are marked with where they were seen; the others are the
emulator's own wording, kept close to the model's shape documentation.
"""
from __future__ import annotations

from vending.local.errors import AwsServiceError


def invalid(message: str) -> AwsServiceError:
    return AwsServiceError("InvalidParametersException", message)


def not_found(message: str) -> AwsServiceError:
    return AwsServiceError("ResourceNotFoundException", message)


def limit(message: str) -> AwsServiceError:
    return AwsServiceError("LimitExceededException", message)


def bad_token() -> AwsServiceError:
    return invalid("The page token is not valid.")


def portfolio_not_found(portfolio_id: str) -> AwsServiceError:
    return not_found(f"Portfolio {portfolio_id} not found.")


def product_not_found(product: str) -> AwsServiceError:
    return not_found(f"Product {product} not found.")


def artifact_not_found(artifact: str) -> AwsServiceError:
    return not_found(f"Provisioning artifact {artifact} not found.")


def no_launch_path(product_id: str) -> AwsServiceError:
    """Seen from ProvisionProduct when the caller has no portfolio access
    (aws-ia/terraform-aws-control_tower_account_factory issue #33)."""
    return not_found(f"No launch paths found for resource: {product_id}")


def provisioned_product_not_found(key: str) -> AwsServiceError:
    return not_found(f"Provisioned product {key} not found.")


def record_not_found(record_id: str) -> AwsServiceError:
    return not_found(f"Record {record_id} not found.")


def stack_exists(name: str) -> AwsServiceError:
    """A ProvisionedProductName in use. AWS answers InvalidParametersException "A stack named
    <name> already exists." (awslabs/aws-service-catalog-puppet issues #236 and #284,
    hashicorp-education/learn-terraform-aws-control-tower-aft issue #3), not the modelled
    DuplicateResourceException."""
    return invalid(f"A stack named {name} already exists.")


def under_change(key: str) -> AwsServiceError:
    return invalid(f"Provisioned product {key} is UNDER_CHANGE; wait until it is AVAILABLE, "
                   "TAINTED or ERROR before changing it.")
