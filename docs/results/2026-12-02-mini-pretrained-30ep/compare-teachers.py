"""A study with the new shipped cnn-teacher minus one with the first, paired by seed, at one KD
setting, from the stored runs of both (teacher, scratch and KD rows). Standard library only.

  python3 compare-teachers.py FIRST_STUDY NEW_STUDY SETTING_STEM REGIME...

This folder's compare-teachers.txt, run from docs/results:
  python3 2026-12-02-mini-pretrained-30ep/compare-teachers.py 2026-12-01-mini-pretrained \
    2026-12-02-mini-pretrained-30ep T1-a0.9 full-data 10pct-of-labels
"""
import json
import math
import statistics
import sys

T_975 = {4: 2.7764}  # two-sided 95% t quantiles by degrees of freedom (5 seeds: 4)
PAIR = 'pretrained-cnn-teacher-to-cnn-student'


def rows(study, regime, seed, stem):
    with open(f'{study}/runs/{PAIR}/{regime}/seed{seed}/{stem}.json') as f:
        return json.load(f)['result']['rows']


first, new, stem, *regimes = sys.argv[1:]
seeds = range(5)
for regime in regimes:
    for role in ('kd', 'scratch', 'teacher'):
        diffs = [
            100 * (rows(new, regime, s, stem)[role]['accuracy'] - rows(first, regime, s, stem)[role]['accuracy'])
            for s in seeds
        ]
        mean = statistics.mean(diffs)
        half = T_975[len(diffs) - 1] * statistics.stdev(diffs) / math.sqrt(len(diffs))
        print(
            f'{regime} {role} at {stem}: new - first teacher, per seed {[round(d, 2) for d in diffs]}, '
            f'mean {mean:+.2f} pt [{mean - half:+.2f}, {mean + half:+.2f}]'
        )
