"""The APIs other programs speak to Tidings: one package per protocol (Google
Reader, Fever, REST; to come), each with its README and its own tests, over the
``Aggregator`` facade. ``serialize`` holds the plain-data views they share with
the CLI's ``--json``."""
