"""The whole network of caisses: many editions built at once.

- :mod:`reportgen.network.cluster`: each edition built as one task on a Dask cluster
  (``reportgen build --cluster``), its outputs swapped in on this machine as a local build's.
- :mod:`reportgen.network.demo`: a synthetic network of fictitious caisses made from the
  editions of a project (``reportgen demo network``), for the benchmark and the tests.

Dask is an optional dependency (``pip install reportgen[cluster]``): only
:mod:`~reportgen.network.cluster` imports it, and only when a cluster is asked for.
"""
