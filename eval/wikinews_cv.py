"""Cross-validation on the Wikinews training split: judge extraction changes without the
held-out set.

    python eval/wikinews_cv.py train [--folds 3] [--copies 1]  # a model per fold (minutes each)
    python eval/wikinews_cv.py score [--folds 3] [--copies 1]  # F1 over the left-out folds
    python eval/wikinews_cv.py testa [--folds 3] [--copies 1]  # each fold model on eng.testa

The training articles (`eval/wikinews-train.conll`, in the split's SHA-1 order) are
dealt into folds by position (article i goes to fold i mod k). Fold f's model is trained
as the shipped one is, on `eng.train`, the AG News and BBC annotations (`eval/sites_train.py`,
rebuilt for each fold; `--without SITE` leaves one out) and `--copies` copies of the
other folds' articles (`--extra FILE` adds another CoNLL file); then
`extract_entities` runs on fold f's articles with that model, without the second look at
values (`first_pass`), and is scored at document level against their annotations (person,
organization, place; misc ignored), as `eval/entities.py` scores the held-out set. The
held-out set is never read.

A variant (other word clusters, say) gets its own models: `--clusters FILE` trains and
scores with that clusters file instead of the shipped one (`--gazetteer FILE` the same for
the name lists, `--known-names DIR` for the lists of known names), and `--name NAME` keeps its
models under `eval/.cache/cv/NAME/`, beside the shipped configuration's. `testa` scores
each fold's model on `eng.testa` (span F1 and document F1), a second check that a change
generalises beyond the web articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import corpora_dir  # noqa: E402
from eval import sites_train  # noqa: E402
from eval.doclevel import KINDS  # noqa: E402
from eval.doclevel import score as doc_score  # noqa: E402
from eval.wikinews_train import OUT as TRAIN_CONLL  # noqa: E402
from eval.wikinews_train import demo_texts, load_annotations  # noqa: E402

CACHE = ROOT / "eval" / ".cache" / "cv"
SITES = tuple(sites_train.SITES)  # the other sites whose annotated articles it trains on


def conll_articles(path: Path = TRAIN_CONLL) -> list[tuple[str, str]]:
    """(article id, its CoNLL lines) in file order."""
    out: list[tuple[str, str]] = []
    for chunk in path.read_text(encoding="utf-8").split("-DOCSTART- ")[1:]:
        ident, _, rest = chunk.partition("\n")
        out.append((ident.strip(), "-DOCSTART- " + ident.strip() + "\n" + rest))
    return out


def annotated() -> dict[str, dict[str, set[str]]]:
    """Training article id -> its annotated strings per kind."""
    return {
        row["id"]: {kind: set(row.get(kind) or []) for kind in KINDS} for row in load_annotations()
    }


def fold_ids(k: int) -> list[list[str]]:
    """Article ids per fold: article i of the training file goes to fold i mod k."""
    ids = [ident for ident, _ in conll_articles()]
    return [ids[f::k] for f in range(k)]


def model_path(fold: int, k: int, copies: int, name: str = "") -> Path:
    return CACHE / name / f"fold{fold}of{k}x{copies}.crfsuite"


def use_tables(
    clusters: str | None = None, gazetteer: str | None = None, known_names: str | None = None
) -> None:
    """Train and tag with the word clusters and name lists in these files and the lists of
    known names in this folder (None: the shipped ones)."""
    from index.entities import clusters as clusters_module
    from index.entities import gazetteer as gazetteer_module
    from index.entities import known_names as known_names_module

    if clusters:
        clusters_module.CLUSTERS_PATH = Path(clusters).resolve()
        clusters_module.load_clusters.cache_clear()
    if gazetteer:
        gazetteer_module.GAZETTEER_PATH = Path(gazetteer).resolve()
        gazetteer_module.load_gazetteer.cache_clear()
    if known_names:
        known_names_module.KNOWN_NAMES_DIR = Path(known_names).resolve()


def training_files(
    fold: int,
    k: int,
    copies: int = 1,
    name: str = "",
    extra: list[Path] | None = None,
    sites: tuple[str, ...] = SITES,
) -> list[Path]:
    """What fold `fold`'s model trains on, as the shipped one does: eng.train, the annotated
    articles of the other `sites`, the `extra` CoNLL files and `copies` copies of the other
    folds' articles (all written to the variant's folder, each site's file one per fold:
    folds train in parallel)."""
    folder = CACHE / name
    folder.mkdir(parents=True, exist_ok=True)
    files = [corpora_dir() / "conll2003" / "eng.train"]
    for site in sites:
        files.append(folder / f"{site}{fold}of{k}.conll")
        sites_train.build(site, files[-1])
    articles = conll_articles()
    rest = folder / f"rest{fold}of{k}x{copies}.conll"
    rest.write_text("".join(text for i, (_, text) in enumerate(articles) if i % k != fold))
    return files + list(extra or []) + [rest] * copies


def train_fold(
    fold: int,
    k: int,
    copies: int,
    name: str = "",
    extra: list[Path] | None = None,
    sites: tuple[str, ...] = SITES,
) -> dict:
    """Train fold `fold`'s model on its `training_files`."""
    from index.entities.train import train

    files = training_files(fold, k, copies, name, extra, sites)
    return train(files, model_path(fold, k, copies, name))


