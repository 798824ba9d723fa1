"""Prints, for a trained reader, how overall / answerable / unanswerable F1 trade off against the abstention
threshold on the validation articles, read as the service reads (top-3 paragraphs retrieved by the base encoder
from the validation articles, answer from the passage with the highest margin). Validation only: the held-out
articles are never read.

  /usr/bin/python3 threshold_curve.py --run DIR --onnx bge.onnx --tokenizer tokenizer.json --squad dev-shared.json
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bert import from_onnx  # noqa: E402
from split import load  # noqa: E402
from train_reader import VALIDATION_POSITIONS, evaluate, no_answer_margins, predict, questions, retrieve  # noqa: E402
from wordpiece import WordPiece  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--squad", required=True)
    ap.add_argument("--k", type=int, default=3)
    ap.add_argument("--points", type=int, default=41)
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 2)
    wp = WordPiece(args.tokenizer)
    train, _ = load(args.squad)
    val = [a for i, a in enumerate(train) if i in VALIDATION_POSITIONS]
    qs = list(questions(val))
    passages = retrieve(from_onnx(args.onnx), wp, qs, val, args.k)
    model = from_onnx(args.onnx)
    model.load_state_dict(torch.load(os.path.join(args.run, "reader.pt")))
    readings = predict(model, wp, qs, passages)
    floor = 100.0 * sum(1 for q in qs if not q["golds"]) / len(qs)
    curve = {"k": args.k, "questions": len(qs), "floor": floor, "margins": {}}
    for name, (margin, chosen) in no_answer_margins(readings).items():
        rows = []
        for t in np.quantile(margin, np.linspace(0.05, 0.95, args.points)):
            r = evaluate(qs, chosen, margin, t)
            rows.append({"threshold": float(t), "answered": int((margin > t).sum()), **r})
        curve["margins"][name] = rows
        print(f"{name} (floor {floor:.2f})")
        for r in rows:
            print(f"  t {r['threshold']:7.3f} answered {r['answered']:4d}  F1 {r['f1']:6.2f}  "
                  f"answerable {r['answerable_f1']:6.2f}  unanswerable {r['unanswerable_f1']:6.2f}")
    json.dump(curve, open(os.path.join(args.run, f"threshold-curve-k{args.k}.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
