#!/usr/bin/python3
"""ROC AUC and fit+score time of scikit-learn's LocalOutlierFactor and
OneClassSVM on the ODDS sets, with loghunt's defaults for method=lof and
method=ocsvm: LOF n_neighbors=20 (novelty=False, the score of a training row
is -negative_outlier_factor_); OneClassSVM kernel=rbf nu=0.5 gamma='scale'
(score -decision_function). Every set is fitted and scored on all its rows.

usage: /usr/bin/python3 bench/odds_sklearn.py ODDS_DIR [--ocsvm-max N] > detect/testdata/odds_sklearn.csv
       /usr/bin/python3 bench/odds_sklearn.py --speed N D [lof,ocsvm]   (Gaussian N x D, 1% outliers)

OneClassSVM is exact and O(n^2) or worse: sets with more than --ocsvm-max
rows (default 12000) are not run and are written with an empty auc.
Output: CSV dataset,method,n,d,auc,seconds on stdout; progress on stderr.
"""
import csv, gzip, io, os, sys, time
import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor
from sklearn.svm import OneClassSVM


def lof(X):
    m = LocalOutlierFactor(n_neighbors=20)
    m.fit(X)
    return -m.negative_outlier_factor_


def ocsvm(X):
    m = OneClassSVM(kernel="rbf", nu=0.5, gamma="scale").fit(X)
    return -m.decision_function(X)


def read(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        a = np.loadtxt(f, delimiter=",", skiprows=1)
    return a[:, :-1], a[:, -1] == 1


def timed(fn, X):
    t = time.time()
    s = fn(X)
    return s, time.time() - t


def speed(n, d, methods):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(n, d)); X[: n // 100] += 6
    for name, fn in (("lof", lof), ("ocsvm", ocsvm)):
        if name not in methods:
            continue
        _, sec = timed(fn, X)
        print("speed,%s,%d,%d,,%.2f" % (name, n, d, sec), flush=True)


def main():
    args = sys.argv[1:]
    if args and args[0] == "--speed":
        print("dataset,method,n,d,auc,seconds")
        speed(int(args[1]), int(args[2]), args[3].split(",") if len(args) > 3 else ["lof", "ocsvm"])
        return
    odds = args[0]
    ocsvm_max = 12000
    if "--ocsvm-max" in args:
        ocsvm_max = int(args[args.index("--ocsvm-max") + 1])
    with open(os.path.join(odds, "reference_auc.csv")) as f:
        sets = list(csv.DictReader(f))
    print("# scikit-learn %s, numpy %s; bench/odds_sklearn.py" % (sklearn.__version__, np.__version__))
    print("dataset,method,n,d,auc,seconds")
    for s in sets:
        if s["dataset"] == "http_full":
            continue  # http.csv is its 50% subsample; the full set adds only time
        X, y = read(os.path.join(odds, s["file"]))
        n, d = X.shape
        for name, fn in (("lof", lof), ("ocsvm", ocsvm)):
            if name == "ocsvm" and n > ocsvm_max:
                print("%s,%s,%d,%d,," % (s["dataset"], name, n, d), flush=True)
                continue
            sc, sec = timed(fn, X)
            print("%s,%s,%d,%d,%.4f,%.2f" % (s["dataset"], name, n, d, roc_auc_score(y, sc), sec), flush=True)
            print(s["dataset"], name, "%.2fs" % sec, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
