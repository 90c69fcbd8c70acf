"""Writes the request paths bench/perf.sh replays: N lines, one path each.
usage: paths.py MODE LIVE GONE N OUT   (MODE zipf or uniform)
The mix: 80% live ids (200), 10% permanently deleted ids (410), 10% ids
that never existed (404). zipf draws ranks with s=1.0 over each population,
the hot ids scattered over the key space; uniform draws every id alike."""
import bisect, itertools, random, sys
mode, live, tombs, n, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rnd = random.Random(42)

def sampler(size):
    if mode == "uniform":
        return lambda: rnd.randrange(size)
    cum = list(itertools.accumulate(1.0 / (k + 1) for k in range(size)))
    perm = list(range(size)); rnd.shuffle(perm)
    return lambda: perm[min(bisect.bisect_left(cum, rnd.random() * cum[-1]), size - 1)]

pick_live, pick_tomb = sampler(live), sampler(max(tombs, 1))
with open(out, "w") as f:
    for _ in range(n):
        r = rnd.random()
        if r < 0.8:
            f.write(f"/api/users/u{pick_live():07d}\n")
        elif r < 0.9 and tombs:
            f.write(f"/api/users/t{pick_tomb():07d}\n")
        else:
            f.write(f"/api/users/x{rnd.randrange(10**9):09d}\n")
