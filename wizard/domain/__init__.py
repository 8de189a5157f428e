"""Domain rules of the derogatory-access filing, in plain Python.

Nothing here imports Flask or the database, so forms, the review back office, the receipt
builder and the tests can all share one definition of: identifier checks (`identifiers`), the
Regulation (EU) 2023/607 legacy-certificate pre-check (`legacy`), reference numbers
(`reference`), canonical JSON for receipts (`canonical`) and the request lifecycle
(`lifecycle`).
"""
