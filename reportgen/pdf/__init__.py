"""The PDF: laid out by WeasyPrint (whole or in pieces), long tables cut, tagged, checked and mapped to its sources."""
