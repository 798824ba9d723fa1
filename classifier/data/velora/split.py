#!/usr/bin/env python3
"""Deterministic split of intents.txt into train/validation/test JSONL (60/20/20 per label).

Within each label the phrasings are ordered by the SHA-256 of their text; position i goes to train when
i % 5 in (0, 1, 2), to validation when i % 5 == 3 and to test when i % 5 == 4. No randomness, so the
split only changes for phrasings that are added or removed. Run from anywhere: python3 split.py
"""
import hashlib, json, os
from collections import OrderedDict

here = os.path.dirname(os.path.abspath(__file__))
labels = OrderedDict()
current = None
with open(os.path.join(here, "intents.txt"), encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            current = line[3:].strip()
            if current in labels:
                raise SystemExit(f"intents.txt:{n}: label {current} appears twice")
            labels[current] = []
        elif current is None:
            raise SystemExit(f"intents.txt:{n}: phrasing before the first label")
        else:
            labels[current].append(line)

seen = {}
for label, texts in labels.items():
    for t in texts:
        key = t.lower()
        if key in seen:
            raise SystemExit(f"duplicate phrasing '{t}' in {seen[key]} and {label}")
        seen[key] = label

splits = {"train": [], "validation": [], "test": []}
for label, texts in labels.items():
    for i, t in enumerate(sorted(texts, key=lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())):
        name = "train" if i % 5 < 3 else "validation" if i % 5 == 3 else "test"
        splits[name].append({"text": t, "label": label})

for name, rows in splits.items():
    with open(os.path.join(here, name + ".jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(rows))
print("labels", len(labels), {l: len(t) for l, t in labels.items()})
