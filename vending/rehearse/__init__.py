"""`vend rehearse`: apply a plan to a scratch copy of the live organization first.

The live organization is read once, read-only (`vending.engine.read_live`); `copy` loads what
was read into a fresh embedded local AWS in a temporary directory, with every id kept, so a
saved plan's fingerprint still matches; `run` applies the plan there and plans again; `report`
renders what the emulator refused (AWS's error code and message verbatim) and the end plan.
Nothing here writes to the real target.
"""
