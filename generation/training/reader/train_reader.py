"""Fine-tunes a pretrained BERT encoder (from its ONNX export) as an extractive SQuAD 2.0 reader.

Data split (whole articles): the five held-out articles of ../split.py are never read here; of the 20
training articles, VALIDATION_POSITIONS are kept out of training and used to choose the epoch and the
no-answer threshold. Runs on CPU with bf16 autocast (AMX).

Hard negatives (--hard-negatives N): each training question is also paired with the N paragraphs of the
training articles that the base encoder ranks highest for it, other than its own, labelled "no answer".
That is what the reader meets behind /v1/ask, where it reads the top retrieved passages and must not
answer from a wrong one. Validation then also scores that setting: each validation question against its
top-3 paragraphs retrieved the same way from the validation articles, the answer taken from the passage
with the highest margin (as the Java reader does).

  /usr/bin/python3 train_reader.py --onnx bge.onnx --tokenizer tokenizer.json --squad dev-shared.json --out DIR
  /usr/bin/python3 train_reader.py ... --init DIR/reader.pt --hard-negatives 1 --epochs 1 --lr 3e-5 --out DIR2
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from split import load  # noqa: E402
from bert import from_onnx  # noqa: E402
from features import windows, label, best_span, scores  # noqa: E402
from wordpiece import WordPiece  # noqa: E402

VALIDATION_POSITIONS = (3, 10, 17)  # positions in the list of 20 training articles


def questions(articles):
    for art in articles:
        for para in art["paragraphs"]:
            for qa in para["qas"]:
                golds = [a["text"] for a in qa["answers"]] if not qa.get("is_impossible") else []
                first = qa["answers"][0] if golds else None
                yield {"id": qa["id"], "question": qa["question"], "context": para["context"], "golds": golds,
                       "start": first["answer_start"] if first else None,
                       "end": first["answer_start"] + len(first["text"]) if first else None}


def embed(model, wp, texts, batch_size=64, max_len=512):
    """Unit-length [CLS] vectors of the base encoder (bge's own pooling), in the input order."""
    model.eval()
    encoded = [[wp.cls] + wp.encode(t)[0][:max_len - 2] + [wp.sep] for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    out = np.zeros((len(texts), model.word.weight.shape[1]), dtype=np.float32)
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for b in range(0, len(order), batch_size):
            idx = order[b:b + batch_size]
            batch = [{"ids": encoded[i], "types": [0] * len(encoded[i])} for i in idx]
            cls = model.encode(*pad(batch, wp.pad))[:, 0].float()
            out[idx] = F.normalize(cls, dim=-1).numpy()
    return out


def retrieve(base, wp, qs, articles, k):
    """Per question, the contexts of its top-k paragraphs among the articles' paragraphs by dense similarity."""
    contexts = [p["context"] for a in articles for p in a["paragraphs"]]
    sims = embed(base, wp, [q["question"] for q in qs]) @ embed(base, wp, contexts).T
    return [[contexts[j] for j in np.argsort(-row)[:k]] for row in sims]


def pad(batch, pad_id):
    t = max(len(w["ids"]) for w in batch)
    ids = torch.full((len(batch), t), pad_id, dtype=torch.long)
    types = torch.zeros((len(batch), t), dtype=torch.long)
    mask = torch.zeros((len(batch), t), dtype=torch.long)
    for i, w in enumerate(batch):
        n = len(w["ids"])
        ids[i, :n] = torch.tensor(w["ids"])
        types[i, :n] = torch.tensor(w["types"])
        mask[i, :n] = 1
    return ids, mask, types


def predict(model, wp, qs, passages=None, batch_size=64):
    """Per question and passage (its own context unless `passages` lists them per question): best span text,
    its span score, the null score (start[0]+end[0]) and the answerable logit, each taken over the passage's
    windows as the Java reader does. Returns one list of passage readings per question."""
    model.eval()
    passages = passages or [[q["context"]] for q in qs]
    feats = []
    for qi, q in enumerate(qs):
        for pi, ctx in enumerate(passages[qi]):
            for w in windows(wp, q["question"], ctx):
                w["q"], w["p"] = qi, pi
                feats.append(w)
    feats.sort(key=lambda w: len(w["ids"]))
    out = [[{"span": float("-inf"), "text": "", "null": float("inf"), "answerable": float("-inf")} for _ in ps]
           for ps in passages]
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for b in range(0, len(feats), batch_size):
            batch = feats[b:b + batch_size]
            s, e, a = model(*pad(batch, wp.pad))
            s, e, a = s.float().numpy(), e.float().numpy(), a.float().numpy()
            for i, w in enumerate(batch):
                o = out[w["q"]][w["p"]]
                n = len(w["ids"])
                span, si, ei = best_span(s[i, :n], e[i, :n], w["offsets"])
                if span > o["span"]:
                    ctx = passages[w["q"]][w["p"]]
                    o["span"], o["text"] = float(span), ctx[w["offsets"][si][0]:w["offsets"][ei][1]]
                o["null"] = min(o["null"], float(s[i, 0] + e[i, 0]))
                o["answerable"] = max(o["answerable"], float(a[i]))
    return out


MARGINS = {
    "span_minus_null": lambda p: p["span"] - p["null"],
    "answerable_logit": lambda p: p["answerable"],
    "sum": lambda p: p["span"] - p["null"] + p["answerable"],
}


def no_answer_margins(readings):
    """Candidate 'answer rather than abstain' scores (higher means answer), each with the answer it would give:
    per question, the passage with the highest margin, as the Java reader picks it."""
    out = {}
    for name, margin in MARGINS.items():
        chosen = [max(ps, key=margin) for ps in readings]
        out[name] = (np.array([margin(p) for p in chosen]), chosen)
    return out


def auc(score, positive):
    order = np.argsort(score)
    ranks = np.empty(len(score)); ranks[order] = np.arange(1, len(score) + 1)
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def evaluate(qs, preds, margin, threshold):
    """SQuAD EM/F1 when each question is answered with its prediction's text if its margin clears the threshold."""
    em = f1 = 0.0
    ans = {"em": 0.0, "f1": 0.0, "n": 0}
    una = {"em": 0.0, "f1": 0.0, "n": 0}
    for q, p, m in zip(qs, preds, margin):
        text = p["text"] if m > threshold else ""
        e, f = scores(text, q["golds"])
        em += e; f1 += f
        d = ans if q["golds"] else una
        d["em"] += e; d["f1"] += f; d["n"] += 1
    n = len(qs)
    r = lambda x, k: 100.0 * x / max(k, 1)
    return {"em": r(em, n), "f1": r(f1, n), "answerable_f1": r(ans["f1"], ans["n"]),
            "unanswerable_f1": r(una["f1"], una["n"]), "n": n}


def choose_threshold(qs, preds, margin):
    best = (-1.0, 0.0)
    for t in np.unique(np.quantile(margin, np.linspace(0, 1, 201))):
        res = evaluate(qs, preds, margin, t)
        if res["f1"] > best[0]:
            best = (res["f1"], float(t))
    return best[1]


def validate(model, wp, val_qs, val_passages):
    """Threshold, AUC and scores per margin, on the gold paragraph and (when given) on retrieved passages."""
    positive = np.array([bool(q["golds"]) for q in val_qs])
    report = {}
    for mode, passages in (("gold", None), ("retrieved", val_passages)):
        if mode == "retrieved" and passages is None:
            continue
        readings = predict(model, wp, val_qs, passages)
        margins = no_answer_margins(readings)
        spans = [max(ps, key=lambda p: p["span"]) for ps in readings]
        section = {"forced_answerable_f1": evaluate(val_qs, spans, np.ones(len(spans)), 0.0)["answerable_f1"],
                   "margins": {}}
        for name, (m, chosen) in margins.items():
            t = choose_threshold(val_qs, chosen, m)
            section["margins"][name] = {"auc": auc(m, positive), "threshold": t, **evaluate(val_qs, chosen, m, t)}
        report[mode] = section
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--squad", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=75.0, help="wall-clock budget for training")
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--answerable-weight", type=float, default=0.5)
    ap.add_argument("--init", help="reader.pt of an earlier run to continue from (its heads included)")
    ap.add_argument("--hard-negatives", type=int, default=0,
                    help="retrieved other paragraphs per training question, labelled no answer")
    ap.add_argument("--select-on", choices=["gold", "retrieved"], default="gold",
                    help="validation setting whose best F1 chooses the epoch and margin")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed); random.seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 2)

    wp = WordPiece(args.tokenizer)
    train_articles, held_out = load(args.squad)
    val_articles = [a for i, a in enumerate(train_articles) if i in VALIDATION_POSITIONS]
    fit_articles = [a for i, a in enumerate(train_articles) if i not in VALIDATION_POSITIONS]
    val_qs = list(questions(val_articles))
    fit_qs = list(questions(fit_articles))
    feats = []
    for q in fit_qs:
        for w in windows(wp, q["question"], q["context"]):
            w["label"] = label(w, q["start"], q["end"])
            feats.append(w)
    val_passages = None
    if args.hard_negatives or args.select_on == "retrieved":
        base = from_onnx(args.onnx)
        val_passages = retrieve(base, wp, val_qs, val_articles, 3)
        if args.hard_negatives:
            ranked = retrieve(base, wp, fit_qs, fit_articles, args.hard_negatives + 1)
            for q, contexts in zip(fit_qs, ranked):
                for ctx in [c for c in contexts if c != q["context"]][:args.hard_negatives]:
                    for w in windows(wp, q["question"], ctx):
                        w["label"] = (0, 0)
                        feats.append(w)
        del base
    json.dump(vars(args), open(os.path.join(args.out, "args.json"), "w"), indent=2)
    log = open(os.path.join(args.out, "train-log.txt"), "a")

    def say(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True); log.write(line + "\n"); log.flush()

    say(f"fit articles {len(fit_articles)}, features {len(feats)} (answerable windows "
        f"{sum(1 for f in feats if f['label'] != (0, 0))}); validation articles "
        f"{[a['title'] for a in val_articles]}, questions {len(val_qs)}; hard negatives per question "
        f"{args.hard_negatives}")

    model = from_onnx(args.onnx)
    if args.init:
        model.load_state_dict(torch.load(args.init))
        say(f"continuing from {args.init}")
    # The word-embedding table (a third of the weights) stays as pretrained: a few thousand questions cannot
    # improve it, and its dense gradient and optimizer update cost time on a CPU.
    model.word.weight.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    steps_total = args.epochs * math.ceil(len(feats) / args.batch)
    warmup = max(1, steps_total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps_total - s) / (steps_total - warmup))))
    started, step, best = time.time(), 0, None

    def keep_if_best(report):
        nonlocal best
        choice = max(report[args.select_on]["margins"].items(), key=lambda kv: kv[1]["f1"])
        if best is None or choice[1]["f1"] > best["f1"]:
            best = {"epoch": report["epoch"], "margin": choice[0], "threshold": choice[1]["threshold"],
                    "f1": choice[1]["f1"], "selected_on": args.select_on, "validation": report}
            torch.save(model.state_dict(), os.path.join(args.out, "reader.pt"))
            json.dump(best, open(os.path.join(args.out, "best.json"), "w"), indent=2)
            say(f"saved epoch {report['epoch']}: {choice[0]} threshold {choice[1]['threshold']:.4f} "
                f"F1 {choice[1]['f1']:.2f} ({args.select_on})")

    if args.init:  # the starting point is a candidate too, scored by the same validation
        report = {"epoch": 0, "step": 0, "minutes": 0.0, **validate(model, wp, val_qs, val_passages)}
        say("validation " + json.dumps(report))
        keep_if_best(report)

    for epoch in range(1, args.epochs + 1):
        model.train()
        random.shuffle(feats)
        # Similar lengths in a batch keep padding (and CPU time) down: sort within pools of 50 batches.
        pool = args.batch * 50
        ordered = [w for i in range(0, len(feats), pool) for w in sorted(feats[i:i + pool], key=lambda w: len(w["ids"]))]
        batches = [ordered[i:i + args.batch] for i in range(0, len(ordered), args.batch)]
        random.shuffle(batches)
        seen, epoch_started = 0, time.time()
        for batch in batches:
            ids, mask, types = pad(batch, wp.pad)
            start_t = torch.tensor([w["label"][0] for w in batch])
            end_t = torch.tensor([w["label"][1] for w in batch])
            has = torch.tensor([float(w["label"] != (0, 0)) for w in batch])
            with torch.autocast("cpu", dtype=torch.bfloat16):
                s, e, a = model(ids, mask, types)
            neg = torch.finfo(torch.float32).min
            s = s.float().masked_fill(mask == 0, neg)
            e = e.float().masked_fill(mask == 0, neg)
            loss = (F.cross_entropy(s, start_t) + F.cross_entropy(e, end_t)) / 2 \
                + args.answerable_weight * F.binary_cross_entropy_with_logits(a.float(), has)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); step += 1; seen += len(batch)
            if step % 20 == 0:
                el = time.time() - started
                say(f"epoch {epoch} step {step}/{steps_total} loss {loss.item():.4f} "
                    f"{seen / max(time.time() - epoch_started, 1):.1f} feat/s elapsed {el / 60:.1f} min")
            if time.time() - started > args.minutes * 60:
                break
        report = {"epoch": epoch, "step": step, "minutes": (time.time() - started) / 60,
                  **validate(model, wp, val_qs, val_passages)}
        say("validation " + json.dumps(report))
        keep_if_best(report)
        if time.time() - started > args.minutes * 60:
            say("time budget reached")
            break


if __name__ == "__main__":
    main()
