#include <bits/stdc++.h>
using namespace std;
int main() {
    int q;
    cin >> q;
    while (q--) {
        string s;
        cin >> s;
        string r(s.rbegin(), s.rend());
        cout << (s == r ? "YES" : "NO") << "\n";
    }
}
