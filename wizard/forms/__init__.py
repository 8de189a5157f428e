"""One WTForms form per step; the validators come from `wizard.domain`."""
