"""Projected data-parallel step time and efficiency (docs/spark-scaling.md): python3 spark-projection.py
MODEL_MB IMAGES_PER_S_PER_WORKER BATCH_PER_WORKER T_JOB_S T_UPDATE_S"""
import math, sys
M = float(sys.argv[1])      # MB per vector
r = float(sys.argv[2])      # training img/s per worker
b = int(sys.argv[3])        # per-worker batch
tjob = float(sys.argv[4])   # s per step of Spark job overhead
tupd = float(sys.argv[5])   # s driver update
def agg(P, bw):
    s = max(math.ceil(P ** 0.5), 2)
    if P > s + math.ceil(P / s):
        return 2 * s * M / bw
    return P * M / bw
print("| workers P | " + " | ".join(f"{g} Gb/s" for g in (1, 10, 25, 100)) + " |")
print("| --- | --- | --- | --- | --- |")
comp = b / r
for P in (1, 2, 4, 8, 16, 32, 64):
    cells = []
    for g in (1, 10, 25, 100):
        bw = g * 1000 / 8  # MB/s
        t = comp + tjob + tupd + (0 if P == 1 else M / bw + agg(P, bw))
        cells.append(f"{t:.2f} s, {comp / t * 100:.0f}%, {P * comp / t:.1f}×")
    print(f"| {P} | " + " | ".join(cells) + " |")
