#!/usr/bin/env python3
"""Conflict ids, computed the way Protocol/README.md specifies, for writing and checking vectors.

    python3 generate_ids.py note <row> body annalaptop:2 benphone:1   # prints the conflict id
    python3 generate_ids.py                                           # checks every vector's conflict ids
"""
import glob
import hashlib
import json
import os
import sys


def sort_key(version):
    replica, counter = version.rsplit(":", 1)
    return (replica, int(counter))


def conflict_id(entity, row, field, versions):
    text = f"{entity}\0{row}\0{field}\0" + ",".join(sorted(versions, key=sort_key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def check_vectors(folder):
    failures = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as f:
            vector = json.load(f)
        for c in vector["expect"]["conflicts"]:
            expected = conflict_id(c["entity"], c["row"], c["field"], c["versions"])
            if c["versions"] != sorted(c["versions"], key=sort_key) or c["id"] != expected:
                print(f"{os.path.basename(path)}: conflict {c['id']} should be {expected} with versions sorted")
                failures += 1
    return failures


if __name__ == "__main__":
    if len(sys.argv) > 1:
        if len(sys.argv) < 5:
            sys.exit(__doc__)
        print(conflict_id(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        sys.exit(1 if check_vectors(os.path.dirname(os.path.abspath(__file__))) else 0)
