"""Signed receipts: receipt HTML → PDF/A (WeasyPrint) → PAdES signature (pyHanko) → verification.

Pure library, no Flask: `document.build_receipt_pdf` produces a receipt, `verify.verify_pdf`
checks one, `keys` provides the signing identity. Submodules are imported explicitly so that
importing this package stays cheap.
"""
