"""SQuAD 2.0 questions turned into reader features: [CLS] question [SEP] context window [SEP], sliding
windows over long contexts, with the character offsets needed to map a token span back to the text.
The Java ExtractiveReader builds its inputs the same way."""
import re
import string
from collections import Counter

MAX_LEN = 256
MAX_QUESTION = 64
STRIDE = 128
MAX_ANSWER_TOKENS = 30


def windows(wp, question, context, max_len=MAX_LEN, stride=STRIDE):
    """One dict per window: input ids, token types, and per-token context offsets (None outside the context)."""
    q_ids, _ = wp.encode(question)
    q_ids = q_ids[:MAX_QUESTION]
    c_ids, c_spans = wp.encode(context)
    room = max_len - len(q_ids) - 3
    out, start = [], 0
    while True:
        piece = slice(start, min(start + room, len(c_ids)))
        ids = [wp.cls] + q_ids + [wp.sep] + c_ids[piece] + [wp.sep]
        types = [0] * (len(q_ids) + 2) + [1] * (len(ids) - len(q_ids) - 2)
        offsets = [None] * (len(q_ids) + 2) + list(c_spans[piece]) + [None]
        out.append({"ids": ids, "types": types, "offsets": offsets})
        if piece.stop >= len(c_ids):
            return out
        start += stride


def label(window, answer_start, answer_end):
    """(start token, end token) of the answer characters inside this window, or (0, 0) when not inside it."""
    if answer_start is None:
        return 0, 0
    s = e = None
    for i, off in enumerate(window["offsets"]):
        if off is None:
            continue
        if s is None and off[0] <= answer_start < off[1]:
            s = i
        if off[0] < answer_end <= off[1]:
            e = i
    if s is None or e is None or e < s:
        return 0, 0
    return s, e


def best_span(start_logits, end_logits, offsets, max_tokens=MAX_ANSWER_TOKENS):
    """The highest-scoring (score, first token, last token) span inside the context part of one window."""
    ctx = [i for i, o in enumerate(offsets) if o is not None]
    best = (float("-inf"), -1, -1)
    if not ctx:
        return best
    lo, hi = ctx[0], ctx[-1]
    for i in range(lo, hi + 1):
        for j in range(i, min(hi, i + max_tokens - 1) + 1):
            s = start_logits[i] + end_logits[j]
            if s > best[0]:
                best = (s, i, j)
    return best


def normalize(text):
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def f1(prediction, gold):
    p, g = normalize(prediction).split(), normalize(gold).split()
    if not p or not g:
        return float(p == g)
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def scores(prediction, golds):
    """(EM, F1) of a prediction ("" = abstain) against the gold answers ([] = unanswerable)."""
    golds = golds or [""]
    return (max(float(normalize(prediction) == normalize(g)) for g in golds),
            max(f1(prediction, g) for g in golds))
