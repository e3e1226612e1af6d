"""The IAM policies of the roles vend runs as, generated from the AWS operations its code calls."""
