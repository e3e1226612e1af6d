"""`python -m vending` is `vend`."""
from vending.cli import main

main()
