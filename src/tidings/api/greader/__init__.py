"""The Google Reader API (issue 12). So far: the item and stream ids in every form
real clients send (``ids``); README.md says what is supported."""
