"""The subjects' rights: objections, repair, statements, withholding, archive, contest, reorganization."""
