"""reportgen: the yearly activity report of a CPAM, from data and Markdown to a branded PDF.

The library API is :func:`reportgen.builder.build`; the ``reportgen`` command is a
thin layer over it (see :mod:`reportgen.cli`).
"""
__version__ = "0.1.0"
