"""X12 readers: our streaming tokenizer, envelopes, and the 835/837 loop readers."""
