"""Compares ways for the reader to answer or abstain over several retrieved passages, on validation articles.

Input: the JSONL that `ReaderCalibration --dump FILE --k 5` writes (per validation question: the top-5 retrieved
paragraphs and every reader window's logits, from ONNX Runtime in Java). Each rule is scored by overall F1 with
its threshold chosen on the same questions ("fit") and, to compare rules without rewarding the extra freedom,
2-fold cross-fitted (threshold chosen on the even questions, scored on the odd ones, and the other way round).
Held-out articles are never read here.

  /usr/bin/python3 retrieved_rules.py --dump /tmp/val-k5.jsonl --tokenizer tokenizer.json [--squad dev-shared.json]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from features import windows, scores  # noqa: E402
from wordpiece import WordPiece  # noqa: E402


def passage_readings(wp, q, caps):
    """Per passage: {cap: (span score, text, EM, F1)}, null score (min over windows), answerable logit (max)."""
    out = []
    for p, passage in enumerate(q["passages"]):
        ws = windows(wp, q["question"], passage["text"])
        logits = [w for w in q["windows"] if w["passage"] == p]
        assert len(ws) == len(logits) and all(len(a["ids"]) == b["tokens"] for a, b in zip(ws, logits)), \
            "Python windows differ from Java's"
        best = {c: (float("-inf"), "") for c in caps}
        null, answerable = float("inf"), float("-inf")
        for w, lg in zip(ws, logits):
            s, e = np.array(lg["start"]), np.array(lg["end"])
            ctx = [i for i, o in enumerate(w["offsets"]) if o is not None]
            lo, hi = ctx[0], ctx[-1]
            # all spans [i, j] inside the context, scored start[i] + end[j]
            m = s[lo:hi + 1, None] + e[None, lo:hi + 1]
            length = np.arange(hi - lo + 1)[None, :] - np.arange(hi - lo + 1)[:, None]
            for c in caps:
                mm = np.where((length >= 0) & (length < c), m, -np.inf)
                i, j = np.unravel_index(np.argmax(mm), mm.shape)
                if mm[i, j] > best[c][0]:
                    best[c] = (float(mm[i, j]), passage["text"][w["offsets"][lo + i][0]:w["offsets"][lo + j][1]])
            null = min(null, float(s[0] + e[0]))
            answerable = max(answerable, float(lg["answerable"]))
        best = {c: (sc, text, *scores(text, q["golds"])) for c, (sc, text) in best.items()}
        out.append({"best": best, "null": null, "answerable": answerable, "cos": passage["cos"], "gold": passage["gold"]})
    return out


MARGINS = {
    "span_minus_null": lambda r, c: r["best"][c][0] - r["null"],
    "answerable_logit": lambda r, c: r["answerable"],
    "sum": lambda r, c: r["best"][c][0] - r["null"] + r["answerable"],
}


def decide(readings, k, cap, margin, pick, rank_penalty, cos_weight):
    """(score, text) for one question: the passage chosen among the first k and its answer-or-abstain score."""
    if pick == "global":  # best span anywhere against the lowest null and highest answerable logit anywhere
        best = max(readings[:k], key=lambda r: r["best"][cap][0])
        pooled = {"best": {cap: best["best"][cap]}, "null": min(r["null"] for r in readings[:k]),
                  "answerable": max(r["answerable"] for r in readings[:k])}
        return MARGINS[margin](pooled, cap), best["best"][cap][2], best["best"][cap][3]
    cands = []
    for rank, r in enumerate(readings[:k]):
        m = MARGINS[margin](r, cap) - rank_penalty * rank + cos_weight * r["cos"]
        cands.append((m, r["best"][cap][0], r["best"][cap][2], r["best"][cap][3]))
    if pick == "margin":  # the passage whose own margin is highest (ExtractiveReader today)
        m, _, em, f1 = max(cands, key=lambda x: x[0])
    else:  # the passage with the highest raw span score, abstaining on that passage's margin
        m, _, em, f1 = max(cands, key=lambda x: x[1])
    return m, em, f1


class Outcome:
    """Per question: the decision score and the EM/F1 if it answers or abstains; thresholds vectorised."""

    def __init__(self, dec, golds):
        self.score = np.array([d[0] for d in dec])
        self.em_ans, self.f1_ans = np.array([d[1] for d in dec]), np.array([d[2] for d in dec])
        self.has = np.array([bool(g) for g in golds])
        self.abstain = (~self.has).astype(float)  # abstaining scores 1 exactly on unanswerable questions

    def f1_at(self, t, idx=slice(None)):
        return 100.0 * np.mean(np.where(self.score[idx] > t, self.f1_ans[idx], self.abstain[idx]))

    def best_threshold(self, idx=slice(None)):
        """The threshold with the best F1 on questions idx: answering the j highest scores, for every j at a
        boundary between distinct scores (sorted once, then cumulative sums)."""
        sc, ans, abst = self.score[idx], self.f1_ans[idx], self.abstain[idx]
        order = np.argsort(-sc, kind="stable")
        sc, ans, abst = sc[order], ans[order], abst[order]
        # F1 sum when answering the first j: sum(ans[:j]) + sum(abst[j:])
        total = np.concatenate([[0.0], np.cumsum(ans)]) + np.concatenate([[abst.sum()], abst.sum() - np.cumsum(abst)])
        ok = np.concatenate([[True], sc[1:] < sc[:-1], [True]])  # j where the j-th and (j+1)-th scores differ
        j = int(np.argmax(np.where(ok, total, -np.inf)))
        t = sc[0] + 1e-6 if j == 0 else (sc[j - 1] + sc[j]) / 2 if j < len(sc) else sc[-1] - 1e-6
        return float(t), 100.0 * total[j] / len(sc)

    def crossfit(self):
        idx = np.arange(len(self.score))
        total = 0.0
        for fold in (0, 1):
            fit, test = idx[idx % 2 == fold], idx[idx % 2 != fold]
            t, _ = self.best_threshold(fit)
            total += self.f1_at(t, test) * len(test)
        return total / len(idx)

    def summary(self, t):
        ans = self.score > t
        em = np.where(ans, self.em_ans, self.abstain)
        f1 = np.where(ans, self.f1_ans, self.abstain)
        r = lambda x: round(100 * float(np.mean(x)), 2)
        return {"em": r(em), "f1": r(f1), "has_f1": r(f1[self.has]), "no_acc": r(em[~self.has]),
                "answered": int(ans.sum()), "threshold": round(t, 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", help="write the table as JSON here")
    ap.add_argument("--squad", help="the SQuAD file, to name each question's article for a leave-one-article-out check")
    args = ap.parse_args()
    wp = WordPiece(args.tokenizer)
    caps = (10, 15, 20, 30)
    qs = [json.loads(line) for line in open(args.dump, encoding="utf-8")]
    readings = [passage_readings(wp, q, caps) for q in qs]
    golds = [q["golds"] for q in qs]
    kmax = len(qs[0]["passages"])
    print(f"{len(qs)} questions, {sum(1 for g in golds if g)} answerable; gold paragraph in top-k:",
          {k: round(np.mean([any(p["gold"] for p in q["passages"][:k]) for q in qs]), 4) for k in range(1, kmax + 1)})
    rows, outcomes = [], {}
    for k in range(1, kmax + 1):
        for cap in caps:
            for margin in MARGINS:
                for pick in ("margin", "span", "global"):
                    for rank_penalty in (0.0, 0.5, 1.0, 2.0):
                        for cos_weight in (0.0, 10.0, 20.0):
                            if (rank_penalty and cos_weight) or (pick == "global" and (rank_penalty or cos_weight)):
                                continue
                            rule = (k, cap, margin, pick, rank_penalty, cos_weight)
                            o = outcomes[rule] = Outcome([decide(r, *rule) for r in readings], golds)
                            t, _ = o.best_threshold()
                            rows.append({"k": k, "cap": cap, "margin": margin, "pick": pick, "rank_penalty": rank_penalty,
                                         "cos_weight": cos_weight, "crossfit_f1": round(o.crossfit(), 2), **o.summary(t)})
    if args.squad:
        # Choosing the rule is itself fitting: pick rule and threshold on two articles, score the third.
        title = {qa["id"]: a["title"] for a in json.load(open(args.squad, encoding="utf-8"))["data"]
                 for p in a["paragraphs"] for qa in p["qas"]}
        arts = np.array([title[q["id"]] for q in qs])
        base = (3, 30, "span_minus_null", "margin", 0.0, 0.0)
        for name, pool in (("whole grid", list(outcomes)), ("today's rule, threshold refitted", [base])):
            total, per = 0.0, {}
            for t in sorted(set(arts)):
                fit, test = np.where(arts != t)[0], np.where(arts == t)[0]
                rule = max(pool, key=lambda c: outcomes[c].best_threshold(fit)[1])
                th, _ = outcomes[rule].best_threshold(fit)
                f = outcomes[rule].f1_at(th, test)
                per[t] = {"f1": round(f, 2), "rule": rule, "threshold": round(th, 4)}
                total += f * len(test)
            print(f"leave-one-article-out, {name}: F1 {total / len(qs):.2f}", json.dumps(per))
    rows.sort(key=lambda r: -r["crossfit_f1"])
    for r in rows[:25]:
        print(json.dumps(r))
    base = [r for r in rows if r["k"] == 3 and r["cap"] == 30 and r["margin"] == "span_minus_null" and r["pick"] == "margin"
            and r["rank_penalty"] == 0 and r["cos_weight"] == 0]
    print("today's rule (k 3, cap 30, span_minus_null, pick by margin):", json.dumps(base[0]))
    if args.out:
        json.dump(rows, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
