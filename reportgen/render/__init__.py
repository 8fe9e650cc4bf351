"""Rendering: the directives and the layout's templates make the HTML; charts, the web edition and the open data."""
