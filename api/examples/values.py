"""Identifiers shared by the examples of every resource (well-formed, not real)."""

H32 = "0x6f1c3a5e0d2b4c8a9e7f1d3b5a7c9e0f2d4b6a8c0e2f4d6b8a0c2e4f6a8b0c2d"
ROOT = "0x1b7e3d5c9a0f2e4d6c8b0a2f4e6d8c0b2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d"
TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
ADDR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
POOL = "0xa94400c28F5401E438855a87b2a96B62fB16d2c7"
MODEL = "0x86b9f1c55bda21d8c3b0a3e5f7d9c1b3a5e7f9d1c3b5a7e9f1d3c5b7a9e1f3d5"
