"""vend: GitOps account vending and catalog distribution for AWS Organizations."""

__version__ = "0.1.0"
