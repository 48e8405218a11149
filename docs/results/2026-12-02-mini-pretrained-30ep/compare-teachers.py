"""KD with the new shipped cnn-teacher minus KD with the first one, paired by seed, at the chosen
setting (T=1, alpha=0.9), from the stored runs of the two mini-set studies. Standard library only.
Run from this folder: python3 compare-teachers.py > compare-teachers.txt"""
import json
import math
import statistics

OLD = '../2026-12-01-mini-pretrained'  # cnn-teacher.fashion-mnist, weights 25d9698f2856adc6
NEW = '.'  # cnn-teacher-30ep.fashion-mnist
T_975_DF4 = 2.7764  # two-sided 95% t quantile, 4 degrees of freedom (5 seeds)


def rows(folder, regime, seed):
    path = f'{folder}/runs/pretrained-cnn-teacher-to-cnn-student/{regime}/seed{seed}/T1-a0.9.json'
    with open(path) as f:
        return json.load(f)['result']['rows']


for regime in ('full-data', '10pct-of-labels'):
    for role in ('kd', 'scratch', 'teacher'):
        diffs = [
            100 * (rows(NEW, regime, s)[role]['accuracy'] - rows(OLD, regime, s)[role]['accuracy'])
            for s in range(5)
        ]
        mean = statistics.mean(diffs)
        half = T_975_DF4 * statistics.stdev(diffs) / math.sqrt(len(diffs))
        print(
            f'{regime} {role}: new - first teacher, per seed {[round(d, 2) for d in diffs]}, '
            f'mean {mean:+.2f} pt [{mean - half:+.2f}, {mean + half:+.2f}]'
        )
