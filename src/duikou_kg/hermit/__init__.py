"""HermiT kept running: one JVM (our ``HermitServer.java`` on the HermiT jar that owlready2 ships) answers
every consistency check, so a check costs the reasoning (≈0.1 s on a validation subgraph), not a JVM start
and class loading (1.4–3 s through owlready2's ``sync_reasoner_hermit``).

``build.compiled_server`` compiles the Java source once into a cache folder (again only when the source or
the jar changed); ``server.HermitServer`` runs it. Whoever creates a ``HermitServer`` owns it and closes it.
"""

from .build import JavaUnavailable, compiled_server, hermit_jar
from .server import HermitServer, ServerAnswer

__all__ = ["HermitServer", "JavaUnavailable", "ServerAnswer", "compiled_server", "hermit_jar"]
