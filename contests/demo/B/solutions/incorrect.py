n = int(input())
t = list(map(int, input().split()))
print(n - t[::-1].index(max(t)))
