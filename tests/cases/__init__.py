"""More entries of the one op-case table, one module per op family (``CASES = {name: [(fn,
make), ...]}``, ``make(rng)`` building the inputs). ``tests/op_cases.py`` merges every module
here into its table, so a new family adds a file and touches nothing else."""
