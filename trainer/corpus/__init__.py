"""Everything a trial reads, built from the catalogue: documents, generic text, the mix, splits, sets."""
