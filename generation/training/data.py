"""Training examples for the reader, drawn fresh every epoch from the TRAINING articles only:
  real      SQuAD 2.0 questions with their paragraph among 0-3 distractor paragraphs;
            unanswerable ones (is_impossible) and answerable ones shown without their paragraph
            (no passage contains an answer) -> abstain phrase;
  cloze     synthetic questions: a sentence of a training paragraph with a name, number or date
            replaced by a question word; the span is the answer (teaches find-and-copy)."""
import random
import re
import reader_format

SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
CAPS = re.compile(r"\b[A-Z][\w'-]+(?:\s+(?:of\s+|the\s+|de\s+|and\s+)?[A-Z][\w'-]+)*")
NUM = re.compile(r"\b\d[\d,.]*\d?(?:\s+(?:million|billion|thousand|percent|per cent|years|km|miles|people))?")


def paragraphs(articles):
    out = []
    for a in articles:
        title = a["title"].replace("_", " ")
        for p in a["paragraphs"]:
            out.append((title, p))
    return out


def cloze(context, rng):
    sents = [s for s in SENT.split(context) if 40 <= len(s) <= 300]
    if not sents:
        return None
    s = rng.choice(sents)
    cands = [(m, "num") for m in NUM.finditer(s)] + [(m, "cap") for m in CAPS.finditer(s) if m.start() > 0]
    if not cands:
        return None
    m, kind = rng.choice(cands)
    span = m.group(0).rstrip(".,")
    if kind == "num":
        wh = "what year" if re.fullmatch(r"1\d{3}|20\d{2}", span) else rng.choice(["how many", "what number"])
    else:
        wh = rng.choice(["what", "who", "which"])
    q = s[:m.start()] + wh + s[m.start() + len(span):]
    words = q.rstrip(".!? ").split()
    if len(words) > 6:  # light paraphrase noise: drop a few non-question words
        keep = [w for w in words if w in wh.split() or rng.random() > 0.15]
        words = keep
    q = " ".join(words) + "?"
    return q[0].upper() + q[1:], span


def example(gold, distract_pool, question, answer, rng, k):
    question = " ".join(question.split())
    """gold: (title, context) or None; answer: span text or None (abstain)."""
    passages = rng.sample(distract_pool, k - (1 if gold else 0))
    passages = [(t, p["context"]) for t, p in passages]
    n = None
    if gold:
        n = rng.randint(1, k)
        passages.insert(n - 1, gold)
    if answer is None or gold is None:
        if any(answer and answer in c for _, c in passages):
            return None
        answer, n = None, None
    prompt = reader_format.render(reader_format.SYSTEM, reader_format.user_message(passages, question))
    return prompt, reader_format.target(answer, n)


def epoch(train_articles, rng, cloze_per_paragraph=3):
    paras = paragraphs(train_articles)
    by_title = {}
    for tp in paras:
        by_title.setdefault(tp[0], []).append(tp)
    out = []

    def pool(title, exclude):
        same = [tp for tp in by_title[title] if tp[1] is not exclude]
        return same if rng.random() < 0.6 else [tp for tp in paras if tp[1] is not exclude]

    def k():
        return rng.choice([1, 1, 2, 3, 3, 4])

    for title, p in paras:
        gold = (title, p["context"])
        for q in p["qas"]:
            kk = k()
            if q["is_impossible"]:
                out.append(example(gold, pool(title, p), q["question"], None, rng, kk))
            else:
                ans = rng.choice(q["answers"])["text"]
                out.append(example(gold, pool(title, p), q["question"], ans, rng, kk))
                if rng.random() < 0.35:  # same question, its paragraph withheld -> abstain
                    out.append(example(None, pool(title, p), q["question"], ans, rng, kk))
        for _ in range(cloze_per_paragraph):
            c = cloze(p["context"], rng)
            if c:
                kk = k()
                if rng.random() < 0.75:
                    out.append(example(gold, pool(title, p), c[0], c[1], rng, kk))
                else:
                    out.append(example(None, pool(title, p), c[0], c[1], rng, kk))
    out = [e for e in out if e]
    rng.shuffle(out)
    return out


if __name__ == "__main__":
    import sys
    import split
    tr, _ = split.load(sys.argv[1])
    ex = epoch(tr, random.Random(0))
    print(len(ex), "examples; abstain share", sum(reader_format.ABSTAIN in t for _, t in ex) / len(ex))
    for p, t in ex[:3]:
        print(p[-400:], "=>", repr(t))
