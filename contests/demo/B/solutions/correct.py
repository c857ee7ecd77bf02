n = int(input())
t = list(map(int, input().split()))
print(t.index(max(t)) + 1)
