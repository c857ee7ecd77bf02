#include <bits/stdc++.h>
using namespace std;
int main() {
    int n;
    cin >> n;
    int best = 0, hot = -1000;
    for (int i = 1; i <= n; i++) {
        int t;
        cin >> t;
        if (t > hot) { hot = t; best = i; }
    }
    cout << best << endl;
}