def first_pass(text: str) -> dict[str, list[str]]:
    """The values of `extract_entities("", text)` before the second look (`value_kinds`),
    whose weights learnt from these very articles: the tagger and the rules alone. The
    second look is measured by nested cross-validation, `eval/value_kinds_train.py --cv`."""
    from index.entities import first_values
    from index.entities.furniture import clean_text

    return first_values([clean_text(f"\n\n{text}")])[0].values


def score_testa(k: int, copies: int, name: str = "") -> dict[str, dict[str, float]]:
    """Each fold model's eng.testa span F1 (conlleval's) and document F1 (overall)."""
    from eval.doclevel import conll_documents
    from index.entities import tagger
    from index.entities.train import read_documents, score_documents

    testa = corpora_dir() / "conll2003" / "eng.testa"
    documents = list(read_documents(testa))
    docs = conll_documents(testa)
    out = {}
    for fold in range(k):
        model = tagger.Tagger(model_path(fold, k, copies, name))
        tagger._local.tagger = model  # what get_tagger returns
        span = score_documents(model, documents)
        doc = doc_score(docs, first_pass)
        out[f"fold{fold}"] = {"span": span["overall"]["f1"], "doc": doc["overall"]["f1"]}
    return out


def score_folds(
    k: int, copies: int, errors: bool = False, shipped: bool = False, name: str = ""
) -> dict:
    """Document-level scores over every left-out fold (micro-averaged), one model per fold;
    with `errors`, each article's missed and wrong values are printed (training side only)."""
    from index.entities import tagger
    from index.entities.folding import key

    texts = demo_texts()
    gold = annotated()
    docs_by_fold = []
    for fold, ids in enumerate(fold_ids(k)):
        path = tagger.MODEL_PATH if shipped else model_path(fold, k, copies, name)
        tagger._local.tagger = tagger.Tagger(path)  # what get_tagger returns
        extracted = {i: first_pass(texts[i]) for i in ids}
        docs_by_fold.append([(i, gold[i], extracted[i]) for i in ids])
    docs = [(i, g) for fold in docs_by_fold for i, g, _ in fold]
    predicted = {i: e for fold in docs_by_fold for i, _, e in fold}
    if errors:
        for ident, g in docs:
            for kind in KINDS:
                gold_keys = {key(v) for v in g[kind]}
                got = {key(v): v for v in predicted[ident].get(kind, ())}
                missed = sorted(v for v in g[kind] if key(v) not in gold_keys & got.keys())
                wrong = sorted(v for k, v in got.items() if k not in gold_keys)
                if missed or wrong:
                    print(f"{ident[9:60]:51} {kind[:3]} missed {missed} wrong {wrong}")
    return doc_score(docs, lambda ident: predicted[ident])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("train", "score", "testa"))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1, help="copies of the web articles")
    parser.add_argument("--fold", type=int, help="train only this fold")
    parser.add_argument("--errors", action="store_true", help="print each article's errors")
    parser.add_argument("--shipped", action="store_true", help="score the shipped model instead")
    parser.add_argument("--clusters", help="word clusters file to train and tag with")
    parser.add_argument("--gazetteer", help="name lists file to train and tag with")
    parser.add_argument("--known-names", help="folder of known-name lists to train and tag with")
    parser.add_argument("--name", default="", help="keep this variant's models apart")
    parser.add_argument(
        "--extra", type=Path, action="append", help="another CoNLL file to train on (repeatable)"
    )
    parser.add_argument(
        "--without",
        choices=SITES,
        action="append",
        default=[],
        help="train without this site's annotations (repeatable)",
    )
    args = parser.parse_args(argv)
    use_tables(args.clusters, args.gazetteer, args.known_names)
    if args.action == "train":
        for fold in [args.fold] if args.fold is not None else range(args.folds):
            sites = tuple(site for site in SITES if site not in args.without)
            scores = train_fold(fold, args.folds, args.copies, args.name, args.extra, sites)
            print(fold, scores, flush=True)
        return 0
    if args.action == "testa":
        for fold, s in score_testa(args.folds, args.copies, args.name).items():
            print(f"{fold}  span F1 {s['span']:.4f}  doc F1 {s['doc']:.4f}", flush=True)
        return 0
    scores = score_folds(args.folds, args.copies, args.errors, args.shipped, args.name)
    for kind, s in scores.items():
        p, r, f = s["precision"], s["recall"], s["f1"]
        print(f"{kind:13} P {p:.4f}  R {r:.4f}  F1 {f:.4f}  gold {s['gold']}")
    print(json.dumps({kind: round(s["f1"], 4) for kind, s in scores.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
