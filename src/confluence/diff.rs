//! Unified diffs of two texts by line (longest common subsequence after the common head and
//! tail are cut off; a very large middle is shown as replaced whole), with 3 lines of context.

/// One line of an edit script.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op<'a> {
    Same(&'a str),
    Del(&'a str),
    Add(&'a str),
}

/// Above this many cells the middle is not aligned line by line.
const MAX_CELLS: usize = 4_000_000;

fn script<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Op<'a>> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let mut ops: Vec<Op> = a[..head].iter().map(|l| Op::Same(l)).collect();
    if ma.len() * mb.len() > MAX_CELLS {
        ops.extend(ma.iter().map(|l| Op::Del(l)));
        ops.extend(mb.iter().map(|l| Op::Add(l)));
    } else {
        let (n, m) = (ma.len(), mb.len());
        let mut lcs = vec![0u32; (n + 1) * (m + 1)];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * (m + 1) + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * (m + 1) + j + 1] + 1
                } else {
                    lcs[(i + 1) * (m + 1) + j].max(lcs[i * (m + 1) + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                ops.push(Op::Same(ma[i]));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) {
                ops.push(Op::Del(ma[i]));
                i += 1;
            } else {
                ops.push(Op::Add(mb[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - tail..].iter().map(|l| Op::Same(l)));
    ops
}

/// A unified diff of `old` and `new` (empty when they are equal).
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = script(&a, &b);
    let changed: Vec<usize> = (0..ops.len())
        .filter(|i| !matches!(ops[*i], Op::Same(_)))
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // Group changes whose context overlaps into hunks.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for &c in &changed {
        let (lo, hi) = (c.saturating_sub(3), (c + 4).min(ops.len()));
        match groups.last_mut() {
            Some(g) if lo <= g.1 => g.1 = hi,
            _ => groups.push((lo, hi)),
        }
    }
    for (lo, hi) in groups {
        let before = |ops: &[Op], upto: usize, old: bool| {
            ops[..upto]
                .iter()
                .filter(|o| match o {
                    Op::Same(_) => true,
                    Op::Del(_) => old,
                    Op::Add(_) => !old,
                })
                .count()
        };
        let count = |old: bool| before(&ops[lo..hi], hi - lo, old);
        let (ao, bo) = (before(&ops, lo, true), before(&ops, lo, false));
        let (an, bn) = (count(true), count(false));
        out.push_str(&format!(
            "@@ -{},{an} +{},{bn} @@\n",
            if an == 0 { ao } else { ao + 1 },
            if bn == 0 { bo } else { bo + 1 }
        ));
        for op in &ops[lo..hi] {
            match op {
                Op::Same(l) => out.push_str(&format!(" {l}\n")),
                Op::Del(l) => out.push_str(&format!("-{l}\n")),
                Op::Add(l) => out.push_str(&format!("+{l}\n")),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\n";
        let d = unified(old, new, "v1", "v2");
        assert_eq!(
            d,
            "--- v1\n+++ v2\n@@ -1,10 +1,11 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n i\n j\n+k\n"
        );
        let far = unified(
            "a\nb\nc\nd\ne\nf\ng\nh\ni\n",
            "A\nb\nc\nd\ne\nf\ng\nh\nI\n",
            "1",
            "2",
        );
        assert_eq!(far.matches("@@ -").count(), 2, "{far}");
        assert_eq!(unified("x\n", "x\n", "a", "b"), "");
        assert_eq!(
            unified("", "n\n", "a", "b"),
            "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+n\n"
        );
    }
}
