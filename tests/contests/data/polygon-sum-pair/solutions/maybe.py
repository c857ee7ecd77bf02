a, b = map(int, input().split())
print(sum(1 for _ in range(a)) + b)
