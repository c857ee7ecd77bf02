import sys
data = sys.stdin.buffer.read().split()
n, q = int(data[0]), int(data[1])
pre = [0]
for x in data[2:2 + n]:
    pre.append(pre[-1] + int(x))
out = []
for i in range(q):
    l, r = int(data[2 + n + 2 * i]), int(data[3 + n + 2 * i])
    out.append(pre[r] - pre[l - 1])
print("\n".join(map(str, out)))
