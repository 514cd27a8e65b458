//! Standard aggregation (Vaněk, Mandel & Brezina 1996, §3; the three
//! passes of PyAMG's `standard_aggregation`) on an undirected strength
//! graph:
//! 1. every node whose strong neighbourhood is wholly unaggregated becomes
//!    the root of a new aggregate made of itself and those neighbours;
//! 2. every remaining node joins the aggregate of one strong neighbour
//!    aggregated in pass 1 (the first in column order);
//! 3. every node still left starts a new aggregate with its still
//!    unaggregated strong neighbours.
//!
//! A node with no strong neighbour is *isolated* and joins no aggregate
//! (its row of the prolongator is zero; the smoother handles it), as in
//! PyAMG. Nodes are visited in index order, so the result is
//! deterministic.

/// The aggregate of each node, or [`ISOLATED`], and the number of
/// aggregates.
pub(crate) const ISOLATED: usize = usize::MAX;

const UNAGGREGATED: usize = usize::MAX - 1;

/// Standard aggregation of the graph `(indptr, indices)` (no self loops
/// needed; a self loop is ignored). Returns `(aggregate of each node,
/// number of aggregates)`.
pub(crate) fn standard_aggregation(indptr: &[usize], indices: &[usize]) -> (Vec<usize>, usize) {
    let n = indptr.len() - 1;
    let nbrs = |i: usize| {
        indices[indptr[i]..indptr[i + 1]]
            .iter()
            .copied()
            .filter(move |&j| j != i)
    };
    let mut agg = vec![UNAGGREGATED; n];
    let mut count = 0;
    // Pass 1: roots with wholly unaggregated neighbourhoods.
    for i in 0..n {
        if agg[i] != UNAGGREGATED {
            continue;
        }
        let mut has_nbr = false;
        let mut free = true;
        for j in nbrs(i) {
            has_nbr = true;
            if agg[j] != UNAGGREGATED {
                free = false;
                break;
            }
        }
        if !has_nbr {
            agg[i] = ISOLATED;
        } else if free {
            agg[i] = count;
            for j in nbrs(i) {
                agg[j] = count;
            }
            count += 1;
        }
    }
    let pass1 = count;
    // Pass 2: join a neighbouring pass-1 aggregate.
    for i in 0..n {
        if agg[i] != UNAGGREGATED {
            continue;
        }
        if let Some(j) = nbrs(i).find(|&j| agg[j] < pass1) {
            agg[i] = agg[j];
        }
    }
    // Pass 3: new aggregates from what is left.
    for i in 0..n {
        if agg[i] != UNAGGREGATED {
            continue;
        }
        agg[i] = count;
        for j in nbrs(i) {
            if agg[j] == UNAGGREGATED {
                agg[j] = count;
            }
        }
        count += 1;
    }
    (agg, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> (Vec<usize>, Vec<usize>) {
        let mut indptr = vec![0];
        let mut indices = Vec::new();
        for i in 0..n {
            if i > 0 {
                indices.push(i - 1);
            }
            if i + 1 < n {
                indices.push(i + 1);
            }
            indptr.push(indices.len());
        }
        (indptr, indices)
    }

    #[test]
    fn path_graph_aggregates_in_threes() {
        // 0-1-2-3-4-5-6: pass 1 roots 0 ({0,1}), 2 ({2,3}? no: 2's neighbour
        // 1 is taken), 3 ({2,3,4}), 6 ({5,6}); nothing is left for passes 2-3.
        let (p, i) = path(7);
        let (agg, count) = standard_aggregation(&p, &i);
        assert_eq!(agg, vec![0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(count, 3);
    }

    #[test]
    fn pass_two_joins_and_isolated_nodes_stay_out() {
        // 0:{1,2} 1:{0,3} 2:{0} 3:{1} 4:{}: pass 1 makes {0,1,2}; 3 is
        // blocked by 1 and joins its aggregate in pass 2; 4 is isolated.
        let indptr = vec![0, 2, 4, 5, 6, 6];
        let indices = vec![1, 2, 0, 3, 0, 1];
        let (agg, count) = standard_aggregation(&indptr, &indices);
        assert_eq!(agg, vec![0, 0, 0, 0, ISOLATED]);
        assert_eq!(count, 1);
    }

    #[test]
    fn pass_three_on_a_directed_graph() {
        // 0:{} (isolated), 1:{0}: 1 is blocked by the isolated 0, pass 2
        // finds no pass-1 aggregate, pass 3 gives 1 its own.
        let (agg, count) = standard_aggregation(&[0, 0, 1], &[0]);
        assert_eq!(agg, vec![ISOLATED, 0]);
        assert_eq!(count, 1);
    }

    #[test]
    fn every_connected_node_is_aggregated_with_dense_ids() {
        for n in 1..40 {
            let (p, i) = path(n);
            let (agg, count) = standard_aggregation(&p, &i);
            if n == 1 {
                assert_eq!(agg, vec![ISOLATED]);
                continue;
            }
            assert!(agg.iter().all(|&a| a < count));
            let mut size = vec![0; count];
            for &a in &agg {
                size[a] += 1;
            }
            // On a path every aggregate has 2 to 4 nodes.
            assert!(size.iter().all(|&s| (2..=4).contains(&s)), "{n}: {size:?}");
        }
    }
}
