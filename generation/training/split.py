"""Which SQuAD 2.0 articles are held out. Every fifth article of dev-shared.json (indices 4, 9, 14, 19,
24) is held out for evaluation and never trained on; the Java SquadEval reads the same list from the
model's provenance file."""
import json

HELD_OUT_INDICES = (4, 9, 14, 19, 24)


def load(path):
    data = json.load(open(path, encoding="utf-8"))["data"]
    train = [a for i, a in enumerate(data) if i not in HELD_OUT_INDICES]
    held = [a for i, a in enumerate(data) if i in HELD_OUT_INDICES]
    return train, held
