"""Score attestations: records and commitments, batching, registry client, verification."""
