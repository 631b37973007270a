"""Linked-data publication: dereferencing with content negotiation, HTML pages, VoID/DCAT and dumps.

How IRIs dereference
--------------------
Every IRI under the public base (``Settings.public_base``, by default ``https://w3id.org/duikou/``) is
served by this service at the same path below the service's own root: ``/id/actor/beijing`` on the
service is ``https://w3id.org/duikou/id/actor/beijing``; ``/ontology`` is the ontology's namespace
IRI. (w3id.org redirects the public IRI to the service; the service never needs to know its own host.)

**Direct negotiation, not 303.** A request for the IRI itself is answered ``200`` with the
representation chosen from ``Accept`` (Werkzeug's parser; HTML, Turtle, N-Triples, JSON-LD, RDF/XML),
``Vary: Accept`` and a ``Content-Location`` naming the format-specific document (``…/beijing.ttl``,
``…/beijing.html``), which can also be requested directly. Reasons: w3id.org already costs every client
one redirect, and a 303 would add a second round trip to every look-up; the W3C TAG's 2012 httpRange-14
amendment allows a 200 for slash IRIs of non-information resources when the response says which document
it is (Content-Location); and caches stay correct through ``Vary: Accept``. The per-format documents are
the information resources; the extension-less IRI names the thing.
"""
