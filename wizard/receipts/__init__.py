"""Signed receipts: receipt HTML → PDF/A (WeasyPrint) → PAdES signature (pyHanko) → verification.

The library modules use no Flask: `document.build_receipt_pdf` produces a receipt,
`verify.verify_pdf` checks one, `keys` provides the signing identity. `service`, `views` and
`cli` connect them to the portal: one stored receipt per submission, download, /verify.
Submodules are imported explicitly so that importing this package stays cheap.
"""
